"""The web console's HTTP side without a browser (SQLite + PostgreSQL): login required everywhere, CSRF,
roles, API tokens, the triage workflow with its audit trail and the scan-driven lifecycle, the check API,
rate limits, security headers and cookie flags."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xunjian.checks import finding
from xunjian.config import load_settings
from xunjian.storage.accounts import add_user, create_token, disable_user
from xunjian.storage.db import session_scope
from xunjian.storage.findings import merge_findings, resolve_unseen
from xunjian.storage.models import AuditEntry, Finding, Scan, Site
from xunjian.web.app import create_app, route_table

PASSWORD = "correct-horse-9"
SITE = "demo-gov"
BROKEN = finding("LK001", "页面链接不可用: HTTP 404", page="http://127.0.0.1:9/", target="http://127.0.0.1:9/old.html",
                 evidence={"status": 404})
TYPO = finding("TX002", "疑似错别字：「再接再励」应为「再接再厉」", page="http://127.0.0.1:9/news/1.html",
               evidence={"match": "再接再励", "context": "<script>alert(1)</script>各单位要再接再励", "category": "idiom"},
               key="再接再励")
HOSTILE = finding("TX002", "=HYPERLINK(\"http://x\",\"点\")<img src=x onerror=alert(2)>", page="javascript:alert(3)",
                  evidence={"match": "一股作气", "context": "=HYPERLINK(\"http://x\") 一股作气"}, key="一股作气")


def scan(db_url, found, status="complete", now=None):
    now = now or datetime.now(timezone.utc)
    with session_scope(db_url) as s:
        if s.get(Site, SITE) is None:
            s.add(Site(id=SITE, name="示例市人民政府", url="http://127.0.0.1:9/"))
            s.flush()
        row = Scan(site_id=SITE, status="running", as_of=date(2026, 11, 22))
        s.add(row)
        s.flush()
        merge_findings(s, SITE, found, row.id, now=now)
        row.status = status
        resolve_unseen(s, SITE, row, now=now)
        return row.id


def ids(db_url) -> dict[str, int]:
    with session_scope(db_url) as s:
        return {f"{r.rule}:{r.target or r.evidence.get('match')}": r.id for r in s.scalars(select(Finding))}


def status_of(db_url, finding_id):
    with session_scope(db_url) as s:
        return s.get(Finding, finding_id).status


@pytest.fixture
def web(db_url):
    settings = load_settings(env={})
    settings.web.check_per_minute = 3
    settings.web.login_attempts = 3
    with session_scope(db_url) as s:
        for name, role in (("admin", "admin"), ("insp", "inspector"), ("view", "viewer")):
            add_user(s, name, role, PASSWORD)
    scan(db_url, [BROKEN, TYPO, HOSTILE])
    return {"app": create_app(settings, db_url), "db": db_url, "settings": settings}


def client(web, user: str | None = None) -> tuple[TestClient, str]:
    c = TestClient(web["app"], follow_redirects=False)
    if user is None:
        return c, ""
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text
    page = c.get("/").text
    return c, re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)


def test_every_route_needs_login(web):
    c, _ = client(web)
    sample = {"finding_id": "1", "site_id": SITE, "action": "confirm", "name": "view"}
    table = route_table()
    assert len(table) >= 25
    for method, path in table:
        url = re.sub(r"\{(\w+)\}", lambda m: sample[m.group(1)], path)
        r = c.request(method, url)
        if path in ("/login", "/healthz"):
            assert r.status_code in (200, 303, 403), (method, path, r.status_code)  # POST /login without token: 403
        elif path.startswith("/api/"):
            assert r.status_code == 401, (method, path, r.status_code)
        else:
            assert r.status_code == 303 and r.headers["location"].startswith("/login"), (method, path, r.status_code)
    assert c.get("/healthz").json() == {"status": "ok"}
    assert 'name="username"' in c.get("/login").text


def test_csrf_roles_and_tokens(web):
    db = web["db"]
    fid = ids(db)["LK001:http://127.0.0.1:9/old.html"]
    insp, csrf = client(web, "insp")
    assert insp.post(f"/findings/{fid}/confirm", data={"reason": "x"}).status_code == 403  # no CSRF token
    assert insp.post(f"/findings/{fid}/confirm", data={"csrf_token": "forged"}).status_code == 403
    assert status_of(db, fid) == "open"
    assert insp.post(f"/findings/{fid}/confirm", data={"csrf_token": csrf}).status_code == 303
    assert status_of(db, fid) == "confirmed"
    viewer, vcsrf = client(web, "view")
    r = viewer.post(f"/api/findings/{fid}/fix", headers={"X-CSRF-Token": vcsrf})
    assert r.status_code == 403 and status_of(db, fid) == "confirmed"
    assert viewer.post("/users", data={"csrf_token": vcsrf, "name": "x", "role": "admin", "password": "p" * 9}).status_code == 403
    with session_scope(db) as s:
        token = create_token(s, "insp", "cms")
    bot = TestClient(web["app"])
    r = bot.post(f"/api/findings/{fid}/fix", json={"reason": "已删除失效链接"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["status"] == "fixed"
    assert bot.get("/api/findings", headers={"Authorization": "Bearer xj_wrong"}).status_code == 401
    with session_scope(db) as s:
        disable_user(s, "insp")
    assert bot.get("/api/sites", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert insp.get("/", follow_redirects=False).status_code == 303  # the disabled user's session is gone too


def test_workflow_and_scan_lifecycle_are_audited(web):
    db = web["db"]
    found = ids(db)
    link, typo = found["LK001:http://127.0.0.1:9/old.html"], found["TX002:再接再励"]
    c, csrf = client(web, "insp")
    h = {"X-CSRF-Token": csrf}
    assert c.post(f"/api/findings/{link}/fix", headers=h, json={"reason": "已修复"}).json()["status"] == "fixed"
    assert c.post(f"/api/findings/{typo}/fix", headers=h, json={}).status_code == 200
    assert c.post(f"/api/findings/{typo}/confirm", headers=h, json={}).status_code == 409  # fixed -> confirm: no
    scan(db, [BROKEN, HOSTILE])  # the link is still broken, the typo is gone
    assert status_of(db, link) == "open" and status_of(db, typo) == "resolved"
    r = c.post(f"/api/findings/{link}/ignore", headers=h, json={"reason": ""})
    assert r.status_code == 400 and status_of(db, link) == "open"  # a reason is required
    until = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = c.post(f"/api/findings/{link}/ignore", headers=h, json={"reason": "上级要求保留", "kind": "not_applicable", "until": until})
    assert r.status_code == 200 and status_of(db, link) == "ignored"
    scan(db, [BROKEN, HOSTILE])  # ignore not expired: stays ignored
    assert status_of(db, link) == "ignored"
    scan(db, [BROKEN, HOSTILE], now=datetime.now(timezone.utc) + timedelta(days=2))  # expired: back
    assert status_of(db, link) == "open"
    assert c.post(f"/api/findings/{link}/comment", headers=h, data={"body": "<b>请尽快</b>"}).status_code == 200
    assert c.post(f"/api/findings/{link}/assign", headers=h, json={"assignee": "insp"}).json()["assignee"] == "insp"
    detail = c.get(f"/api/findings/{link}").json()
    trail = [(a["actor"], a["action"], a["from"], a["to"]) for a in detail["history"]]
    assert trail[0] == ("insp", "fix", "open", "fixed")
    assert trail[1][0].startswith("scan #") and trail[1][1:] == ("reopen", "fixed", "open")
    assert ("insp", "ignore", "open", "ignored") in trail and any(t[1:] == ("reopen", "ignored", "open") for t in trail)
    assert detail["comments"][0]["body"] == "<b>请尽快</b>" and detail["assignee"] == "insp"
    with session_scope(db) as s:
        resolved = s.scalars(select(AuditEntry).where(AuditEntry.object_id == str(typo), AuditEntry.action == "resolve")).one()
        assert resolved.actor.startswith("scan #") and resolved.from_status == "fixed"
    page = c.get("/audit").text
    assert "上级要求保留" in page and "&lt;b&gt;请尽快&lt;/b&gt;" in page


def test_bulk_ignore_and_filters(web):
    db = web["db"]
    c, csrf = client(web, "insp")
    both = [str(i) for k, i in ids(db).items() if k.startswith("TX002")]
    r = c.post("/findings/bulk", data={"csrf_token": csrf, "action": "ignore", "ids": both, "reason": "专有名词",
                                       "kind": "false_positive"})
    assert r.status_code == 303 and "done=2" in r.headers["location"]
    assert all(status_of(db, int(i)) == "ignored" for i in both)
    listed = c.get("/api/findings", params={"family": "TX"}).json()
    assert listed["total"] == 0
    assert c.get("/api/findings", params={"status": "ignored", "category": "idiom"}).json()["total"] == 1


def test_check_api_returns_planted_typo_and_is_rate_limited(web):
    c, csrf = client(web, "view")  # a viewer may check articles (no state change)
    h = {"X-CSRF-Token": csrf}
    r = c.post("/api/check", headers=h, json={"text": "各单位要再接再励，做好冬季各项工作。", "as_of": "2026-11-22"})
    assert r.status_code == 200, r.text
    typos = [f for f in r.json()["findings"] if f["rule"] == "TX002"]
    assert [(f["evidence"]["match"], f["evidence"]["suggestion"]) for f in typos] == [("再接再励", "再接再厉")]
    assert set(typos[0]) >= {"rule", "severity", "page", "target", "message", "evidence"}
    html = "<html><head><title>通知</title></head><body><p>要求大家一股作气完成任务。</p></body></html>"
    rules = {f["rule"] for f in c.post("/api/check", headers=h, json={"html": html}).json()["findings"]}
    assert "TX002" in rules and "MT001" in rules  # an HTML page also gets the page-label checks
    assert c.post("/api/check", headers={}, json={"text": "x"}).status_code == 403  # browser call without CSRF
    assert c.post("/api/check", headers=h, json={"text": ""}).status_code == 400
    assert c.post("/api/check", headers=h, json={"text": "再接再励"}).status_code == 429  # 3 per minute


def test_login_rate_limit(web):
    c, _ = client(web)
    for _ in range(3):
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        assert c.post("/login", data={"username": "insp", "password": "wrong", "csrf_token": token}).status_code == 401
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": "insp", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429 and "xj_session" not in r.headers.get("set-cookie", "")


def test_headers_cookies_and_escaping(web):
    c, _ = client(web)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": "view", "password": PASSWORD, "csrf_token": token, "next": "//evil.invalid/"})
    assert r.headers["location"] == "/"  # no open redirect
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("xj_session"))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    page = c.get("/findings")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(2)&gt;" in page.text
    assert 'href="javascript:' not in page.text
    site = c.get(f"/sites/{SITE}").text
    assert "<script>alert(1)" not in site and '<mark class="hit">再接再励</mark>' in site
    assert not re.search(r"<script(?![^>]*src=\"/static/)", site)  # only the static scripts


def test_secure_cookie_only_behind_trusted_proxy(db_url):
    settings = load_settings(env={})
    with session_scope(db_url) as s:
        add_user(s, "view", "viewer", PASSWORD)
    for trust, expect in ((False, False), (True, True)):
        settings.web.trust_proxy = trust
        c = TestClient(create_app(settings, db_url), follow_redirects=False)
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
        r = c.post("/login", data={"username": "view", "password": PASSWORD, "csrf_token": token},
                   headers={"X-Forwarded-Proto": "https"})
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("xj_session"))
        assert ("Secure" in cookie) is expect


def test_csv_export_uses_the_formula_guard(web):
    import csv
    import io

    c, _ = client(web, "view")
    r = c.get("/findings.csv", params={"family": "TX"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0][0] == "问题编号" and len(rows) == 3
    hostile = next(row for row in rows[1:] if "一股作气" in row[8])
    assert hostile[5] == "javascript:alert(3)" and hostile[7].startswith("'=HYPERLINK")  # made inert
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_recheck_refetches_target_and_page(sqlite_url, site_server, tmp_path):
    """复查: a fixed link whose target answers now is resolved; a page still carrying its typo is reopened."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><body><p>各单位要再接再励。</p></body></html>", encoding="utf-8")
    (root / "ok.html").write_text("<html><body>ok</body></html>", encoding="utf-8")
    server = site_server(root=root)
    link = finding("LK001", "页面链接不可用: HTTP 404", page=server.url, target=server.url + "ok.html")
    typo = finding("TX002", "疑似错别字：「再接再励」应为「再接再厉」", page=server.url + "index.html",
                   evidence={"match": "再接再励"}, key="再接再励")
    settings = load_settings(env={"XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"})
    with session_scope(sqlite_url) as s:
        add_user(s, "insp", "inspector", PASSWORD)
    scan(sqlite_url, [link, typo])
    web = {"app": create_app(settings, sqlite_url), "db": sqlite_url}
    c, csrf = client(web, "insp")
    h = {"X-CSRF-Token": csrf}
    found = ids(sqlite_url)
    lid, tid = found[f"LK001:{server.url}ok.html"], found["TX002:再接再励"]
    assert c.post(f"/api/findings/{lid}/recheck", headers=h).status_code == 409  # only fixed findings
    for fid in (lid, tid):
        assert c.post(f"/api/findings/{fid}/fix", headers=h).status_code == 200
    r = c.post(f"/api/findings/{lid}/recheck", headers=h).json()
    assert r["status"] == "resolved" and r["still_present"] is False
    r = c.post(f"/api/findings/{tid}/recheck", headers=h).json()
    assert r["status"] == "open" and r["still_present"] is True
    (root / "index.html").write_text("<html><body><p>各单位要再接再厉。</p></body></html>", encoding="utf-8")
    c.post(f"/api/findings/{tid}/fix", headers=h)
    assert c.post(f"/findings/{tid}/recheck", data={"csrf_token": csrf}).status_code == 303
    assert status_of(sqlite_url, tid) == "resolved"
    with session_scope(sqlite_url) as s:
        reasons = [a.reason for a in s.scalars(select(AuditEntry).where(AuditEntry.object_id == str(tid)))]
    assert any(r and r.startswith("复查") for r in reasons)


