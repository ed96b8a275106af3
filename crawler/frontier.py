"""The crawl frontier kept compact: pending page requests as small tuples, rebuilt when they are popped.

A breadth-first crawl holds a whole level of the site in Scrapy's scheduler before it fetches it: on a site
of 100,000 pages with ten links a page that is about 90,000 pending :class:`scrapy.Request` objects (each with
its headers, meta and callbacks, about 2 KB), the crawler's largest per-page cost. :class:`CompactFifoQueue`
(``SCHEDULER_MEMORY_QUEUE``) stores a plain page request of :class:`~xunjian.crawler.spider.SiteSpider`
(``_page_request``: GET, no body, only the page meta, at most a Referer header) as ``(url, depth, started,
priority, referer)`` and asks the spider to build the same request again when the scheduler pops it. Every
other request (link checks, renders, retries, redirects, anything a middleware changed) is kept as it is.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self

#: the meta of a page request as ``SiteSpider._page_request`` makes it (``depth`` also set by DepthMiddleware)
PAGE_META = frozenset({"depth", "xj_depth", "xj_target", "xj_max_body", "xj_html_only", "xj_started"})


def compact(spider: Any, request: Request) -> tuple | None:
    """``(url, depth, started, priority, referer)`` for a plain page request of ``spider``, else None."""
    meta = request.meta
    if (request.callback != getattr(spider, "parse_page", None) or request.errback != spider.page_failed
            or meta.keys() != PAGE_META or request.method != "GET" or request.body or request.flags
            or request.cookies or request.cb_kwargs or not request.dont_filter or meta["xj_target"] != request.url
            or meta["depth"] != meta["xj_depth"] or meta["xj_max_body"] != spider.max_body
            or meta["xj_html_only"] is not True or request.encoding != "utf-8"):
        return None
    headers = request.headers
    if headers and (len(headers) > 1 or b"Referer" not in headers or len(headers.getlist(b"Referer")) != 1):
        return None
    referer = headers.get(b"Referer") if headers else None
    return (request.url, meta["depth"], meta["xj_started"], request.priority, referer)


def expand(spider: Any, item: tuple) -> Request:
    """The page request again, as it was when it was queued."""
    url, depth, started, priority, referer = item
    request = spider._page_request(url, depth)
    request.meta["xj_started"] = started
    request.priority = priority
    if referer is not None:
        request.headers[b"Referer"] = referer
    return request


class CompactFifoQueue:
    """A FIFO memory queue for Scrapy's scheduler that keeps the site spider's page requests as tuples."""

    def __init__(self, crawler: Crawler | None = None):
        self.crawler = crawler
        self.items: deque[Any] = deque()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        return cls(crawler)

    def _spider(self) -> Any:
        spider = getattr(self.crawler, "spider", None)
        return spider if hasattr(spider, "_page_request") else None

    def push(self, request: Request) -> None:
        spider = self._spider()
        item = compact(spider, request) if spider is not None else None
        self.items.append(request if item is None else item)

    def _request(self, item: Any) -> Request:
        return expand(self._spider(), item) if isinstance(item, tuple) else item

    def pop(self) -> Request | None:
        return self._request(self.items.popleft()) if self.items else None

    def peek(self) -> Request | None:
        return self._request(self.items[0]) if self.items else None

    def close(self) -> None:
        self.items.clear()

    def __len__(self) -> int:
        return len(self.items)
