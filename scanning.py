"""One scan of one site, phase by phase: the one scan path behind ``xunjian scan``, the scheduler's
scan job and ``xunjian demo`` (all three start ``python -m xunjian.worker``, see :mod:`xunjian.worker`,
which calls :func:`run_scan`).

The phases, in order; each takes the scan's :class:`ScanRun` and adds to it:

1. **start** (:func:`start_scan`) — the ``scans`` row and the site lock, in one transaction
   (:class:`ScanRefused`: unknown site, or locked by another running scan); the :class:`CheckContext`
   with the scan's typed :class:`~xunjian.checks.base.CheckOptions`.
2. **crawl** (:func:`crawl`) — Scrapy in this process. Two item pipelines: the *page checks*
   (:class:`~xunjian.crawler.checkpool.CheckPipeline`: extractors, page type and every family's
   ``PAGE_CHECKS`` in the check process, as pages arrive) and the store
   (:class:`~xunjian.crawler.pipeline.StorePipeline`: pages, links, link results and page findings in
   batches). The crawl's verdict: ``complete`` (finished), ``interrupted`` (SIGINT/SIGTERM, data kept),
   ``failed`` (homepage unreachable, or the crawl crashed). A crawl split across processes
   (``crawl.split_redis_url``, prototype) then gathers its helpers' pages (:func:`gather_split`).
   An incremental scan then copies in the previous scan's leaf pages it did not request
   (:func:`carry_unchanged`, :mod:`xunjian.storage.carry`), so every later phase sees the whole site.
3. **columns** (:func:`discover_columns`) — the ``columns`` family's ``discover_columns`` over the
   stored page summaries, read back from the database in chunks (statuses in :data:`WHOLE_SITE` only).
4. **site checks** (:func:`site_checks`) — every family's ``SITE_CHECKS`` (the registry in
   :mod:`xunjian.checks`) over the :class:`~xunjian.records.ScanView`; a scan that saw only part of the
   site runs only the families in :data:`PART_OF_SITE_FAMILIES`.
5. **findings** (:func:`record_findings`) — site findings merged, columns stored, the scan's status,
   message and stats written, its findings counted, and (whole-site scans) findings it no longer saw
   resolved. The status is written here because the score and the alerts read "the latest complete scan".
6. **score** (:func:`score`) — a score row for a whole-site scan (a scoring bug never loses the scan).
7. **alerts** (:func:`send_alerts`) — :func:`xunjian.alerts.process_site` for statuses in
   :data:`ALERT_STATUSES`, whoever started the scan.
8. **finish** (:func:`finish`) — the site lock released; a scan a phase left ``running`` (crash, forced
   stop) is marked ``failed`` or ``interrupted`` first. Always runs.

Adding to a scan: a new site check goes into its family's ``SITE_CHECKS`` (nothing here changes); a new
scan status that saw only part of the site (e.g. ``partial``, page budget reached) is decided in
:func:`crawl_verdict` and, if its data should be scored, added to :data:`WHOLE_SITE`; a new phase is one
function ``(ScanRun) -> None`` in :data:`AFTER_CRAWL`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from xunjian import checks
from xunjian.checks import lexcache
from xunjian.checks.base import CheckContext, CheckOptions
from xunjian.crawler.budget import PARTIAL, partial_message
from xunjian.crawler.pipeline import CrawlReport
from xunjian.records import ScanView
from xunjian.storage import scans as store
from xunjian.storage.db import session_scope
from xunjian.storage.findings import merge_findings, resolve_unseen
from xunjian.storage.locks import acquire_site_lock, lock_holder, release_site_lock
from xunjian.storage.models import Finding as FindingRow, Ignore, Scan
from xunjian.storage.registry import get_site, site_info
from xunjian.storage.summaries import StoredPages

if TYPE_CHECKING:
    from xunjian.checks.base import Finding
    from xunjian.config import Settings

logger = logging.getLogger(__name__)

EXIT_COMPLETE, EXIT_FAILED, EXIT_UNKNOWN_SITE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 5, 9, 130
#: Statuses whose scan saw the whole site: columns discovered, every site check, unseen findings resolved, scored.
WHOLE_SITE = frozenset({"complete"})
#: Site-check families whose findings still hold on part of a site (an interrupted scan's broken links).
#: Footer and label problems are template problems: a template seen is judged, wherever the crawl stopped.
PART_OF_SITE_FAMILIES = ("xunjian.checks.links", "xunjian.checks.footer", "xunjian.checks.labels")
#: Statuses after which the site's alerts are evaluated (as the scheduler always did).
ALERT_STATUSES = frozenset({"complete", "failed"})


class ScanRefused(Exception):
    """The scan cannot start (unknown site, or locked by another running scan); ``code`` is the exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


