"""End to end: the real worker crawls a local fixture site and stores every link outcome (SQLite + PostgreSQL)."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from crawl_helpers import findings, latest_scan, pages, register, results_by_target, run_worker, worker_env, write_settings
from xunjian.demo.server import send

FIXTURE = Path(__file__).parent / "fixtures" / "sites" / "links"


def dead_port() -> int:
    """A loopback port with nothing listening (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def link_site(tmp_path, site_server):
    external = site_server(routes={
        "/ok.html": lambda h: send(h, 200, b"<html><head><title>ok</title></head><body>working page</body></html>"),
        "/moved": lambda h: send(h, 301, b"", headers={"Location": "/ok.html"}),
    })
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    dead = dead_port()
    links = {
        "missing": "/missing.html", "error500": "/_status/500", "forbidden": "/_status/403",
        "ratelimited": "/_status/429", "waf": "/_waf", "soft404": "/_soft404", "loop": "/_redirect-loop/0",
        "slow": "/_delay/6", "gbk": "/gbk.html", "pdf": "/files/report.pdf", "gonepdf": "/files/gone.pdf",
        "ext_moved": f"http://127.0.0.1:{external.port}/moved", "ext_dead": f"http://127.0.0.1:{dead}/x",
        "to_home": "/_redirect?to=/",
    }
    body = "\n".join(f'<a href="{url}">{name}</a>' for name, url in links.items())
    (root / "index.html").write_text(
        f'<html><head><meta charset="utf-8"><title>测试首页</title></head><body>{body}'
        '<img src="/images/none.png" alt="缺图"><script src="/js/app.js"></script>'
        '<link rel="stylesheet" href="/css/site.css"></body></html>', encoding="utf-8")
    site = site_server(root=root)
    return site, external, links


def _url(site, path: str) -> str:
    return path if path.startswith("http") else site.url.rstrip("/") + path


@pytest.mark.rule_case("LK001", "LK004", "LK006", fires=True, silent=True)
def test_every_link_outcome(db_url, tmp_path, link_site):
    site, external, links = link_site
    register(db_url, tmp_path, "links", site.url)
    proc = run_worker("links", worker_env(db_url, write_settings(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    scan = latest_scan(db_url, "links")
    assert scan.status == "complete"
    res = results_by_target(db_url, scan.id)
    u = lambda key: _url(site, links[key])  # noqa: E731
    expected = {
        "missing": ("broken", 404), "error500": ("broken", 500), "forbidden": ("blocked", 403),
        "ratelimited": ("blocked", 429), "waf": ("blocked", 412), "soft404": ("wrong", 200),
        "gonepdf": ("broken", 404), "pdf": ("ok", 200), "gbk": ("ok", 200), "ext_moved": ("ok", 200),
    }
    for key, (outcome, status) in expected.items():
        assert (res[u(key)].outcome, res[u(key)].status) == (outcome, status), key
    assert res[u("loop")].outcome == "broken" and "重定向" in res[u("loop")].reason
    assert res[u("slow")].outcome == "broken" and res[u("slow")].reason == "超时"
    assert res[u("ext_dead")].outcome == "broken" and res[u("ext_dead")].reason == "连接被拒绝"
    assert res[u("ext_moved")].final_url.endswith("/ok.html") and len(res[u("ext_moved")].redirect_chain) == 2
    assert res[_url(site, "/images/none.png")].outcome == "broken"
    assert res[_url(site, "/js/app.js")].outcome == "ok"
    # the attachment was verified without downloading its body: HEAD only
    assert any(h.startswith("/files/report.pdf") for h in site.hits)
    # the GBK page was decoded: its title is readable Chinese
    page = pages(db_url, scan.id)[u("gbk")]
    assert page.title == "示例市财政局 政务公开"
    assert page.encoding.lower() in ("gb18030", "gbk", "gb2312")

    by_rule = {}
    for f in findings(db_url, "links"):
        by_rule.setdefault(f.rule, set()).add(f.target)
    assert u("missing") in by_rule["LK001"] and u("gonepdf") in by_rule["LK001"]
    assert u("ext_dead") in by_rule["LK001"]  # a dead external link on the homepage is a homepage link
    assert {u("forbidden"), u("ratelimited"), u("waf")} <= by_rule["LK006"]
    assert u("soft404") in by_rule["LK004"]
    assert u("ext_moved") not in set().union(*by_rule.values())
    assert u("pdf") not in set().union(*by_rule.values())
    lk = [f for f in findings(db_url, "links") if f.rule == "LK001" and f.target == u("missing")][0]
    assert lk.evidence["status"] == 404 and lk.evidence["anchor_text"] == "missing"


@pytest.mark.rule_case("LK005", fires=True)
def test_private_address_link_is_refused_without_contact(sqlite_url, tmp_path, site_server):
    """127.0.0.2 is outside the allowed 127.0.0.1/32: the link becomes LK005 and is never contacted."""
    other = site_server(routes={"/": lambda h: send(h, 200, b"<html>internal</html>")})
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(
        f'<html><body><a href="/a.html">a</a></body></html>', encoding="utf-8")
    (root / "a.html").write_text(
        f'<html><body><a href="http://127.0.0.2:{other.port}/">内网办公系统</a></body></html>', encoding="utf-8")
    site = site_server(root=root)
    register(sqlite_url, tmp_path, "priv", site.url)
    proc = run_worker("priv", worker_env(sqlite_url, write_settings(tmp_path), allow="127.0.0.1/32"))
    assert proc.returncode == 0, proc.stderr
    scan = latest_scan(sqlite_url, "priv")
    target = f"http://127.0.0.2:{other.port}/"
    assert results_by_target(sqlite_url, scan.id)[target].outcome == "private"
    lk005 = [f for f in findings(sqlite_url, "priv") if f.rule == "LK005"]
    assert [f.target for f in lk005] == [target] and lk005[0].page == site.url + "a.html"
    assert other.hits == []


def test_homepage_refused_when_loopback_not_allowed(sqlite_url, tmp_path, site_server):
    """With the allow list unset, even the site itself (on loopback) is refused: the scan fails, no request."""
    site = site_server(routes={"/": lambda h: send(h, 200, b"<html>home</html>")})
    register(sqlite_url, tmp_path, "noallow", site.url)
    proc = run_worker("noallow", worker_env(sqlite_url, write_settings(tmp_path), allow=None))
    assert proc.returncode == 1
    scan = latest_scan(sqlite_url, "noallow")
    assert scan.status == "failed" and "首页无法访问" in scan.message
    assert site.hits == []


def test_rescan_keeps_first_seen_and_resolves_fixed(sqlite_url, tmp_path, site_server):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text('<html><body><a href="/gone.html">旧文章</a></body></html>', encoding="utf-8")
    site = site_server(root=root)
    register(sqlite_url, tmp_path, "fix", site.url)
    env = worker_env(sqlite_url, write_settings(tmp_path))
    assert run_worker("fix", env).returncode == 0
    first = [f for f in findings(sqlite_url, "fix") if f.rule == "LK001"]
    assert len(first) == 1 and first[0].status == "open"
    assert run_worker("fix", env).returncode == 0
    again = [f for f in findings(sqlite_url, "fix") if f.rule == "LK001"]
    assert len(again) == 1 and again[0].first_seen == first[0].first_seen and again[0].last_scan_id != first[0].last_scan_id
    (root / "gone.html").write_text("<html><body>恢复</body></html>", encoding="utf-8")
    assert run_worker("fix", env).returncode == 0
    fixed = [f for f in findings(sqlite_url, "fix") if f.rule == "LK001"]
    assert fixed[0].status == "resolved"
