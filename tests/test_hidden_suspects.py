"""SC001 "suspect, then confirm": a link that the page's own styles colour like its background, on a page an
external style sheet may restyle, is settled by rendering the page in Chromium (crawler/render.py
SuspectRenders, checks/security_hidden.py colour_suspects); bounded per scan by render.max_suspect_pages."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crawl_helpers import TEST_SETTINGS, findings, latest_scan, register, run_worker, worker_env
from xunjian.crawler.render import SUSPECT, SuspectRenders
from xunjian.demo.server import send
from xunjian.records import PageRecord, SiteInfo

HOME = ('<html><head><meta charset="utf-8"><title>首页</title><link rel="stylesheet" href="/css/site.css">'
        '<style>body{background-color:#ffffff} .notice-line a.nl{color:#FFF}</style></head>'
        '<body><div class="main"><p>政务公开</p><div class="notice-line">'
        '<a class="nl" href="http://127.0.0.1:9/hot/">热点</a></div></div><a href="/a.html">通知公告</a></body></html>')


def _settings(tmp_path: Path, suspects: int, **render) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({**TEST_SETTINGS, "render": {"max_suspect_pages": suspects, **render}}),
                    encoding="utf-8")
    return path


def _scan(sqlite_url, tmp_path, site_server, site_id: str, css: str, suspects: int = 20, **render):
    site = site_server(routes={
        "/": lambda h: send(h, 200, HOME.encode()),
        "/a.html": lambda h: send(h, 200, "<html><body><p>通知</p></body></html>".encode()),
        "/css/site.css": lambda h: send(h, 200, css.encode(), ctype="text/css")})
    register(sqlite_url, tmp_path, site_id, site.url, render="auto")
    proc = run_worker(site_id, worker_env(sqlite_url, _settings(tmp_path, suspects, **render)))
    assert proc.returncode == 0, proc.stderr
    stats = latest_scan(sqlite_url, site_id).stats
    stats["_stderr"] = proc.stderr
    return [f for f in findings(sqlite_url, site_id) if f.rule == "SC001"], stats


@pytest.mark.browser
@pytest.mark.rule_case("SC001", fires=True, silent=True)
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed (apt-get install -y chromium)")
def test_suspect_link_is_settled_by_the_browser(sqlite_url, tmp_path, site_server):
    # the external sheet leaves .main alone: white on the white body, the browser confirms it
    sc001, stats = _scan(sqlite_url, tmp_path, site_server, "susp-white", ".main{margin:0 auto;width:1000px}")
    assert stats.get(f"render/requested/{SUSPECT}") == 1
    assert [f.target for f in sc001] == ["http://127.0.0.1:9/hot/"]
    assert sc001[0].evidence["confirmed_by"] == "browser"
    assert "same colour as background" in sc001[0].evidence["reason"]
    # the external sheet paints .main dark blue: the rendered page shows the link, nothing fires
    sc001, stats = _scan(sqlite_url, tmp_path, site_server, "susp-dark", ".main{background:#1a4f8b}")
    assert stats.get(f"render/requested/{SUSPECT}") == 1
    assert sc001 == []
    # no suspect renders allowed: the static verdict (not judged) stands
    sc001, stats = _scan(sqlite_url, tmp_path, site_server, "susp-off", ".main{width:1000px}", suspects=0)
    assert not stats.get(f"render/requested/{SUSPECT}")
    assert sc001 == []


def test_without_chromium_one_warning_and_the_static_verdict(sqlite_url, tmp_path, site_server):
    sc001, stats = _scan(sqlite_url, tmp_path, site_server, "susp-nochrome", ".main{width:1000px}",
                         executable_path=str(tmp_path / "no-chromium"))
    assert stats["_stderr"].count("疑似暗链按静态结果处理") == 1, stats["_stderr"]
    assert stats["render/unavailable"] == 1 and not stats.get(f"render/requested/{SUSPECT}")
    assert sc001 == []  # unjudged, not guessed


def _record(url: str, html: str) -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")


def test_suspect_budget_and_each_target_once():
    site = SiteInfo("demo", "示例", "http://127.0.0.1:8000/")
    suspects = SuspectRenders(2, site)
    one = _record("http://127.0.0.1:8000/", HOME)
    assert suspects.reason(one, "never") is None  # no browser for this site
    assert suspects.reason(one, "auto") == SUSPECT
    assert suspects.reason(_record("http://127.0.0.1:8000/b.html", HOME), "auto") is None  # same target again
    other = HOME.replace("127.0.0.1:9/hot/", "127.0.0.1:9/hot2/")
    assert suspects.reason(_record("http://127.0.0.1:8000/c.html", other), "auto") == SUSPECT
    third = HOME.replace("127.0.0.1:9/hot/", "127.0.0.1:9/hot3/")
    assert suspects.reason(_record("http://127.0.0.1:8000/d.html", third), "auto") is None  # budget spent
    # nothing else styles the page: the static check decides, no render
    own = HOME.replace('<link rel="stylesheet" href="/css/site.css">', "").replace("/hot/", "/hot4/")
    assert SuspectRenders(5, site).reason(_record("http://127.0.0.1:8000/e.html", own), "auto") is None
    # a dark link on the same page is no suspect, nor is a trusted host coloured white
    dark = HOME.replace("color:#FFF", "color:#333").replace("/hot/", "/hot5/")
    assert SuspectRenders(5, site).reason(_record("http://127.0.0.1:8000/f.html", dark), "auto") is None
    gov = HOME.replace("http://127.0.0.1:9/hot/", "http://www.gov.cn/")
    assert SuspectRenders(5, site).reason(_record("http://127.0.0.1:8000/g.html", gov), "auto") is None
