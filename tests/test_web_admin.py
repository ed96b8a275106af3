"""管理 in the console (SQLite + PostgreSQL): admins register and edit sites (validated by the registry's own
model, as ``xunjian sites import``) and change a safe subset of settings in the console's settings file;
non-admins get 403, a missing CSRF token 403, every change is an audit row, a bad value changes nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xunjian.config import load_settings
from xunjian.storage.accounts import add_user, create_token
from xunjian.storage.db import session_scope
from xunjian.storage.models import AuditEntry, Site
from xunjian.web.app import create_app

PASSWORD = "correct-horse-9"
SETTINGS = """\
# my office's settings
probe:                      # homepage probes
  interval_minutes: 30      # every N minutes
  slow_seconds: 5.0         # slower is AV002
alerts:
  webhook_url: "https://hooks.example.cn/send?access_token=SECRET123"   # veto alerts
  smtp_to:
    - ops@example.cn
web:
  secret_key: "very-secret-key-456"
"""
GOOD = {"id": "new-bureau", "name": "示例市教育局", "url": "https://jyj.example.gov.cn/", "kind": "department",
        "site_code": "1199000042", "sponsor": "示例市教育局", "status": "online", "render": "never",
        "max_pages": "5000", "columns": "https://jyj.example.gov.cn/tzgg/|notice|通知公告"}


@pytest.fixture
def web(db_url, tmp_path):
    path = tmp_path / "settings.yaml"
    path.write_text(SETTINGS, encoding="utf-8")
    settings = load_settings(path, env={})
    with session_scope(db_url) as s:
        for name, role in (("admin", "admin"), ("insp", "inspector"), ("view", "viewer")):
            add_user(s, name, role, PASSWORD)
        s.add(Site(id="demo-gov", name="示例市人民政府", url="http://127.0.0.1:9/",
                   extra={"allow_words": ["法轮"]}))
    return {"app": create_app(settings, db_url, config_path=str(path)), "db": db_url, "path": path}


def client(web, user: str) -> tuple[TestClient, str]:
    c = TestClient(web["app"], follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text
    return c, re.search(r'<meta name="csrf-token" content="([^"]+)"', c.get("/").text).group(1)


def audits(db_url, action: str) -> list[AuditEntry]:
    with session_scope(db_url) as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def site(db_url, site_id: str) -> Site | None:
    with session_scope(db_url) as s:
        return s.get(Site, site_id)


def test_admin_adds_and_edits_a_site_in_the_form(web):
    db = web["db"]
    c, csrf = client(web, "admin")
    assert "新增站点" in c.get("/admin").text and c.get("/admin/sites/new").status_code == 200
    assert c.post("/admin/sites", data=GOOD).status_code == 403  # no CSRF token
    bad = {**GOOD, "url": "ftp://jyj.example.gov.cn/", "site_code": "12345", "max_pages": "0", "kind": "county",
           "csrf_token": csrf}
    r = c.post("/admin/sites", data=bad)
    assert r.status_code == 400 and site(db, "new-bureau") is None
    for message in ("必须是 http:// 或 https:// 开头的完整网址", "网站标识码应为 10 位数字或 bm 加 8 位数字",
                    "不能小于 1", "portal (门户网站) / department (部门网站)"):
        assert message in r.text, message
    assert 'value="ftp://jyj.example.gov.cn/"' in r.text  # the form keeps what was typed
    r = c.post("/admin/sites", data={**GOOD, "csrf_token": csrf})
    assert r.status_code == 303 and r.headers["location"] == "/admin/sites/new-bureau?saved=1"
    row = site(db, "new-bureau")
    assert (row.name, row.kind, row.render, row.site_code, row.extra["max_pages"]) == \
        ("示例市教育局", "department", "never", "1199000042", 5000)
    assert row.columns[0]["url"] == "https://jyj.example.gov.cn/tzgg/" and row.columns[0]["category"] == "notice"
    assert c.post("/admin/sites", data={**GOOD, "csrf_token": csrf}).status_code == 409  # id taken
    [created] = audits(db, "site_create")
    assert created.actor == "admin" and created.details["from"] is None and created.details["to"]["name"] == "示例市教育局"

    form = c.get("/admin/sites/demo-gov").text
    assert 'value="示例市人民政府"' in form
    r = c.post("/admin/sites/demo-gov", data={"csrf_token": csrf, "name": "示例市政府门户", "url": "http://127.0.0.1:9/",
                                              "kind": "portal", "status": "offline", "render": "auto", "max_pages": ""})
    assert r.status_code == 303
    row = site(db, "demo-gov")
    assert (row.name, row.status, row.extra["allow_words"]) == ("示例市政府门户", "offline", ["法轮"])
    [updated] = audits(db, "site_update")
    assert updated.site_id == "demo-gov" and updated.details == {
        "from": {"name": "示例市人民政府", "status": "online"}, "to": {"name": "示例市政府门户", "status": "offline"}}
    r = c.post("/admin/sites/demo-gov", data={"csrf_token": csrf, "name": "", "render": "sometimes"})
    assert r.status_code == 400 and "不能为空" in r.text and "auto (自动)" in r.text
    assert site(db, "demo-gov").name == "示例市政府门户" and len(audits(db, "site_update")) == 1
    audit_page = c.get("/audit").text
    assert "修改站点" in audit_page and "示例市政府门户" in audit_page and "新增站点" in audit_page


def test_non_admins_are_refused(web):
    db = web["db"]
    for user in ("insp", "view"):
        c, csrf = client(web, user)
        assert c.get("/admin/sites/demo-gov").status_code == 403
        assert c.post("/admin/sites", data={**GOOD, "csrf_token": csrf}).status_code == 403
        assert c.post("/admin/sites/demo-gov", data={"csrf_token": csrf, "name": "x"}).status_code == 403
        assert c.post("/api/sites", json=GOOD, headers={"X-CSRF-Token": csrf}).status_code == 403
        assert c.post("/admin/settings", data={"csrf_token": csrf, "probe.interval_minutes": "5"}).status_code == 403
    assert site(db, "new-bureau") is None and site(db, "demo-gov").name == "示例市人民政府"
    assert not audits(db, "site_create") and not audits(db, "settings_update")
    assert "interval_minutes: 30" in web["path"].read_text(encoding="utf-8")


def test_site_api_create_update_and_errors(web):
    db = web["db"]
    with session_scope(db) as s:
        admin_token, insp_token = create_token(s, "admin", "ops"), create_token(s, "insp", "cms")
    bot = TestClient(web["app"])
    auth = {"Authorization": f"Bearer {admin_token}"}
    body = {**GOOD, "max_pages": 5000, "columns": [{"url": "https://jyj.example.gov.cn/zcwj/", "category": "policy"}]}
    r = bot.post("/api/sites", json=body, headers=auth)
    assert r.status_code == 201 and r.json()["max_pages"] == 5000 and r.json()["columns"][0]["category"] == "policy"
    assert bot.post("/api/sites", json=body, headers=auth).status_code == 409
    r = bot.post("/api/sites", json={"id": "bad id!", "name": "x", "url": "example.cn", "render": "maybe"}, headers=auth)
    assert r.status_code == 400 and set(r.json()["fields"]) == {"id", "url", "render"}
    assert "字母、数字" in r.json()["fields"]["id"] and site(db, "bad id!") is None
    r = bot.post("/api/sites/new-bureau", json={"name": "示例市教育局 (新)", "max_pages": None}, headers=auth)
    assert r.status_code == 200 and r.json()["name"] == "示例市教育局 (新)" and r.json()["max_pages"] is None
    assert r.json()["kind"] == "department" and r.json()["columns"]  # fields not sent are kept
    with session_scope(db) as s:
        s.get(Site, "new-bureau").columns = [{"url": "https://jyj.example.gov.cn/zcwj/", "category": "policy", "level": 2}]
    c, csrf = client(web, "admin")
    form = c.get("/admin/sites/new-bureau").text
    assert "https://jyj.example.gov.cn/zcwj/|policy" in form
    data = {k: v for k, v in re.findall(r'<input id="f-\w+" name="(\w+)" value="([^"]*)"', form)}
    data.update(kind="department", status="online", render="never", columns="https://jyj.example.gov.cn/zcwj/|policy")
    assert c.post("/admin/sites/new-bureau", data={**data, "csrf_token": csrf}).status_code == 303
    assert site(db, "new-bureau").columns[0]["level"] == 2 and len(audits(db, "site_update")) == 1  # nothing changed
    assert bot.post("/api/sites/new-bureau", json={"aliases": ["x.cn"]}, headers=auth).status_code == 400
    assert bot.post("/api/sites/new-bureau", json={"id": "other"}, headers=auth).status_code == 400
    assert bot.post("/api/sites/nowhere", json={"name": "x"}, headers=auth).status_code == 404
    r = bot.post("/api/sites/new-bureau", json={"name": "y"}, headers={"Authorization": f"Bearer {insp_token}"})
    assert r.status_code == 403
    assert bot.post("/api/sites", json=body).status_code == 401
    assert c.post("/api/sites/demo-gov", json={"name": "无令牌"}).status_code == 403  # cookie without CSRF
    assert c.post("/api/sites/demo-gov", json={"name": "有令牌"}, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert [a.object_id for a in audits(db, "site_update")] == ["new-bureau", "demo-gov"]
    assert audits(db, "site_update")[0].details["from"]["max_pages"] == 5000


def test_settings_bad_value_refused_good_value_applied(web):
    db, path, app = web["db"], web["path"], web["app"]
    c, csrf = client(web, "admin")
    page = c.get("/admin/settings").text
    assert "SECRET123" not in page and "very-secret-key" not in page and "(已设置，留空不变)" in page
    assert "SECRET123" not in c.get("/admin").text and "very-secret-key" not in c.get("/admin").text
    before = path.read_bytes()
    for key, value in (("probe.interval_minutes", "-5"), ("probe.slow_seconds", "fast"),
                       ("scheduler.scan_window", "25点-5点"), ("scheduler.scan_window", "25:00-05:00"), ("scheduler.max_concurrent_scans", "0")):
        r = c.post("/admin/settings", data={"csrf_token": csrf, key: value})
        assert r.status_code == 400 and "未保存" in r.text, (key, r.text)
        assert path.read_bytes() == before and not list(path.parent.glob(".settings-*"))
    assert "scan_window" in c.post("/admin/settings", data={"csrf_token": csrf, "scheduler.scan_window": "x"}).text
    assert app.state.settings.probe.interval_minutes == 30 and not audits(db, "settings_update")
    assert c.post("/admin/settings", data={"probe.interval_minutes": "10"}).status_code == 403  # no CSRF
    r = c.post("/admin/settings", data={"csrf_token": csrf, "probe.interval_minutes": "10", "probe.slow_seconds": "5.0",
                                        "alerts.smtp_to": "ops@example.cn, duty@example.cn", "alerts.webhook_url": "",
                                        "checks.disabled": "FN001，TX005"})
    assert r.status_code == 303
    text = path.read_text(encoding="utf-8")
    assert "  interval_minutes: 10      # every N minutes\n" in text and "# my office's settings" in text
    assert "slow_seconds: 5.0         # slower is AV002" in text and "access_token=SECRET123" in text  # untouched
    reloaded = load_settings(path, env={})
    assert reloaded.alerts.smtp_to == ["ops@example.cn", "duty@example.cn"] and reloaded.checks.disabled == ["FN001", "TX005"]
    assert app.state.settings.probe.interval_minutes == 10 and app.state.settings.checks.disabled == ["FN001", "TX005"]
    assert app.state.db_url == db  # the console keeps its database
    [row] = audits(db, "settings_update")
    assert row.actor == "admin" and row.details["from"] == {"probe.interval_minutes": 30, "alerts.smtp_to": ["ops@example.cn"],
                                                             "checks.disabled": []}
    r = c.post("/admin/settings", data={"csrf_token": csrf, "clear:alerts.webhook_url": "1"})
    assert r.status_code == 303 and app.state.settings.alerts.webhook_url is None
    assert "SECRET123" not in path.read_text(encoding="utf-8")
    assert audits(db, "settings_update")[-1].details["from"] == {"alerts.webhook_url": "(已设置)"}
    assert "SECRET123" not in c.get("/audit").text


def test_settings_api_and_console_without_config_file(web, db_url, monkeypatch):
    monkeypatch.delenv("XUNJIAN_CONFIG", raising=False)
    with session_scope(db_url) as s:
        token = create_token(s, "admin", "ops")
    bot, auth = TestClient(web["app"]), {"Authorization": f"Bearer {token}"}
    r = bot.post("/api/settings", json={"probe.slow_seconds": 2.5, "alerts.smtp_host": "mail.example.cn"}, headers=auth)
    assert r.status_code == 200 and r.json()["changed"] == {"probe.slow_seconds": 2.5, "alerts.smtp_host": "mail.example.cn"}
    assert web["app"].state.settings.probe.slow_seconds == 2.5
    before = web["path"].read_bytes()
    assert bot.post("/api/settings", json={"database.url": "sqlite://"}, headers=auth).status_code == 400
    assert bot.post("/api/settings", json={"alerts.smtp_port": "abc"}, headers=auth).status_code == 400
    assert web["path"].read_bytes() == before
    bare = create_app(load_settings(env={}), db_url)
    c, csrf = client({"app": bare}, "admin")
    assert "--config" in c.get("/admin/settings").text
    r = c.post("/admin/settings", data={"csrf_token": csrf, "probe.interval_minutes": "10"})
    assert r.status_code == 400 and "xunjian --config" in r.text and "XUNJIAN_CONFIG" in r.text
