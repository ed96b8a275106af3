"""The crawl frontier kept compact: pending page requests as small tuples, rebuilt when they are popped.

A breadth-first crawl holds a whole level of the site in Scrapy's scheduler before it fetches it: on a site
of 100,000 pages with ten links a page that is about 90,000 pending :class:`scrapy.Request` objects (each with
its headers, meta and callbacks, about 2 KB), the crawler's largest per-page cost. :class:`CompactFifoQueue`
(``SCHEDULER_MEMORY_QUEUE``) stores a plain page request of :class:`~xunjian.crawler.spider.SiteSpider`
(``_page_request``: GET, no body, only the page meta, at most a Referer header) as ``(url, depth, started,
priority, referer)`` and asks the spider to build the same request again when the scheduler pops it. Every
other request (link checks, renders, retries, redirects, anything a middleware changed) is kept as it is.

Beyond ``XJ_FRONTIER_MEMORY_ITEMS`` (``bounds.frontier_memory_items``) queued entries, the tuples go to a
disk FIFO (``queuelib.FifoDiskQueue`` in a temporary folder, removed when the queue closes), so a level of
90,000 pending pages costs a few MB of disk instead of ~25 MB of the crawler's memory; they come back in
order, a batch at a time. A request that cannot be a tuple, queued behind spilled ones, keeps its place
through a numbered stand-in on disk.
"""

from __future__ import annotations

import marshal
import shutil
import tempfile
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
    """A FIFO memory queue for Scrapy's scheduler that keeps the site spider's page requests as tuples, and
    spills them to disk past ``memory_items``."""

    def __init__(self, crawler: Crawler | None = None, memory_items: int = 10_000):
        self.crawler = crawler
        self.memory_items = memory_items
        self.items: deque[Any] = deque()
        self.disk: Any = None  # queuelib.FifoDiskQueue once the memory part is full
        self.folder: str | None = None
        self.on_disk = 0
        self.held: dict[int, Any] = {}  # requests queued behind spilled tuples, by their stand-in's number
        self.next_held = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        return cls(crawler, crawler.settings.getint("XJ_FRONTIER_MEMORY_ITEMS", 10_000))

    def _spider(self) -> Any:
        spider = getattr(self.crawler, "spider", None)
        return spider if hasattr(spider, "_page_request") else None

    def push(self, request: Request) -> None:
        spider = self._spider()
        item = compact(spider, request) if spider is not None else None
        if not self.on_disk and len(self.items) < self.memory_items:
            self.items.append(request if item is None else item)
            return
        if item is None:  # keeps its place in the order through a stand-in
            item, self.held[self.next_held] = ("held", self.next_held), request  # 2 items: not a page tuple
            self.next_held += 1
        self._disk().push(marshal.dumps(item))
        self.on_disk += 1

    def _disk(self) -> Any:
        if self.disk is None:
            from queuelib import FifoDiskQueue

            self.folder = tempfile.mkdtemp(prefix="xunjian-frontier-")
            self.disk = FifoDiskQueue(f"{self.folder}/queue", chunksize=50_000)
        return self.disk

    def _refill(self) -> None:
        """The next batch of spilled entries back into memory, in order."""
        while self.on_disk and len(self.items) < max(1, self.memory_items // 2):
            item = marshal.loads(self.disk.pop())
            self.on_disk -= 1
            self.items.append(self.held.pop(item[1]) if len(item) == 2 else item)

    def _request(self, item: Any) -> Request:
        return expand(self._spider(), item) if isinstance(item, tuple) else item

    def pop(self) -> Request | None:
        if not self.items:
            self._refill()
        return self._request(self.items.popleft()) if self.items else None

    def peek(self) -> Request | None:
        if not self.items:
            self._refill()
        return self._request(self.items[0]) if self.items else None

    def close(self) -> None:
        self.items.clear()
        self.held.clear()
        if self.disk is not None:
            self.disk.close()
            self.disk, self.on_disk = None, 0
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __len__(self) -> int:
        return len(self.items) + self.on_disk
