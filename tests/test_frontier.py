"""The compact crawl frontier (crawler/frontier.py): pending page requests as tuples, rebuilt the same."""

from __future__ import annotations

import gc
import tracemalloc
from types import SimpleNamespace

from scrapy.settings import Settings

from xunjian.crawler.frontier import CompactFifoQueue, compact
from xunjian.crawler.spider import SiteSpider
from xunjian.records import SiteInfo

SITE = SiteInfo(id="fr", name="队列站点", url="http://fr.example/")


def _queue() -> tuple[SiteSpider, CompactFifoQueue]:
    spider = SiteSpider(site=SITE)
    crawler = SimpleNamespace(spider=spider, settings=Settings({"XJ_FRONTIER_MEMORY_ITEMS": 10_000}))
    return spider, CompactFifoQueue.from_crawler(crawler)  # type: ignore[arg-type]


def test_page_request_comes_back_the_same_in_fifo_order():
    spider, queue = _queue()
    first = spider._page_request("http://fr.example/a.html", 2)
    first.priority = -2
    first.headers[b"Referer"] = b"http://fr.example/"
    second = spider._page_request("http://fr.example/b.html", 3)
    for request in (first, second):
        queue.push(request)
    assert all(isinstance(item, tuple) for item in queue.items) and len(queue) == 2
    assert queue.peek().url == first.url
    back = queue.pop()
    assert (back.url, back.meta, back.priority, back.callback, back.errback) == (
        first.url, first.meta, -2, spider.parse_page, spider.page_failed)
    assert back.headers.getlist(b"Referer") == [b"http://fr.example/"] and back.dont_filter
    assert queue.pop().url == second.url and queue.pop() is None and len(queue) == 0


def test_other_requests_are_kept_as_they_are():
    spider, queue = _queue()
    check = spider._check_request("http://elsewhere.example/x.pdf")
    changed = spider._page_request("http://fr.example/c.html", 1)
    changed.meta["redirect_times"] = 1  # a middleware added to it: not a plain page request any more
    cookie = spider._page_request("http://fr.example/d.html", 1)
    cookie.cookies = {"sid": "1"}
    for request in (check, changed, cookie):
        assert compact(spider, request) is None
        queue.push(request)
    assert [queue.pop() for _ in range(3)] == [check, changed, cookie]  # the very objects


def _traced(build) -> tuple[int, object]:  # noqa: ANN001
    gc.collect()
    tracemalloc.start()
    kept = build()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return held, kept


def test_pending_pages_cost_a_fraction_of_requests():
    spider, queue = _queue()

    def queued() -> CompactFifoQueue:
        for i in range(2000):
            queue.push(spider._page_request(f"http://fr.example/p/{i}.html", 4))
        return queue

    as_requests, _ = _traced(lambda: [spider._page_request(f"http://fr.example/p/{i}.html", 4) for i in range(2000)])
    as_tuples, kept = _traced(queued)
    assert len(kept) == 2000 and all(isinstance(item, tuple) for item in queue.items)
    assert as_tuples * 3 < as_requests, (as_tuples, as_requests)  # measured: 586 KB vs 1.9 MB


def test_past_the_memory_bound_pending_pages_wait_on_disk_in_order():
    """A level of a huge site: beyond ``memory_items`` the tuples go to a temporary disk FIFO and come back in
    order; a request that is not a tuple, queued behind spilled ones, keeps its place; close removes the file."""
    import os

    spider = SiteSpider(site=SITE)
    queue = CompactFifoQueue(SimpleNamespace(spider=spider), memory_items=100)  # type: ignore[arg-type]
    urls = [f"http://fr.example/p/{i}.html" for i in range(1000)]
    check = spider._check_request("http://elsewhere.example/x.pdf")
    for i, url in enumerate(urls):
        queue.push(spider._page_request(url, 5))
        if i == 500:
            queue.push(check)
    assert len(queue.items) == 100 and queue.on_disk == 901 and len(queue) == 1001
    folder = queue.folder
    assert folder and os.path.isdir(folder)
    out, peak = [], 0
    for _ in range(400):  # pop part of the level, then more pages arrive behind the spilled ones
        out.append(queue.pop())
        peak = max(peak, len(queue.items))
    for i in range(1000, 1100):
        urls.append(f"http://fr.example/p/{i}.html")
        queue.push(spider._page_request(urls[-1], 5))
    while (request := queue.pop()) is not None:
        out.append(request)
        peak = max(peak, len(queue.items))
    assert out[501] is check and [r.url for r in out if r is not check] == urls
    assert all(r.meta["depth"] == 5 and r.callback == spider.parse_page for r in out if r is not check)
    assert peak <= 100 and len(queue) == 0
    queue.close()
    assert not os.path.exists(folder)
