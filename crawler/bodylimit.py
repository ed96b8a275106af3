"""Stop downloads early: headers only for link checks, HTML only for pages, a byte cap for all.

Link verification must never download large bodies: a request whose ``meta["xj_max_body"]`` is 0
stops as soon as its headers arrive; with ``meta["xj_html_only"]`` a non-HTML answer (a PDF behind
a page link) stops at the headers too; any body stops at ``xj_max_body`` bytes and is marked
``download_stopped`` (the page record says it was truncated). Uses Scrapy's ``headers_received`` and
``bytes_received`` signals with ``StopDownload(fail=False)``. Stats: ``bodylimit/headers_only``,
``bodylimit/truncated``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import StopDownload

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from typing_extensions import Self


class BodyLimit:
    def __init__(self, stats=None):  # noqa: ANN001
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler.stats)
        crawler.signals.connect(ext.headers_received, signal=signals.headers_received)
        crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        return ext

    def headers_received(self, headers, body_length, request: Request, spider) -> None:  # noqa: ANN001
        limit = request.meta.get("xj_max_body")
        if limit is None:
            return
        ctype = (headers.get(b"Content-Type") or b"").lower()
        html = b"html" in ctype or not ctype
        if limit == 0 or (request.meta.get("xj_html_only") and not html) or request.method == "HEAD":
            if self.stats:
                self.stats.inc_value("bodylimit/headers_only")
            raise StopDownload(fail=False)

    def bytes_received(self, data: bytes, request: Request, spider) -> None:  # noqa: ANN001
        limit = request.meta.get("xj_max_body")
        if not limit:
            return
        received = request.meta.get("_xj_bytes", 0) + len(data)
        request.meta["_xj_bytes"] = received
        if received > limit:
            if self.stats:
                self.stats.inc_value("bodylimit/truncated")
            raise StopDownload(fail=False)
