"""RetryAfter: a 429 (or 503) answer that says when to come back is asked again after that wait, once.

Government sites behind rate limiters answer a burst of link checks with ``429 Too Many Requests`` and a
``Retry-After`` header (seconds or an HTTP date, RFC 9110 §10.2.3). Judging the first answer calls a working
link "blocked"; a browser user would simply see the page a moment later. This downloader middleware (like
Scrapy's ``RetryMiddleware``, which leaves 429 alone here) waits the announced time without holding a download
slot and sends the request again, at most ``XJ_RETRY_AFTER_TIMES`` times and only when the wait is at most
``XJ_RETRY_AFTER_MAX`` seconds (settings.yaml ``links.retry_after_max``); then the answer is judged as it is
(a 429 that persists stays ``blocked``, LK006). Setting: ``DOWNLOADER_MIDDLEWARES``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

logger = logging.getLogger(__name__)
RETRY_AFTER_STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait a Retry-After header asks for, in seconds (never negative), or None when absent/unreadable."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfter:
    def __init__(self, crawler: Crawler, max_wait: float, times: int):
        self.crawler = crawler
        self.max_wait = max_wait
        self.times = times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        return cls(crawler, s.getfloat("XJ_RETRY_AFTER_MAX", 30.0), s.getint("XJ_RETRY_AFTER_TIMES", 1))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if response.status not in RETRY_AFTER_STATUSES or request.meta.get("playwright"):
            return response
        tries = request.meta.get("xj_retry_after", 0)
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        stats = self.crawler.stats
        if wait is None or tries >= self.times:
            return response
        if wait > self.max_wait:
            stats.inc_value("links/retry_after_too_long")
            return response
        stats.inc_value("links/retry_after")
        logger.debug("HTTP %s, Retry-After %.1f s: %s", response.status, wait, request.url)
        await asyncio.sleep(wait)
        retry = request.replace(dont_filter=True)
        retry.meta["xj_retry_after"] = tries + 1
        retry.priority = request.priority + 1
        return retry