@dataclass
class ScanOutcome:
    scan_id: int
    status: str
    message: str | None
    pages: int
    targets: int
    findings: int
    alerts: int = 0

    @property
    def exit_code(self) -> int:
        return {"complete": EXIT_COMPLETE, "partial": EXIT_COMPLETE,
                "interrupted": EXIT_INTERRUPTED}.get(self.status, EXIT_FAILED)


@dataclass
class ScanRun:
    """One scan in progress: what the phases read and add."""

    settings: Settings
    scan_id: int
    ctx: CheckContext
    report: CrawlReport = field(default_factory=CrawlReport)
    crawl_errors: list[str] = field(default_factory=list)
    status: str = "running"
    message: str | None = None
    view: ScanView | None = None
    findings: list[Finding] = field(default_factory=list)
    alerts: list[Any] = field(default_factory=list)

    @property
    def site_id(self) -> str:
        return self.ctx.site.id

    @property
    def db_url(self) -> str:
        return self.settings.database.url

    @property
    def disabled(self) -> frozenset[str]:
        return frozenset(self.settings.checks.disabled)

    @property
    def whole_site(self) -> bool:
        return self.status in WHOLE_SITE


# -- 1. start ----------------------------------------------------------------------------------------


def start_scan(settings: Settings, site_id: str, as_of: date, trigger: str) -> ScanRun:
    """Create the scan row and take the site lock, in one transaction; raise :class:`ScanRefused`."""
    with session_scope(settings.database.url) as session:
        site = get_site(session, site_id)
        if site is None:
            raise ScanRefused(f"站点 {site_id!r} 未登记 (先用 xunjian sites import 导入)", EXIT_UNKNOWN_SITE)
        scan = store.create_scan(session, site_id, as_of, trigger, os.getpid())
        if not acquire_site_lock(session, site_id, scan.id):
            holder = lock_holder(session, site_id)
            session.rollback()
            since = holder.started_at.strftime("%Y-%m-%d %H:%M:%S UTC") if holder else "?"
            who = holder.trigger if holder else "?"
            raise ScanRefused(f"站点 {site_id} 正在扫描中 (扫描 #{holder.id if holder else '?'}，由 {who} 于 {since} 启动)，"
                              "同一站点同一时间只能有一个扫描", EXIT_LOCKED)
        ignores = list(session.scalars(select(Ignore).where(Ignore.site_id == site_id)))
        extra = site.extra or {}
        options = CheckOptions(
            footer_sample_per_template=settings.checks.footer_sample_per_template,
            ignored_phrases=frozenset(i.phrase for i in ignores if i.phrase),
            allow_words=frozenset(extra.get("allow_words", [])),
            allowed_script_hosts=frozenset(h.lower() for h in extra.get("allowed_script_hosts", [])),
            max_pages=extra.get("max_pages"),  # the registry's per-site page budget, or None
            text_lm=settings.text_lm,
            cache_dir=settings.checks.cache_dir,
            tx005_all_pages=os.environ.get("XUNJIAN_TX005_ALL_PAGES", "").lower() in ("1", "true", "yes"),
            first_scan=session.scalar(select(Scan.id).where(Scan.site_id == site_id, Scan.status == "complete")
                                      .limit(1)) is None,
        )
        ctx = CheckContext(site=site_info(site, settings.crawl.aliases.get(site_id)), as_of=as_of, options=options)
        lexcache.set_cache_dir(settings.checks.cache_dir)  # checks in this process (checks.processes: 0)
        return ScanRun(settings, scan.id, ctx)


# -- 2. crawl (and the page checks, in the crawl's item pipelines) -----------------------------------


