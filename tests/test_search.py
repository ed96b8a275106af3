"""FN002 units (search form facts, judging the results) and the probe rendering script-filled results in Chromium."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from xunjian.checks.base import CheckContext
from xunjian.checks.search import check_search, extract_search_form, results_list
from xunjian.records import PageRecord, PageSummary, ScanView, SiteInfo

SITE = SiteInfo(id="s", name="s", url="http://127.0.0.1/")
CTX = CheckContext(site=SITE, as_of=date(2026, 11, 22))


def home(body: str) -> PageRecord:
    return PageRecord(url=SITE.url, final_url=SITE.url, status=200, page_type="homepage",
                      html=f"<html><body>{body}</body></html>")


def test_search_form_facts_trs_hanweb_and_not_a_message_form():
    trs = extract_search_form(home("<form action='/was5/web/search' method='post'><input type='hidden' name='channelid'"
                                   " value='2'><input name='searchword'><input type='submit' value='搜索'></form>"), CTX)
    assert trs == {"search_form": {"action": "http://127.0.0.1/was5/web/search", "method": "post",
                                   "param": "searchword", "hidden": {"channelid": "2"}, "charset": "utf-8"}}
    hw = extract_search_form(home("<form id='searchform' action='/jsearch/search.do'><input name='qt'><button>搜索</button></form>"), CTX)
    assert hw["search_form"]["param"] == "qt"
    assert extract_search_form(home("<form><input name='title'><textarea name='c'></textarea></form>"), CTX) == {}


def view(probe: dict | None) -> ScanView:
    pages = [PageSummary(url="u", final_url="u", status=200, page_type="other", depth=1,
                         facts={"search_probe": probe} if probe else {})]
    return ScanView(site=SITE, pages=pages)


BASE = {"found": True, "status": 200, "query": "测试市召开冬季安全生产工作会议", "article": "http://127.0.0.1/a.html",
        "error": None}


@pytest.mark.parametrize("links,ok", [
    ([["测试市召开<冬季>安全生产工作会议", "http://127.0.0.1/x"]], True),   # highlighted, punctuation differs
    ([["更多", "http://127.0.0.1/a.html"]], True),                        # the article's own URL
    ([["测试市召开冬季安全生产工作会...", "http://127.0.0.1/x"]], True),    # truncated title
    ([["首页", "http://127.0.0.1/"], ["网站地图", "http://127.0.0.1/m"]], False),
    ([], False),
])
def test_results_list_the_article(links, ok):
    assert results_list({**BASE, "links": links}) is ok
    assert (list(check_search(view({**BASE, "links": links}), CTX)) == []) is ok


def test_errors_missing_search_and_not_probed():
    assert "HTTP 500" in next(iter(check_search(view({**BASE, "status": 500}), CTX))).message
    assert "未找到站内搜索" in next(iter(check_search(view({**BASE, "found": False}), CTX))).message
    assert list(check_search(view(None), CTX)) == []  # no article to look for: nothing said


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed (apt-get install -y chromium)")
def test_script_filled_results_are_rendered_and_found(sqlite_url, tmp_path, site_server):
    """render: auto — the results page fills its list from a JSON endpoint; the probe renders it: no FN002."""
    from crawl_helpers import findings, latest_scan, register, run_worker, worker_env, write_settings
    from test_interaction_e2e import SITES, _titles
    from xunjian.demo.server import send

    root = SITES / "trs"
    index = _titles(root)

    def page(h):
        q = parse_qs(urlsplit(h.path).query).get("q", [""])[0]
        body = ("<html><head><title>搜索</title></head><body><ul id='results' class='list'></ul><script>"
                f"fetch('/search.json?q=' + encodeURIComponent({json.dumps(q)})).then(r => r.json()).then(rows => {{"
                "document.getElementById('results').innerHTML = rows.map(r => `<li><a href='${r[1]}'>${r[0]}</a></li>`).join('');"
                "});</script></body></html>")
        send(h, 200, body.encode("utf-8"))

    def data(h):
        q = parse_qs(urlsplit(h.path).query).get("q", [""])[0]
        send(h, 200, json.dumps([[t, p] for t, p in index.items() if q and q in t]).encode(), ctype="application/json")

    server = site_server(root=root, routes={"/search": page, "/search.json": data})
    register(sqlite_url, tmp_path, "trs", server.url, render="auto")
    proc = run_worker("trs", worker_env(sqlite_url, write_settings(tmp_path)), timeout=240)
    assert proc.returncode == 0, proc.stderr
    assert latest_scan(sqlite_url, "trs").stats["search_probe/found"] == 1
    assert any(h.startswith("/search.json?q=") for h in server.hits), [h for h in server.hits if "search" in h]
    assert [f.evidence for f in findings(sqlite_url, "trs") if f.rule == "FN002"] == []


def test_gbk_site_queries_in_gbk():
    from xunjian.crawler.search_probe import _encode

    record = home("<form action='/s' accept-charset='gb2312'><input name='q'><input type='submit' value='搜索'></form>")
    form = extract_search_form(record, CTX)["search_form"]
    assert form["charset"] == "gb2312"
    assert _encode({"q": "通知"}, form["charset"]) == "q=%CD%A8%D6%AA"
    assert _encode({"q": "通知"}, "no-such-codec") == "q=%E9%80%9A%E7%9F%A5"
