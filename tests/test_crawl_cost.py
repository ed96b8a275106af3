"""What keeps the crawler's CPU per page low (benchmarks/crawl_bench.py): one item per page, after its requests;
no Scrapy pass that does nothing for a scan; no per-attribute hook on the stats; back-pressure from the checks."""

from __future__ import annotations

import gc

import scrapy
from scrapy.core.engine import ExecutionEngine
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from xunjian.config import Settings
from xunjian.crawler import heap
from xunjian.crawler.checkpool import MAX_PAGES_WAITING, CheckPipeline
from xunjian.crawler.items import LinkResultItem, PageItem
from xunjian.crawler.pipeline import CrawlReport, StorePipeline
from xunjian.crawler.settings import scrapy_settings
from xunjian.crawler.spider import URL_LENGTH_LIMIT, SiteSpider
from xunjian.crawler.stats import PlainStats
from xunjian.records import LinkRef, LinkResult, PageRecord, SiteInfo

SITE = SiteInfo(id="cost", name="成本站点", url="http://cost.example/")
PAGE = ("<html><head><title>栏目</title></head><body><h1>通知公告</h1><p>" + "正文内容。" * 80 + "</p>"
        '<a href="/a.html">一</a><a href="http://other.example/b.pdf">二</a></body></html>')


def _spider() -> SiteSpider:
    crawler = get_crawler(SiteSpider, {"STATS_CLASS": "xunjian.crawler.stats.PlainStats"})
    return SiteSpider.from_crawler(crawler, site=SITE)


def test_a_page_yields_its_requests_then_one_item_with_its_verdict():
    spider = _spider()
    spider._first_sight(spider.homepage)
    request = spider._page_request("http://cost.example/list.html", 1)
    response = HtmlResponse(request.url, body=PAGE.encode(), encoding="utf-8", request=request,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    out = list(spider.parse_page(response))
    assert [type(o) for o in out] == [scrapy.Request, scrapy.Request, PageItem]
    assert [o.url for o in out[:2]] == ["http://cost.example/a.html", "http://other.example/b.pdf"]
    page = out[-1]
    assert page.record.url == request.url and len(page.record.links) == 2
    assert (page.result.target, page.result.outcome, page.result.status) == (request.url, "ok", 200)


def test_the_store_keeps_the_verdict_a_page_carries():
    pipeline = StorePipeline("sqlite://", 1, "cost", 1000, CrawlReport(), PlainStats(get_crawler()))
    result = LinkResult(target="http://cost.example/x.html", outcome="broken", status=404, reason="HTTP 404")
    record = PageRecord(url=result.target, final_url=result.target, status=404)
    pipeline.process_item(PageItem(record, result=result))
    pipeline.process_item(LinkResultItem(LinkResult(target="http://other.example/", outcome="ok")))
    assert [p.url for p in pipeline.pages] == [result.target]
    assert [r.target for r in pipeline.results] == [result.target, "http://other.example/"]
    assert pipeline.stats.get_value("links/not_ok") == 1 and pipeline.stats.get_value("links/results") == 2


def test_an_overlong_link_is_not_checked_as_scrapy_would_not():
    spider = _spider()
    long_url = "http://other.example/" + "x" * URL_LENGTH_LIMIT
    assert spider.follow(LinkRef(url=long_url, kind="attachment", tag="a", internal=False), 0) is None
    assert spider.crawler.stats.get_value("urllength/request_ignored_count") == 1
    ok = spider.follow(LinkRef(url="http://other.example/y.pdf", kind="attachment", tag="a", internal=False), 0)
    assert isinstance(ok, scrapy.Request) and ok.method == "HEAD"


def test_scan_settings_drop_the_components_a_scan_does_not_use():
    values = scrapy_settings(Settings())
    assert values["STATS_CLASS"] == "xunjian.crawler.stats.PlainStats" and values["CONCURRENT_ITEMS"] == 1
    for off in ("scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
                "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware"):
        assert values["DOWNLOADER_MIDDLEWARES"][off] is None
    assert set(values["SPIDER_MIDDLEWARES"].values()) == {None}
    assert values["EXTENSIONS"]["scrapy.extensions.remote_control.RemoteControl"] is None  # runs code it is sent
    assert "scrapy.spidermiddlewares.depth.DepthMiddleware" not in values["SPIDER_MIDDLEWARES"]  # breadth first


def test_plain_stats_count_without_the_attribute_hook():
    stats = PlainStats(get_crawler())
    assert type(stats).__getattribute__ is object.__getattribute__
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.max_value("m", 3)
    stats.max_value("m", 1)
    stats.set_value("s", "x")
    assert stats.get_stats() == {"a": 3, "m": 3, "s": "x"} and stats.get_value("a") == 3


def test_the_crawl_pauses_while_too_many_pages_wait_for_their_checks():
    crawler = get_crawler(SiteSpider, {"ITEM_PIPELINES": {}})
    crawler.engine = ExecutionEngine(crawler, lambda _: None)
    pipeline = CheckPipeline(None, frozenset(), 0, CrawlReport(), crawler.stats)  # type: ignore[arg-type]
    pipeline.crawler = crawler
    pipeline._hold_crawl(MAX_PAGES_WAITING)
    assert not crawler.engine.paused
    pipeline._hold_crawl(MAX_PAGES_WAITING + 1)
    assert crawler.engine.paused
    pipeline._hold_crawl(MAX_PAGES_WAITING)
    assert not crawler.engine.paused and pipeline._waiting == MAX_PAGES_WAITING


def test_settle_hides_the_startup_heap_from_the_collector():
    threshold = gc.get_threshold()
    try:
        heap.settle()
        assert gc.get_freeze_count() > 1000 and gc.get_threshold() == (heap.YOUNG_OBJECTS, *threshold[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_challenge_markers_match_as_case_insensitively_as_before():
    from xunjian.crawler.verdict import is_challenge, linkcheck_rules

    before = linkcheck_rules()["_challenge"]  # the re.I pattern the lower-cased search replaces
    bodies = ["<script>var ACW_SC__V2='x'</script>", "<p>请开启javascript</p>", "hw_check", "<b>Hw_ChecK</b>",
              "__jsl_clearance", "__jſl_clearance", "HW_CHEC\u212a", "请开启JavaScr\u0130pt", "plain page", "$_TS=window"]
    for body in bodies:
        assert is_challenge(200, body) == bool(before.search(body)), body
    assert is_challenge(200, "__jſl_clearance") and is_challenge(200, "HW_CHEC\u212a") and not is_challenge(200, "plain")


def test_short_page_text_decides_long_pages_without_reading_their_text_twice():
    import lxml.html

    from xunjian.crawler.verdict import linkcheck_rules, short_page_text, visible_text

    limit = linkcheck_rules()["soft404_body_max_text"]
    pages = [f"<html><body><p>{'正文' * (limit // 2 + 50)}</p></body></html>",  # a little over: no second pass
             f"<html><body><p>{'字 ' * (limit // 3)}</p><script>{'x' * limit}</script></body></html>",
             f"<html><body><p>{'a' * (limit - 5)}</p><style>{'b' * 40}</style><noscript>{'c' * 9}</noscript></body></html>",
             f"<html><body>{'<i>a</i> ' * (limit // 2 + 3)}<script>{'y' * 30}</script></body></html>",
             "<html><body><h1>页面不存在</h1></body></html>"]
    for html in pages:
        tree = lxml.html.document_fromstring(html)
        text = visible_text(tree)
        assert short_page_text(tree) == (text if len(text) <= limit else ""), html[:60]
