"""Browser rendering (crawler/render.py): the decision as plain functions, and real scans with Chromium.

The end-to-end tests run the real worker (a subprocess, as in production) against local sites on
127.0.0.1 and read the SQLite database: a column filled by a script is stored rendered with its items
and is not blank (UP005); a page behind a JavaScript challenge is crawled as the real page; a link target
behind the challenge is re-checked in the browser and ends ok while one that always answers 403 stays
LK006; ``render: never`` never starts a browser; a missing Chromium gives one warning and the scan goes on.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml

from crawl_helpers import TEST_SETTINGS, findings, latest_scan, pages, register, results_by_target, run_worker, worker_env
from xunjian.config import RenderSettings
from xunjian.crawler.render import (
    MISSING_BROWSER,
    NavigationLog,
    is_challenge_page,
    needs_recheck,
    needs_render,
    render_settings,
    script_fed_list,
)
from xunjian.demo.server import WAF_CHALLENGE, send
from xunjian.records import PageRecord

FIXTURE = Path(__file__).parent / "fixtures" / "sites" / "render"
CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                                    reason=f"{CHROMIUM} not installed (apt-get install -y chromium fonts-noto-cjk)")

CHALLENGE = (b"<html><head><script>document.cookie='xj_pass=1;path=/';"
             b"setTimeout(function(){location.reload()},300);</script></head><body></body></html>")


def challenge_route(real_page: bytes):
    """A web application firewall: 412 and a script that sets a cookie and reloads; the page once the cookie is sent."""
    def route(h):
        if "xj_pass=1" in (h.headers.get("Cookie") or ""):
            send(h, 200, real_page)
        else:
            send(h, 412, CHALLENGE)
    return route


def page(html: str, status: int = 200, url: str = "http://example.gov.cn/a/") -> PageRecord:
    return PageRecord(url=url, final_url=url, status=status, content_type="text/html", html=html)


# -- the decision (no browser) -----------------------------------------------------------------------------

SCRIPT_FED = (FIXTURE / "gzdt" / "index.html").read_text(encoding="utf-8")
STATIC_LIST = "<html><body><ul class='list'><li><a href='/1.html'>一</a><span>2026-11-20</span></li></ul></body></html>"
AJAX_LIST = ("<html><body><div class='news-list'></div><script>$.ajax({url:'/api/list',success:function(d){"
             "$('.news-list').html(d)}})</script></body></html>")
EXTERNAL_SCRIPT = "<html><body><tbody id='dataList'></tbody><script src='/js/column-data.js'></script></body></html>"
LIBRARY_ONLY = "<html><body><ul class='list'></ul><script src='/js/jquery.min.js'></script></body></html>"


@pytest.mark.parametrize(("html", "expected"), [
    (SCRIPT_FED, True), (AJAX_LIST, True), (EXTERNAL_SCRIPT, True),
    (STATIC_LIST, False), (LIBRARY_ONLY, False), ("<html><body><p>正文</p></body></html>", False),
])
def test_script_fed_list(html, expected):
    assert (script_fed_list(lxml.html.document_fromstring(html)) is not None) is expected


def test_needs_render_by_mode():
    fed, plain = page(SCRIPT_FED), page(STATIC_LIST)
    assert needs_render(fed, "auto") == "script-fed list"
    assert needs_render(plain, "auto") is None
    assert needs_render(plain, "always") == "always"
    assert needs_render(fed, "never") is None
    fed.rendered = True
    assert needs_render(fed, "always") is None  # never twice


def test_needs_render_challenge_and_walls():
    assert needs_render(page(WAF_CHALLENGE.decode(), 412), "auto", "blocked") == "challenge page"
    assert needs_render(page(CHALLENGE.decode(), 202), "auto", "ok") == "challenge page"
    assert needs_render(page("<html><body>status 403</body></html>", 403), "auto", "blocked") == "blocked"
    assert needs_render(page("<html><body>status 404</body></html>", 404), "always", "broken") is None
    assert needs_render(page(WAF_CHALLENGE.decode(), 412), "never", "blocked") is None
    assert needs_recheck("blocked", "auto") and not needs_recheck("blocked", "never") and not needs_recheck("broken", "auto")


def test_challenge_page_needs_script_and_small_body():
    assert is_challenge_page(412, CHALLENGE.decode())
    assert is_challenge_page(200, WAF_CHALLENGE.decode())  # a known WAF marker, whatever the status
    assert not is_challenge_page(412, "<html><body>Precondition Failed</body></html>")
    assert not is_challenge_page(200, CHALLENGE.decode())  # no marker, not a challenge status
    big = "<html><script>x()</script><body>" + "很长的正文。" * 5000 + "</body></html>"
    assert not is_challenge_page(412, big)


def test_render_settings_install_the_handler_only_when_needed(tmp_path):
    on = render_settings(RenderSettings(executable_path=str(tmp_path / "chromium")), "never")
    assert on == {"RENDER_ENABLED": False, "RENDER_MODE": "never"}
    off = render_settings(RenderSettings(enabled=False, executable_path=CHROMIUM), "auto")
    assert not off["RENDER_ENABLED"] and "DOWNLOAD_HANDLERS" not in off and "RENDER_UNAVAILABLE" not in off
    missing = render_settings(RenderSettings(executable_path=str(tmp_path / "chromium")), "auto")
    assert not missing["RENDER_ENABLED"] and "DOWNLOAD_HANDLERS" not in missing
    assert "apt-get install -y chromium fonts-noto-cjk" in missing["RENDER_UNAVAILABLE"]


@pytest.mark.browser
@needs_chromium
def test_render_settings_with_chromium():
    values = render_settings(RenderSettings(max_pages_per_context=7, max_concurrent_pages=3), "auto")
    assert values["RENDER_ENABLED"] and values["RENDER_MODE"] == "auto"
    assert values["DOWNLOAD_HANDLERS"]["http"].endswith("ScrapyPlaywrightDownloadHandler")
    assert values["PLAYWRIGHT_LAUNCH_OPTIONS"]["executable_path"] == CHROMIUM
    assert values["RENDER_MAX_PAGES_PER_CONTEXT"] == 7 and values["PLAYWRIGHT_MAX_PAGES_PER_CONTEXT"] == 3


def test_navigation_log_skips_redirects():
    nav = NavigationLog()
    nav.add(412, "http://a/x")
    nav.add(302, "http://a/x")
    nav.add(200, "http://a/y")
    assert nav.last_status == 200 and len(nav.statuses) == 2


def test_middleware_is_off_without_the_browser():
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from xunjian.crawler.browser import RenderMiddleware

    with pytest.raises(NotConfigured):
        RenderMiddleware.from_crawler(get_crawler(settings_dict={"RENDER_ENABLED": False}))
    mw = RenderMiddleware.from_crawler(get_crawler(settings_dict={
        "RENDER_ENABLED": True, "RENDER_MAX_PAGES_PER_CONTEXT": 3, "RENDER_MAX_CONCURRENT_PAGES": 2, "RENDER_TIMEOUT": 30,
        "XJ_ALLOW_NETWORKS": ["127.0.0.1/32"]}))
    assert mw.max_pages_per_context == 3 and str(mw.allow[0]) == "127.0.0.1/32"


def test_contexts_rotate_and_drained_ones_close():
    """Every max_pages_per_context pages a new context name; an old context closes when its last page is done."""
    import asyncio

    from scrapy import Request
    from scrapy.http import HtmlResponse
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from xunjian.crawler.browser import RenderMiddleware

    class FakeContext:
        closed = 0

        async def close(self):
            self.closed += 1

    stats = MemoryStatsCollector(get_crawler())
    mw = RenderMiddleware(max_pages_per_context=2, max_concurrent_pages=10, timeout=30, stats=stats)

    async def scenario():
        reqs = [Request(f"http://127.0.0.1/{i}", meta={"playwright": True}) for i in range(5)]
        plain = Request("http://127.0.0.1/static")
        assert await mw.process_request(plain) is None and "playwright_context" not in plain.meta
        for r in reqs:
            await mw.process_request(r)
        names = [r.meta["playwright_context"] for r in reqs]
        assert names == ["xj-0", "xj-0", "xj-1", "xj-1", "xj-2"]
        contexts = {"xj-0": FakeContext(), "xj-1": FakeContext()}
        mw._contexts.update(contexts)
        await mw.process_response(reqs[0], HtmlResponse(reqs[0].url))
        assert contexts["xj-0"].closed == 0  # one of its pages is still rendering
        await mw.process_exception(reqs[1], RuntimeError("crash"))
        assert contexts["xj-0"].closed == 1 and "xj-0" not in mw._contexts
        for r in reqs[2:]:
            await mw.process_response(r, HtmlResponse(r.url))
        assert contexts["xj-1"].closed == 1
        assert mw._slots._value == 10  # every slot given back

    asyncio.run(scenario())
    assert stats.get_value("render/context_recycled") == 2 and stats.get_value("render/context_closed") == 2
    assert stats.get_value("render/pages") == 5


# -- end to end with the real worker -------------------------------------------------------------------------

def settings_file(tmp_path: Path, **render) -> Path:
    data = {"crawl": dict(TEST_SETTINGS["crawl"]), "render": {"timeout": 15, "max_pages_per_context": 2, **render}}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture
def render_site(tmp_path, site_server):
    """The fixture site (script-fed column, blank column, a page behind a challenge) linking to two
    external targets: one behind the same challenge, one that always answers 403. The script-fed column
    also calls a tracker on 127.0.0.2, outside the allow list of 127.0.0.1/32: the browser must refuse it."""
    tracker = site_server(routes={"/track": lambda h: send(h, 200, b"{}", ctype="application/json")})
    external = site_server(routes={
        "/gate.html": challenge_route(b"<html><head><title>OK</title></head><body><p>real page</p></body></html>"),
        "/deny.html": lambda h: send(h, 403, b"<html><body>Forbidden</body></html>"),
    })
    root = tmp_path / "site"
    shutil.copytree(FIXTURE, root)
    index = (root / "index.html").read_text(encoding="utf-8")
    extra = (f'<div class="links"><a href="{external.url}gate.html">友情链接一</a>'
             f'<a href="{external.url}deny.html">友情链接二</a></div>')
    (root / "index.html").write_text(index.replace("</body>", extra + "</body>"), encoding="utf-8")
    column = (root / "gzdt" / "index.html").read_text(encoding="utf-8")
    track = f'<script>fetch("http://127.0.0.2:{tracker.port}/track").catch(function(){{}});</script>'
    (root / "gzdt" / "index.html").write_text(column.replace("</body>", track + "</body>"), encoding="utf-8")
    real = ('<html><head><meta charset="utf-8"><title>安全通知_示例市渲染测试局</title></head><body>'
            '<h1>关于做好网络安全工作的通知</h1><p>各单位：请认真做好网络安全防护工作。</p>'
            '</body></html>').encode()
    site = site_server(root=root, routes={"/secure/notice.html": challenge_route(real)})
    return site, external


def _scan(sqlite_url, tmp_path, site, site_id, render, **settings):
    register(sqlite_url, tmp_path, site_id, site.url, render=render)
    env = worker_env(sqlite_url, settings_file(tmp_path, **settings), allow="127.0.0.1/32")
    proc = run_worker(site_id, env, timeout=90)
    assert proc.returncode == 0, proc.stderr
    scan = latest_scan(sqlite_url, site_id)
    assert scan.status == "complete", scan.message
    return proc, scan


def _stats(scan) -> dict:
    return scan.stats if isinstance(scan.stats, dict) else json.loads(scan.stats or "{}")


@pytest.mark.browser
@needs_chromium
def test_auto_renders_script_fed_column_and_passes_challenges(sqlite_url, tmp_path, render_site):
    site, external = render_site
    proc, scan = _scan(sqlite_url, tmp_path, site, "render", "auto")
    stored = pages(sqlite_url, scan.id)

    # (1) the column filled by a script is stored rendered, with its three items, and is not blank
    column = stored[site.url + "gzdt/"]
    assert column.rendered is True
    assert column.facts["list"]["items"] == 3 and column.facts["list"]["newest"] == "2026-11-20"
    # the items the script added were followed: the third article is only linked from the rendered list
    assert site.url + "gzdt/202611/t20261110_3.html" in stored
    up005 = {f.page for f in findings(sqlite_url, "render") if f.rule == "UP005"}
    assert site.url + "gzdt/" not in up005
    assert site.url + "tzgg/" in up005  # a genuinely blank static column still is
    assert stored[site.url].rendered is False and stored[site.url + "tzgg/"].rendered is False  # auto: only when needed

    # (2) the page behind the challenge is crawled as the real page
    notice = stored[site.url + "secure/notice.html"]
    assert (notice.status, notice.rendered) == (200, True)
    assert notice.title == "安全通知_示例市渲染测试局" and not notice.error
    res = results_by_target(sqlite_url, scan.id)
    assert res[site.url + "secure/notice.html"].outcome == "ok"

    # (3) a link target behind the challenge is re-checked in the browser and ends ok; a 403 stays LK006
    gate, deny = res[external.url + "gate.html"], res[external.url + "deny.html"]
    assert (gate.outcome, gate.status) == ("ok", 200) and "浏览器复查" in gate.reason
    assert (deny.outcome, deny.status) == ("blocked", 403) and "浏览器复查后仍被拦截" in deny.reason
    lk006 = {f.target for f in findings(sqlite_url, "render") if f.rule == "LK006"}
    assert external.url + "deny.html" in lk006 and external.url + "gate.html" not in lk006

    stats = _stats(scan)
    assert stats["render/requested/script-fed list"] == 1 and stats["render/requested/challenge page"] == 1
    assert stats["render/requested/link recheck"] == 2
    assert stats.get("playwright/browser_count") == 1
    assert stats["render/aborted/image"] >= 1  # heavy resources are not downloaded by the browser
    # the private-network guard applies inside the page: the tracker on 127.0.0.2 was refused
    assert stats["netguard/refused_in_browser"] >= 1
    assert "未找到 Chromium" not in proc.stderr


@pytest.mark.browser
@needs_chromium
def test_contexts_are_recycled(sqlite_url, tmp_path, render_site):
    """render: always renders every usable page; with 2 pages per context the old contexts are closed."""
    site, _ = render_site
    _, scan = _scan(sqlite_url, tmp_path, site, "always", "always", max_pages_per_context=2)
    stored = pages(sqlite_url, scan.id)
    html_pages = [p for p in stored.values() if p.status == 200]
    assert len(html_pages) >= 7 and all(p.rendered for p in html_pages)
    stats = _stats(scan)
    rendered = stats["render/pages"]
    assert rendered >= 9  # 7 pages, 2 link re-checks
    assert stats["render/context_recycled"] == (rendered - 1) // 2
    assert stats["render/context_closed"] >= stats["render/context_recycled"] - 1
    assert stats["playwright/page_count/max_concurrent"] <= 2


def test_never_starts_no_browser(sqlite_url, tmp_path, render_site):
    site, external = render_site
    proc, scan = _scan(sqlite_url, tmp_path, site, "never", "never")
    stored = pages(sqlite_url, scan.id)
    assert not any(p.rendered for p in stored.values())
    assert stored[site.url + "gzdt/"].facts["list"]["script_fed"] is True
    assert stored[site.url + "secure/notice.html"].status == 412
    stats = _stats(scan)
    assert not [k for k in stats if k.startswith(("playwright/", "render/"))]
    res = results_by_target(sqlite_url, scan.id)
    assert res[external.url + "gate.html"].outcome == "blocked"
    # the script-fed column is not judged blank without rendering (the columns helper skips it)
    assert site.url + "gzdt/" not in {f.page for f in findings(sqlite_url, "never") if f.rule == "UP005"}


def test_missing_chromium_warns_once_and_scans(sqlite_url, tmp_path, render_site):
    site, _ = render_site
    proc, scan = _scan(sqlite_url, tmp_path, site, "nochrome", "auto", executable_path=str(tmp_path / "no-chromium"))
    assert proc.stderr.count("apt-get install -y chromium fonts-noto-cjk") == 1, proc.stderr
    assert MISSING_BROWSER.split("(")[0] in proc.stderr
    stored = pages(sqlite_url, scan.id)
    assert stored[site.url + "gzdt/"].rendered is False and len(stored) >= 5
    assert _stats(scan)["render/unavailable"] == 1