def crawl(run: ScanRun, progress: str | None = None, **extra: Any) -> None:
    """Run the Scrapy crawl of the site in this process (once per process: the reactor cannot restart);
    ``extra``: more Scrapy settings (a split crawl's helper, :mod:`xunjian.splitscan`)."""
    from scrapy.crawler import CrawlerProcess

    from xunjian.crawler import heap
    from xunjian.crawler.settings import quiet_scrapy_logs, scrapy_settings
    from xunjian.crawler.spider import SiteSpider

    process = CrawlerProcess(scrapy_settings(run.settings, render_mode=run.ctx.site.render, XJ_SCAN_ID=run.scan_id,
                                             XJ_CHECK_CONTEXT=run.ctx, XJ_CRAWL_REPORT=run.report,
                                             XJ_PROGRESS=progress, **extra))
    quiet_scrapy_logs()
    deferred = process.crawl(SiteSpider, site=run.ctx.site)
    deferred.addErrback(lambda failure: run.crawl_errors.append(failure.getErrorMessage()))
    heap.settle()
    process.start()
    run.status, run.message = crawl_verdict(run.report, run.crawl_errors)


def crawl_verdict(report: CrawlReport, errors: list[str]) -> tuple[str, str | None]:
    """The scan's status and message from how the crawl ended."""
    if report.reason is None:  # the crawl never closed: crashed, or stopped by force
        if errors:
            return "failed", f"扫描出错: {errors[0]}"[:2000]
        return "interrupted", "扫描未正常结束，已保存已抓取的数据"
    if not report.homepage_ok:
        status = report.homepage_status
        return "failed", f"首页无法访问: {f'HTTP {status}' if status is not None else '无响应'}"
    if report.reason != "finished":
        return "interrupted", f"扫描被中断 ({report.reason})，已保存已抓取的数据"
    if report.stats.get("budget/pages_not_crawled"):
        return PARTIAL, partial_message(_StatsView(report.stats))
    return "complete", None


class _StatsView:
    """A stored stats dict read like Scrapy's stats collector (``get_value``)."""

    def __init__(self, stats: dict[str, Any]):
        self.stats = stats

    def get_value(self, key: str) -> Any:
        return self.stats.get(key)


# -- 3. columns, 4. site checks ------------------------------------------------------------------------


def _guarded(run: ScanRun, fn: Callable[..., Any], *args: Any) -> Any:
    """Run one check; a crashing check is counted and logged once, never fatal to the scan."""
    try:
        return fn(*args)
    except Exception as exc:
        name = f"{fn.__module__}.{getattr(fn, '__name__', 'check')}"
        errors = run.report.check_errors
        errors[name] = errors.get(name, 0) + 1
        if errors[name] == 1:
            logger.error("检查 %s 出错 (同类错误只记录一次): %r", name, exc, exc_info=True)
        return None


def _view(run: ScanRun) -> ScanView:
    if run.view is None:
        with session_scope(run.db_url) as session:
            run.view = ScanView(site=run.ctx.site, pages=StoredPages(run.db_url, run.scan_id),
                                bad_links=store.bad_links(session, run.scan_id))
    return run.view


def discover_columns(run: ScanRun) -> None:
    discover = getattr(checks.family("columns"), "discover_columns", None)
    if run.whole_site and discover is not None:
        view = _view(run)
        view.columns = _guarded(run, discover, view, run.ctx) or []


def site_checks(run: ScanRun) -> None:
    if run.report.reason is None or run.status == "failed":
        return
    view = _view(run)
    for check in checks.site_checks():
        if not run.whole_site and check.__module__ not in PART_OF_SITE_FAMILIES:
            continue
        found = _guarded(run, lambda c=check: list(c(view, run.ctx))) or ()
        run.findings.extend(f for f in found if f.rule not in run.disabled)


# -- 5. findings, 6. score, 7. alerts ------------------------------------------------------------------


def record_findings(run: ScanRun) -> None:
    stats = {**run.report.stats, "check_errors": run.report.check_errors}
    with session_scope(run.db_url) as session:
        merge_findings(session, run.site_id, run.findings, run.scan_id)
        store.insert_columns(session, run.scan_id, run.site_id, run.view.columns if run.view else [])
        scan = store.finish_scan(session, run.scan_id, run.status, run.message, stats)
        scan.findings_count = session.scalar(select(func.count()).where(
            FindingRow.site_id == run.site_id, FindingRow.last_scan_id == run.scan_id)) or 0
        resolve_unseen(session, run.site_id, scan)


