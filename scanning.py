"""One scan of one site, from the database to the database: the library behind ``xunjian scan``,
the scheduler's scan job and ``xunjian demo``.

:func:`run_scan` runs in the current process (Scrapy's reactor can run once per process, so
callers that scan more than once use :func:`spawn_scan`, which starts ``python -m xunjian.worker``).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import select

from xunjian.checks.base import CheckContext
from xunjian.storage.db import session_scope
from xunjian.storage.locks import acquire_site_lock, lock_holder
from xunjian.storage.models import Ignore, Scan
from xunjian.storage.registry import get_site, site_info
from xunjian.storage.scans import create_scan, finish_scan

if TYPE_CHECKING:
    from xunjian.config import Settings

logger = logging.getLogger(__name__)

EXIT_COMPLETE, EXIT_FAILED, EXIT_UNKNOWN_SITE, EXIT_LOCKED, EXIT_INTERRUPTED = 0, 1, 5, 9, 130


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

    @property
    def exit_code(self) -> int:
        return {"complete": EXIT_COMPLETE, "partial": EXIT_COMPLETE,
                "interrupted": EXIT_INTERRUPTED}.get(self.status, EXIT_FAILED)


def start_scan(settings: Settings, site_id: str, as_of: date, trigger: str) -> tuple[int, CheckContext]:
    """Create the scan row and take the site lock, in one transaction; raise :class:`ScanRefused`."""
    url = settings.database.url
    with session_scope(url) as session:
        site = get_site(session, site_id)
        if site is None:
            raise ScanRefused(f"站点 {site_id!r} 未登记 (先用 xunjian sites import 导入)", EXIT_UNKNOWN_SITE)
        scan = create_scan(session, site_id, as_of, trigger, os.getpid())
        if not acquire_site_lock(session, site_id, scan.id):
            holder = lock_holder(session, site_id)
            session.rollback()
            since = holder.started_at.strftime("%Y-%m-%d %H:%M:%S UTC") if holder else "?"
            who = holder.trigger if holder else "?"
            raise ScanRefused(f"站点 {site_id} 正在扫描中 (扫描 #{holder.id if holder else '?'}，由 {who} 于 {since} 启动)，"
                              "同一站点同一时间只能有一个扫描", EXIT_LOCKED)
        ignores = list(session.scalars(select(Ignore).where(Ignore.site_id == site_id)))
        info = site_info(site, settings.crawl.aliases.get(site_id))
        ctx = CheckContext(site=info, as_of=as_of, options={
            "footer_sample_per_template": settings.checks.footer_sample_per_template,
            "ignored_phrases": {i.phrase for i in ignores if i.phrase},
            "allow_words": set((site.extra or {}).get("allow_words", [])),
            "max_pages": (site.extra or {}).get("max_pages"),  # the registry's per-site page budget, or None
        })
        return scan.id, ctx


def run_scan(settings: Settings, site_id: str, as_of: date | None = None, trigger: str = "cli",
             progress: str | None = None) -> ScanOutcome:
    """Crawl and check one site now, in this process. Raises :class:`ScanRefused`."""
    from scrapy.crawler import CrawlerProcess

    from xunjian.crawler.settings import quiet_scrapy_logs, scrapy_settings
    from xunjian.crawler.spider import SiteSpider

    as_of = as_of or date.today()
    scan_id, ctx = start_scan(settings, site_id, as_of, trigger)
    process = CrawlerProcess(scrapy_settings(settings, render_mode=ctx.site.render, XJ_SCAN_ID=scan_id,
                                             XJ_CHECK_CONTEXT=ctx, XJ_PROGRESS=progress))
    quiet_scrapy_logs()
    errors: list[str] = []
    try:
        # page types are classified with the other page checks (crawler/checkpool.py), off the crawl's core
        deferred = process.crawl(SiteSpider, site=ctx.site)
        deferred.addErrback(lambda failure: errors.append(failure.getErrorMessage()))
        process.start()
    finally:
        _ensure_finished(settings.database.url, scan_id, errors)
    return outcome(settings.database.url, scan_id)


def _ensure_finished(db_url: str, scan_id: int, errors: list[str]) -> None:
    """A scan the crawl did not finish is marked failed (crash) or interrupted (forced stop); lock released."""
    from xunjian.storage.locks import release_site_lock

    with session_scope(db_url) as session:
        scan = session.get(Scan, scan_id)
        if scan is not None and scan.status == "running":
            if errors:
                finish_scan(session, scan_id, "failed", f"扫描出错: {errors[0]}"[:2000])
            else:
                finish_scan(session, scan_id, "interrupted", "扫描未正常结束，已保存已抓取的数据")
            release_site_lock(session, scan.site_id, scan_id)


def outcome(db_url: str, scan_id: int) -> ScanOutcome:
    with session_scope(db_url) as session:
        scan = session.get(Scan, scan_id)
        assert scan is not None
        return ScanOutcome(scan.id, scan.status, scan.message, scan.pages_count, scan.targets_checked,
                           scan.findings_count)


def worker_command(site_id: str, as_of: date | None = None, trigger: str = "cli", progress: str | None = "json") -> list[str]:
    cmd = [sys.executable, "-m", "xunjian.worker", site_id, "--trigger", trigger]
    if as_of:
        cmd += ["--as-of", as_of.isoformat()]
    if progress:
        cmd += ["--progress", progress]
    return cmd


def spawn_scan(site_id: str, *, as_of: date | None = None, trigger: str = "cli", progress: str | None = "json",
               config_path: str | None = None, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start one scan in a worker process; its stdout carries JSON progress lines."""
    child_env = dict(os.environ if env is None else env)
    if config_path:
        child_env["XUNJIAN_CONFIG"] = config_path
    return subprocess.Popen(worker_command(site_id, as_of, trigger, progress), env=child_env,
                            stdout=subprocess.PIPE, text=True, encoding="utf-8")
