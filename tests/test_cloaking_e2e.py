"""SC001 end to end: spam served only to a search engine's spider, and hidden links confirmed by Chromium."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from crawl_helpers import findings, register, run_worker, worker_env, write_settings
from xunjian.demo.server import send

CLEAN = ('<html><head><title>示例县人民政府</title></head><body><a href="/a.html">政务公开</a>'
         '<div class="footer">主办单位：示例县人民政府办公室</div></body></html>')
SPAMMED = CLEAN.replace('<div class="footer">', '<a href="http://127.0.0.1:9/vip/">澳门赌场 真人娱乐</a><div class="footer">')


def test_spam_served_only_to_search_engines_is_sc001(sqlite_url, tmp_path, site_server):
    def home(h):
        spider = "Baiduspider" in h.headers.get("User-Agent", "")
        send(h, 200, (SPAMMED if spider else CLEAN).encode())

    site = site_server(routes={"/": home, "/a.html": lambda h: send(h, 200, b"<html><body>ok</body></html>")})
    register(sqlite_url, tmp_path, "cloak", site.url)
    proc = run_worker("cloak", worker_env(sqlite_url, write_settings(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    sc = [f for f in findings(sqlite_url, "cloak") if f.rule in ("SC001", "SC002")]
    sc001 = [f for f in sc if f.rule == "SC001"]
    assert [f.target for f in sc001] == ["http://127.0.0.1:9/vip/"]
    assert "spider" in sc001[0].evidence["reason"]
    assert {f.evidence.get("match") for f in sc if f.rule == "SC002"} >= {"赌场"}


def test_same_homepage_for_everyone_is_silent(sqlite_url, tmp_path, site_server):
    site = site_server(routes={"/": lambda h: send(h, 200, CLEAN.encode()),
                               "/a.html": lambda h: send(h, 200, b"<html><body>ok</body></html>")})
    register(sqlite_url, tmp_path, "honest", site.url)
    assert run_worker("honest", worker_env(sqlite_url, write_settings(tmp_path))).returncode == 0
    assert not [f for f in findings(sqlite_url, "honest") if f.rule.startswith("SC")]


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed (apt-get install -y chromium)")
def test_hidden_link_on_rendered_page_is_confirmed_by_the_browser(sqlite_url, tmp_path, site_server):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>首页</title><style>.x{position:absolute;left:-9999px}</style></head>'
        '<body><p>正文</p><div class="x"><a href="http://127.0.0.1:9/bet/">澳门赌场</a></div>'
        '<a href="http://127.0.0.1:9/ok/">友情链接</a></body></html>', encoding="utf-8")
    site = site_server(root=root)
    register(sqlite_url, tmp_path, "rendered", site.url, render="always")
    proc = run_worker("rendered", worker_env(sqlite_url, write_settings(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    sc001 = [f for f in findings(sqlite_url, "rendered") if f.rule == "SC001"]
    assert [f.target for f in sc001] == ["http://127.0.0.1:9/bet/"]
    assert sc001[0].evidence["confirmed_by"] == "browser"
