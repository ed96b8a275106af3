"""ScanPipeline: page checks on each PageRecord, batched storage, site checks when the crawl ends.

``open_spider`` needs nothing but settings; items are buffered and written in short transactions
(every ``XJ_BATCH_SIZE`` rows or 2 seconds). When the spider closes, the pipeline writes what is
left, runs the site checks over the scan (links, columns, freshness, footer coverage), merges the
findings, and finishes the scan: ``complete`` when the crawl finished, ``interrupted`` when it was
stopped (SIGINT/SIGTERM), ``failed`` when the homepage could not be fetched. Only a complete scan
resolves findings it no longer sees.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals

from xunjian import checks
from xunjian.crawler.budget import partial_message
from xunjian.crawler.checkpool import CheckPool
from xunjian.crawler.items import CloakItem, LinkResultItem, PageItem
from xunjian.records import PageSummary, ScanView
from xunjian.storage import scans as store
from xunjian.storage.db import session_scope
from xunjian.storage.findings import merge_findings, resolve_unseen
from xunjian.storage.incremental import touch_findings
from xunjian.storage.locks import release_site_lock

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord

logger = logging.getLogger(__name__)
FLUSH_SECONDS = 2.0
#: Pages handed to the check process and not yet answered. When the checks are slower than the crawl,
#: this is the back-pressure that keeps the crawl from queuing every page's HTML in memory.
MAX_PAGES_IN_CHECKS = 64
LINK_FAMILY_ONLY = ("xunjian.checks.links",)


class ScanPipeline:
    def __init__(self, crawler: Crawler, db_url: str, scan_id: int, ctx: CheckContext, batch_size: int,
                 disabled: frozenset[str], processes: int = 1):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_url = db_url
        self.scan_id = scan_id
        self.ctx = ctx
        self.batch_size = batch_size
        self.disabled = disabled
        self.pages: list[PageRecord] = []
        self.results: list = []
        self.findings: list[Finding] = []
        self.summaries: list[PageSummary] = []
        self.homepage_ok = False
        self.last_flush = time.monotonic()
        self.errors: dict[str, int] = {}
        self.settings_obj = crawler.settings.get("XJ_SETTINGS")
        self.pool = CheckPool(ctx, disabled, processes)
        self._in_checks: asyncio.Semaphore | None = None
        self.reused_findings: list[str] = []  # fingerprints of the page findings of unchanged pages

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        pipeline = cls(crawler, s["XJ_DATABASE_URL"], s.getint("XJ_SCAN_ID"), s["XJ_CHECK_CONTEXT"],
                       s.getint("XJ_BATCH_SIZE", 500), frozenset(s.getlist("XJ_DISABLED_RULES")),
                       s.getint("XJ_CHECK_PROCESSES", 1))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    # -- per item ---------------------------------------------------------------------------------

    def _run(self, fn: Any, *args: Any) -> Any:
        """Run one check; a crashing check is counted and logged once, never fatal to the scan."""
        try:
            return fn(*args)
        except Exception as exc:
            self._check_error(f"{fn.__module__}.{fn.__name__}", repr(exc), exc_info=True)
            return None

    def _check_error(self, name: str, detail: str, exc_info: bool = False) -> None:
        """Count a crashing check; log only its first error (the stats keep the count)."""
        self.errors[name] = self.errors.get(name, 0) + 1
        self.stats.inc_value(f"checks/errors/{name}")
        if self.errors[name] == 1:
            logger.error("检查 %s 出错 (同类错误只记录一次): %s", name, detail, exc_info=exc_info)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, LinkResultItem):
            self.results.append(item.result)
            self.stats.inc_value("links/results")
            if item.result.outcome not in ("ok", "skipped"):
                self.stats.inc_value("links/not_ok")
        elif isinstance(item, PageItem):
            await self._page(item.record)
        elif isinstance(item, CloakItem):
            await self._cloaking(item)
        if len(self.pages) + len(self.results) >= self.batch_size or time.monotonic() - self.last_flush > FLUSH_SECONDS:
            self.flush()
        return item

    async def _cloaking(self, item: CloakItem) -> None:
        from xunjian.crawler.checkpool import cloaking

        found = None
        future = self.pool.submit_cloaking(item.browser_html, item.spider_html, item.url)
        if future is not None:
            try:
                found = await asyncio.wrap_future(future)
            except Exception:
                logger.exception("对比搜索引擎视图出错")
        if found is None and future is None:  # no check process: compare here
            found = self._run(cloaking, item.browser_html, item.spider_html, item.url, self.ctx)
        self.findings.extend(f for f in found or [] if f.rule not in self.disabled)
        self.stats.set_value("cloaking/checked", 1)

    async def _checks(self, record: PageRecord) -> tuple[dict, list[Finding], dict[str, str], str]:
        if self._in_checks is None:
            self._in_checks = asyncio.Semaphore(MAX_PAGES_IN_CHECKS)
        async with self._in_checks:
            light = dataclasses.replace(record, links=[], facts=dict(record.facts))  # no parsed tree, no links
            future = self.pool.submit(light)
            if future is not None:
                try:
                    return await asyncio.wrap_future(future)
                except Exception:  # the child died (BrokenProcessPool): check in this process from now on
                    if not self.pool.aborted:  # aborted: killed on purpose by StopGuard, pages stored unchecked
                        logger.exception("检查子进程出错，改为在抓取进程内检查")
                    self.pool.executor = None
            return self.pool.run_inline(record)

    async def _page(self, record: PageRecord) -> None:
        checkable = bool(record.html) and not record.error and 200 <= record.status < 300 and not record.reused
        if record.page_type == "homepage" and checkable:
            self.homepage_ok = True
        if record.reused:  # unchanged page: its stored facts stand, its page findings are seen again
            self.reused_findings.extend(record.facts.get("page_findings", []))
        record.__dict__.pop("tree", None)  # the spider is done with the parsed tree
        if checkable:
            facts, findings, errors, record.page_type = await self._checks(record)
            record.facts = facts
            self.findings.extend(findings)
            for name, error in errors.items():
                self._check_error(name, error)
        self.summaries.append(PageSummary(
            url=record.url, final_url=record.final_url, status=record.status, page_type=record.page_type,
            depth=record.depth, title=record.title, rendered=record.rendered, facts=record.facts,
        ))
        record.html = ""  # the text is no longer needed; keep memory flat
        self.pages.append(record)
        self.stats.inc_value("pages/stored")

    def flush(self) -> None:
        pages, results, findings, reused = self.pages, self.results, self.findings, self.reused_findings
        self.pages, self.results, self.findings, self.reused_findings = [], [], [], []
        self.last_flush = time.monotonic()
        if not (pages or results or findings):
            return
        with session_scope(self.db_url) as session:
            touch_findings(session, self.ctx.site.id, reused, self.scan_id)
            ids = store.insert_pages(session, self.scan_id, pages)
            store.insert_links(session, self.scan_id, [(ids[p.url], link) for p in pages if p.url in ids for link in p.links])
            store.insert_link_results(session, self.scan_id, results)
            merge_findings(session, self.ctx.site.id, findings, self.scan_id)
            store.add_counts(session, self.scan_id, pages_count=len(pages),
                             links_count=sum(len(p.links) for p in pages), targets_checked=len(results),
                             errors_count=sum(1 for r in results if r.outcome not in ("ok", "skipped")))

    # -- end of crawl -----------------------------------------------------------------------------

    def _site_findings(self, view: ScanView, complete: bool) -> list[Finding]:
        out: list[Finding] = []
        if complete:
            discover = getattr(checks.family("columns"), "discover_columns", None)
            if discover is not None:
                view.columns = self._run(discover, view, self.ctx) or []
        for check in checks.site_checks():
            if not complete and check.__module__ not in LINK_FAMILY_ONLY:
                continue
            out.extend(f for f in self._run(lambda c=check: list(c(view, self.ctx))) or () if f.rule not in self.disabled)
        return out

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.pool.close()
        self.flush()
        complete = reason == "finished"
        status, message = ("complete", None) if complete else ("interrupted", f"扫描被中断 ({reason})，已保存已抓取的数据")
        if complete and self.stats.get_value("budget/pages_not_crawled"):
            status, message = "partial", partial_message(self.stats)
        if not self.homepage_ok:
            home = next((p for p in self.summaries if p.page_type == "homepage"), None)
            status = "failed"
            message = f"首页无法访问: {self.stats.get_value('xj/homepage_error') or (f'HTTP {home.status}' if home else '无响应')}"
        with session_scope(self.db_url) as session:
            view = ScanView(site=self.ctx.site, pages=self.summaries, bad_links=store.bad_links(session, self.scan_id))
        findings = self._site_findings(view, complete and status in ("complete", "partial")) if status != "failed" else []
        stats = {k: v for k, v in self.stats.get_stats().items() if isinstance(v, (int, float, str))}
        stats["check_errors"] = self.errors
        with session_scope(self.db_url) as session:
            merge_findings(session, self.ctx.site.id, findings, self.scan_id)
            store.insert_columns(session, self.scan_id, self.ctx.site.id, view.columns)
            scan = store.finish_scan(session, self.scan_id, status, message, stats)
            scan.findings_count = _count_scan_findings(session, self.ctx.site.id, self.scan_id)
            resolve_unseen(session, self.ctx.site.id, scan)
            _record_score(session, self.ctx.site.id, scan, self.settings_obj)
            release_site_lock(session, self.ctx.site.id, self.scan_id)
        self.stats.set_value("xj/scan_status", status)


def _count_scan_findings(session: Any, site_id: str, scan_id: int) -> int:
    from sqlalchemy import func, select

    from xunjian.storage.models import Finding as Row

    return session.scalar(select(func.count()).where(Row.site_id == site_id, Row.last_scan_id == scan_id)) or 0


def _record_score(session: Any, site_id: str, scan: Any, settings: Any) -> None:
    """Score the complete scan (in a savepoint: a scoring bug never loses the scan)."""
    if scan.status != "complete" or settings is None:
        return
    try:
        from xunjian.scoring import record_score
    except ImportError:
        return
    try:
        with session.begin_nested():
            record_score(session, site_id, scan.id, settings)
    except Exception:
        logger.exception("评分失败 (扫描数据已保存)")