def test_audit_log_is_append_only_in_the_database(db_url):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with session_scope(db_url) as s:
        add_user(s, "insp", "inspector", PASSWORD)  # writes an audit row
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            with session_scope(db_url) as s:
                s.execute(text(statement))
    with session_scope(db_url) as s:
        assert [a.actor for a in s.scalars(select(AuditEntry))] == ["cli"]


def test_migration_0003_downgrades_and_upgrades(sqlite_url):
    from alembic import command
    from sqlalchemy import inspect

    from xunjian.storage.db import alembic_config, get_engine

    command.downgrade(alembic_config(sqlite_url), "0001")
    assert "audit_log" not in inspect(get_engine(sqlite_url)).get_table_names()
    command.upgrade(alembic_config(sqlite_url), "head")
    assert {"users", "api_tokens", "audit_log", "finding_comments"} <= set(inspect(get_engine(sqlite_url)).get_table_names())


def test_scans_page_shows_running_scan_and_refuses_a_second(web):
    db = web["db"]
    with session_scope(db) as s:
        s.add(Scan(site_id=SITE, status="running", as_of=date(2026, 11, 22), trigger="scheduler"))
    c, csrf = client(web, "insp")
    fragment = c.get("/scans/running").text
    assert "running-scan" in fragment and SITE in fragment
    r = c.post("/api/scans", headers={"X-CSRF-Token": csrf}, json={"site": SITE})
    assert r.status_code == 409 and "正在扫描" in r.json()["error"]
    assert c.post("/api/scans", headers={"X-CSRF-Token": csrf}, json={"site": "nope"}).status_code == 404
    assert [s["status"] for s in c.get("/api/scans").json()][:2] == ["running", "complete"]