def score(run: ScanRun) -> None:
    if not run.whole_site:
        return
    from xunjian.scoring import record_score

    try:
        with session_scope(run.db_url) as session:
            record_score(session, run.site_id, run.scan_id, run.settings)
    except Exception:
        logger.exception("评分失败 (扫描数据已保存)")


def send_alerts(run: ScanRun) -> None:
    if run.status not in ALERT_STATUSES:
        return
    from xunjian import alerts

    try:
        run.alerts = alerts.process_site(run.db_url, run.site_id, run.settings)
    except Exception:  # the scan is recorded; alerts are evaluated again by the next scan or probe
        logger.exception("告警处理失败 (扫描数据已保存)")


def gather_split(run: ScanRun) -> None:
    """A split crawl (``crawl.split_redis_url``): wait for the helpers, read their pages back (splitscan.py)."""
    if run.settings.crawl.split_redis_url:
        from xunjian.splitscan import gather

        gather(run)


def carry_unchanged(run: ScanRun) -> None:
    """An incremental scan: the previous scan's leaf pages it did not request are copied in, in bulk, before
    anything reads the scan's pages (crawler/incremental.py decides, storage/carry.py copies)."""
    previous = run.report.stats.get("incremental/carry_from")
    if previous and run.status in ("complete", PARTIAL):
        from xunjian.storage.carry import carry_forward

        only = run.report.unchanged if run.status == PARTIAL else None  # the budget: only what was requested
        run.report.stats.update(carry_forward(run.db_url, run.site_id, run.scan_id, int(previous), only))


#: The phases after the crawl, in order (finish always runs last, see :func:`run_scan`).
AFTER_CRAWL: tuple[Callable[[ScanRun], None], ...] = (gather_split, carry_unchanged, discover_columns, site_checks,
                                                       record_findings, score, send_alerts)


# -- 8. finish -------------------------------------------------------------------------------------------


def finish(run: ScanRun) -> None:
    """Release the site lock; a scan still ``running`` (a phase crashed, forced stop) is closed first."""
    if run.settings.crawl.split_redis_url:
        from xunjian.splitscan import cleanup

        cleanup(run)  # a split crawl's Redis keys
    with session_scope(run.db_url) as session:
        scan = session.get(Scan, run.scan_id)
        if scan is not None and scan.status == "running":
            if run.crawl_errors:
                store.finish_scan(session, run.scan_id, "failed", f"扫描出错: {run.crawl_errors[0]}"[:2000])
            else:
                store.finish_scan(session, run.scan_id, "interrupted", "扫描未正常结束，已保存已抓取的数据")
        release_site_lock(session, run.site_id, run.scan_id)


def run_scan(settings: Settings, site_id: str, as_of: date | None = None, trigger: str = "cli",
             progress: str | None = None) -> ScanOutcome:
    """Every phase of one scan of one site, now, in this process. Raises :class:`ScanRefused`."""
    from xunjian.storage.heartbeat import Heartbeat

    run = start_scan(settings, site_id, as_of or date.today(), trigger)
    try:
        with Heartbeat(run.db_url, run.scan_id, settings.scheduler.heartbeat_seconds):
            started = time.monotonic()
            crawl(run, progress)
            for phase in AFTER_CRAWL:
                # when each phase started, in seconds from the crawl's start (record_findings stores them)
                run.report.stats[f"timing/{phase.__name__}_start_s"] = round(time.monotonic() - started, 2)
                phase(run)
    finally:
        finish(run)
    return outcome(run.db_url, run.scan_id, len(run.alerts))


def outcome(db_url: str, scan_id: int, alerts: int = 0) -> ScanOutcome:
    with session_scope(db_url) as session:
        scan = session.get(Scan, scan_id)
        assert scan is not None
        return ScanOutcome(scan.id, scan.status, scan.message, scan.pages_count, scan.targets_checked,
                           scan.findings_count, alerts)
