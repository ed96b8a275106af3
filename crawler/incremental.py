"""Incremental re-scans: conditional requests, unchanged pages reused, external verdicts shared.

A downloader middleware (``DOWNLOADER_MIDDLEWARES``, before the decompression at 590 so it sees the
inflated body) that the spider also consults:

- when the scan opens, it loads the validators (ETag, Last-Modified, content hash) of the site's previous
  complete or partial scan, and the fresh external link verdicts of the shared cache (``link_verdicts``,
  every site of the database, ``incremental.link_cache_hours``);
- page requests (not the homepage: its cloaking comparison needs the body) carry ``If-None-Match`` /
  ``If-Modified-Since``; a 304, or a 200 whose SHA-256 equals the stored one (a site that answers 200 to
  everything), marks the response ``xj_reuse``: the spider emits the stored record (facts, links) instead
  of parsing, the pipeline skips its page checks and keeps its page findings alive
  (:func:`xunjian.storage.incremental.touch_findings`); links are still followed and site checks run over
  the whole old + new set;
- ``incremental.revisit: lists`` (the default): an unchanged page is not re-emitted at all (:meth:`carries`):
  its links are not followed, so the articles an unchanged list leads to are not requested; after the crawl
  the previous scan's pages without a row in this scan are copied in bulk (:mod:`xunjian.storage.carry`).
  When the homepage answers, every column page of the previous scan is requested (conditionally), linked or
  not: new articles appear on changed lists, which are parsed and followed as in a full scan (their known
  articles conditionally, new URLs in full). ``revisit: all``: every known page is requested again
  (conditionally) and an unchanged one is re-emitted from its stored record, as before;
- external targets with a fresh cached verdict are not requested again (:meth:`cached`);
- when the crawl has stopped (after the last batch is stored), this scan's external verdicts go into the
  shared cache.

A full scan (nothing reused, nothing cached) runs when ``incremental.enabled`` is off, when the worker got
``--full`` (``XJ_FULL_SCAN``), when there is no previous scan, or when the last full scan is older than
``incremental.full_every_days`` (weekly by default, whatever the scheduler's cadence).
Stats: ``incremental/*``.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from scrapy import signals

from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from xunjian.records import LinkResult, PageRecord

logger = logging.getLogger(__name__)


class IncrementalScan:
    def __init__(self, crawler: Crawler):
        s = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_url = s.get("XJ_DATABASE_URL")
        self.scan_id = s.getint("XJ_SCAN_ID")
        self.enabled = s.getbool("XJ_INCREMENTAL", True) and not s.getbool("XJ_FULL_SCAN", False) and bool(self.db_url)
        self.cache_hours = s.getfloat("XJ_LINK_CACHE_HOURS", 24.0)
        self.full_every = s.getfloat("XJ_FULL_EVERY_DAYS", 7.0)
        ctx = s.get("XJ_CHECK_CONTEXT")
        self.site = getattr(ctx, "site", None)
        self.report = s.get("XJ_CRAWL_REPORT")
        self.revisit = s.get("XJ_REVISIT", "lists")
        self.coordinator = s.get("XJ_SPLIT_ROLE", "coordinator") == "coordinator"
        self.previous: dict[str, tuple[int, str | None, str | None, str | None]] = {}
        self.lists: list[tuple[str, int]] = []  # the previous scan's column pages: requested again, linked or not
        self.verdicts: dict[str, LinkResult] = {}
        self.homepage: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalScan:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        # after every spider_closed handler: the store pipeline writes its last batch of link results there
        crawler.signals.connect(mw.engine_stopped, signal=signals.engine_stopped)
        return mw

    # -- scan open / close ------------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        spider.incremental = self  # type: ignore[attr-defined]
        self.homepage = getattr(spider, "homepage", None)
        if not self.enabled or self.site is None:
            self.stats.set_value("incremental/mode", "full")
            return
        from xunjian.storage.db import session_scope
        from xunjian.storage.incremental import (cached_verdicts, last_full_scan_at, list_pages, previous_scan,
                                                 validators)

        with session_scope(self.db_url) as session:
            self.verdicts = cached_verdicts(session, self.cache_hours)
            prev = previous_scan(session, self.site.id, self.scan_id)
            last_full = last_full_scan_at(session, self.site.id)
            if prev is not None and last_full is not None and utcnow() - last_full < timedelta(days=self.full_every):
                self.previous = validators(session, prev.id)
                if self.revisit == "lists" and self.previous:
                    self.lists = list_pages(session, prev.id)
                    self.stats.set_value("incremental/carry_from", prev.id)  # scanning.carry_unchanged reads it
        self.stats.set_value("incremental/mode", "incremental" if self.previous else "full")
        self.stats.set_value("incremental/known_pages", len(self.previous))
        self.stats.set_value("incremental/cached_verdicts", len(self.verdicts))

    def engine_stopped(self) -> None:
        if self.site is None or not self.db_url:
            return
        from xunjian.storage.db import session_scope
        from xunjian.storage.incremental import store_verdicts

        site = self.site
        try:
            with session_scope(self.db_url) as session:
                stored = store_verdicts(session, self.scan_id, lambda url: not site.is_internal(url))
            self.stats.set_value("incremental/verdicts_stored", stored)
        except Exception:  # the cache is an optimisation: never fail a scan over it
            logger.exception("外部链接核验结果缓存写入失败")

    # -- requests and responses -------------------------------------------------------------------

    def _known(self, request: Request) -> tuple[int, str | None, str | None, str | None] | None:
        if "xj_depth" not in request.meta or request.meta.get("playwright") or request.url == self.homepage:
            return None
        return self.previous.get(request.meta.get("xj_target", request.url))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        known = self._known(request)
        if known is not None:
            _, etag, modified, _ = known
            if etag:
                request.headers.setdefault(b"If-None-Match", etag.encode("latin-1", "replace"))
            if modified:
                request.headers.setdefault(b"If-Modified-Since", modified.encode("latin-1", "replace"))
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if "xj_depth" not in request.meta:
            return response
        digest = hashlib.sha256(response.body).hexdigest() if response.status == 200 else None
        request.meta["xj_hash"] = digest
        if self.lists and request.meta["xj_depth"] == 0 and digest is not None and self.coordinator:
            self._request_lists()  # the site is up: list pages, where new articles appear
        known = self._known(request)
        if known is not None and (response.status == 304 or (digest is not None and digest == known[3])):
            request.meta["xj_reuse"] = known[0]
            self.stats.inc_value(f"incremental/unchanged/{'304' if response.status == 304 else 'hash'}")
        return response

    # -- for the spider ---------------------------------------------------------------------------

    def reuse(self, response: Response) -> PageRecord | None:
        """The stored record of an unchanged page (304 or same hash), ready to emit; None if gone."""
        page_id = response.meta.get("xj_reuse")
        if not page_id:
            return None
        from xunjian.storage.db import get_engine
        from xunjian.storage.incremental import stored_page

        with get_engine(self.db_url).connect() as conn:  # a pooled connection, no ORM session: ~1 ms a page
            record = stored_page(conn, page_id)
        if record is None:
            return None
        _, etag, modified, digest = self.previous[response.meta["xj_target"]]
        record.headers = {k: v for k, v in (("Etag", etag), ("Last-Modified", modified)) if v}
        record.content_hash, record.reused = digest, True
        record.depth = response.meta.get("xj_depth", record.depth)
        self.stats.inc_value("incremental/reused")
        return record

    def carries(self, response: Response) -> bool:
        """True (``revisit: lists``): the unchanged page is not re-emitted; the previous scan's page, links and
        findings are carried into this scan after the crawl (:mod:`xunjian.storage.carry`)."""
        if self.revisit != "lists":
            return False
        self.stats.inc_value("incremental/reused")
        if self.report is not None:
            self.report.unchanged.append(response.meta["xj_reuse"])  # a partial scan carries only these
        return True

    def _request_lists(self) -> None:
        """The homepage answered: request every column page of the previous scan (once, if not yet seen)."""
        pending, self.lists = self.lists, []
        spider = self.crawler.spider
        scheduled = 0
        for url, depth in pending:
            if spider._first_sight(url) and spider._take_page():  # type: ignore[union-attr]
                self.crawler.engine.crawl(spider._page_request(url, depth))  # type: ignore[union-attr]
                scheduled += 1
        self.stats.set_value("incremental/lists_requested", scheduled)

    def cached(self, url: str) -> LinkResult | None:
        """A fresh verdict on an external target from the shared cache (then it is not requested)."""
        result = self.verdicts.get(url)
        if result is not None:
            self.stats.inc_value("incremental/verdicts_from_cache")
        return result