def test_overview_site_groups_and_availability_chart(web):
    from xunjian.storage.models import Probe

    db = web["db"]
    grouped = finding("LK001", "页面链接不可用: HTTP 404", page="http://127.0.0.1:9/a.html",
                      target="http://127.0.0.1:9/gone.pdf",
                      evidence={"status": 404, "page_count": 3, "pages": ["http://127.0.0.1:9/a.html",
                                                                        "http://127.0.0.1:9/b.html",
                                                                        "javascript:alert(1)"]})
    scan(db, [BROKEN, TYPO, HOSTILE, grouped])
    now = datetime.now(timezone.utc)
    with session_scope(db) as s:
        for i, outcome in enumerate(["up", "up", "down", "slow"]):
            s.add(Probe(site_id=SITE, at=now - timedelta(hours=i + 1), outcome=outcome, status=200, elapsed=0.5))
    c, _ = client(web, "view")
    overview = c.get("/").text
    assert "示例市人民政府" in overview and "75.0%" in overview  # 3 of 4 probes up
    assert "链接 2" in overview and "文字 2" in overview  # open findings by family
    site = c.get(f"/sites/{SITE}").text
    assert "3 个页面" in site and "涉及页面: 3 个" in site  # the grouped link finding's own page count
    assert 'href="javascript:' not in site and 'rel="noopener noreferrer"' in site
    chart = c.get("/availability").text
    assert chart.count('class="bar down"') == 1 and chart.count('class="bar up"') == 2 and "<svg" in chart
    sites = c.get("/api/sites").json()
    assert sites[0]["availability_7d"] == 75.0 and sites[0]["by_family"] == {"LK": 2, "TX": 2}


def test_admin_sets_allow_words_others_refused(web):
    db = web["db"]
    insp, icsrf = client(web, "insp")
    assert insp.get("/admin").status_code == 403
    assert insp.post(f"/admin/sites/{SITE}/allow-words", data={"csrf_token": icsrf, "words": "x"}).status_code == 403
    c, csrf = client(web, "admin")
    page = c.get("/admin").text
    assert "settings.yaml" in page and "secret_key" in page and "(未设置" in page
    r = c.post(f"/admin/sites/{SITE}/allow-words", data={"csrf_token": csrf, "words": "博彩，澳门\n博彩"})
    assert r.status_code == 303
    with session_scope(db) as s:
        assert s.get(Site, SITE).extra["allow_words"] == ["博彩", "澳门"]
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "site_allow_words")).one()
        assert entry.actor == "admin" and entry.details["to"] == ["博彩", "澳门"]
