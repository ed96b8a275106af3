"""StorePipeline: buffer the crawl's records and store them in short transactions; nothing else.

Items arrive after the page checks (:class:`~xunjian.crawler.checkpool.CheckPipeline`). Pages, their
links, link results and the page findings are written every ``XJ_BATCH_SIZE`` rows or 2 seconds.
When the spider closes, the pipeline writes what is left and fills the scan's :class:`CrawlReport`
(why the crawl ended, the homepage's status, the Scrapy stats). It keeps nothing per page: the site checks
read the stored pages back from the database (:class:`xunjian.storage.summaries.StoredPages`). Everything after
the crawl — column discovery, site checks, finding lifecycle, score, alerts, scan status and lock —
is done by :mod:`xunjian.scanning`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy import signals

from xunjian.crawler.items import CloakItem, LinkResultItem, PageItem
from xunjian.storage import scans as store
from xunjian.storage.db import session_scope
from xunjian.storage.findings import merge_findings
from xunjian.storage.incremental import touch_findings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from xunjian.checks.base import Finding
    from xunjian.records import LinkResult, PageRecord

FLUSH_SECONDS = 2.0


@dataclass
class CrawlReport:
    """What the crawl hands to the scan's later phases (filled as the crawl goes, closed by the pipeline)."""

    reason: str | None = None  # Scrapy's close reason ("finished", "shutdown"...); None: never closed
    homepage_ok: bool = False  # the homepage answered 2xx with content
    homepage_status: int | None = None  # the first homepage record's HTTP status (None: never answered)
    check_errors: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    unchanged: list[int] = field(default_factory=list)  # incremental: previous page ids found unchanged (carried)

    def __deepcopy__(self, memo: dict) -> CrawlReport:
        return self  # Scrapy deep-copies its settings per crawler; the scan must get this very object back


class StorePipeline:
    def __init__(self, db_url: str, scan_id: int, site_id: str, batch_size: int, report: CrawlReport,
                 stats: Any):
        self.db_url = db_url
        self.scan_id = scan_id
        self.site_id = site_id
        self.batch_size = batch_size
        self.report = report
        self.stats = stats
        self.pages: list[PageRecord] = []
        self.results: list = []
        self.findings: list[Finding] = []
        self.reused_findings: list[str] = []  # fingerprints of the page findings of unchanged pages
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        pipeline = cls(s["XJ_DATABASE_URL"], s.getint("XJ_SCAN_ID"), s["XJ_CHECK_CONTEXT"].site.id,
                       s.getint("XJ_BATCH_SIZE"), s["XJ_CRAWL_REPORT"], crawler.stats)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, LinkResultItem):
            self._result(item.result)
        elif isinstance(item, PageItem):
            if item.result is not None:
                self._result(item.result)
            self._page(item.record)
            self.findings.extend(item.findings)
        elif isinstance(item, CloakItem):
            self.findings.extend(item.findings)
        if len(self.pages) + len(self.results) >= self.batch_size or time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self.flush()
        return item

    def _result(self, result: LinkResult) -> None:
        self.results.append(result)
        self.stats.inc_value("links/results")
        if result.outcome not in ("ok", "skipped"):
            self.stats.inc_value("links/not_ok")

    def _page(self, record: PageRecord) -> None:
        if record.page_type == "homepage":
            if self.report.homepage_status is None:
                self.report.homepage_status = record.status
            if record.html and not record.error and 200 <= record.status < 300:
                self.report.homepage_ok = True
        if record.reused:  # unchanged page (304 or same hash): its stored facts stand, its findings are seen again
            self.reused_findings.extend(record.facts.get("page_findings", []))
        record.html = ""  # the text is no longer needed; keep memory flat
        self.pages.append(record)
        self.stats.inc_value("pages/stored")

    def flush(self) -> None:
        pages, results, findings, reused = self.pages, self.results, self.findings, self.reused_findings
        self.pages, self.results, self.findings, self.reused_findings = [], [], [], []
        self.last_flush = time.monotonic()
        if not (pages or results or findings or reused):
            return
        with session_scope(self.db_url) as session:
            touch_findings(session, self.site_id, reused, self.scan_id)
            ids = store.insert_pages(session, self.scan_id, pages)
            store.insert_links(session, self.scan_id, [(ids[p.url], link) for p in pages if p.url in ids for link in p.links])
            store.insert_link_results(session, self.scan_id, results)
            merge_findings(session, self.site_id, findings, self.scan_id)
            store.add_counts(session, self.scan_id, pages_count=len(pages),
                             links_count=sum(len(p.links) for p in pages), targets_checked=len(results),
                             errors_count=sum(1 for r in results if r.outcome not in ("ok", "skipped")))

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.flush()
        self.report.reason = reason
        self.report.stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, (int, float, str))}
