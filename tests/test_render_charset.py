"""Rendered pages of UTF-8 bytes behind a stale ``gb2312`` meta (issue 10): Chromium trusts the meta, so the
renderer serves the document with the charset the crawler read it with (crawler/browser.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawl_helpers import findings, latest_scan, pages, register, run_worker, worker_env, write_settings
from xunjian.demo.server import send

TITLE = "示例县人民政府门户网站"
PAGE = (f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>{TITLE}</title>'
        '<style>.hb{position:absolute;left:-9999px}</style></head>'
        '<body><h1>政务公开</h1><p>欢迎访问示例县人民政府门户网站，本站发布政务信息。</p>'
        '<div class="hb"><a href="http://127.0.0.1:9/bet/">澳门新葡京</a></div>'
        '<a href="/a.html">通知公告</a></body></html>').encode("utf-8")


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed (apt-get install -y chromium)")
@pytest.mark.parametrize("ctype", ["text/html", "text/html; charset=gb2312"])
def test_stale_gb2312_meta_renders_as_utf8(sqlite_url, tmp_path, site_server, ctype):
    site = site_server(routes={"/": lambda h: send(h, 200, PAGE, ctype=ctype),
                               "/a.html": lambda h: send(h, 200, "<html><body>通知</body></html>".encode())})
    register(sqlite_url, tmp_path, "stale", site.url, render="always")
    proc = run_worker("stale", worker_env(sqlite_url, write_settings(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    home = pages(sqlite_url, latest_scan(sqlite_url, "stale").id)[site.url]
    assert home.rendered
    assert home.title == TITLE
    found = findings(sqlite_url, "stale")
    sc001 = [f for f in found if f.rule == "SC001"]
    assert [f.target for f in sc001] == ["http://127.0.0.1:9/bet/"]
    assert sc001[0].evidence["anchor_text"] == "澳门新葡京"
    assert sc001[0].evidence["confirmed_by"] == "browser"
    assert "澳门新葡京" in {f.evidence.get("match") for f in found if f.rule == "SC002"}
