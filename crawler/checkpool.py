"""Run the page extractors and page checks in a separate process, so crawling and checking overlap.

A scan's worker process spends its time in Scrapy (I/O, parsing responses, following links) and in the
checks (text matching, footer facts, column facts). With ``checks.processes: 1`` (the default) the checks
run in one child process while Scrapy keeps crawling: on a two-core machine the two halves run side by
side. One child, not several, keeps the per-scan memo (template text checked once per site) in one place.
The child ignores SIGINT/SIGTERM: an interrupted scan stops crawling and finishes the pages in flight.
``checks.processes: 0`` runs everything in the crawling process (simpler to debug).

:class:`CheckPipeline` is the Scrapy item pipeline of the scan's *page checks* phase (see
:mod:`xunjian.scanning`): it sends every checkable page (and the homepage cloaking comparison) to the
pool and puts the findings on the item; :class:`~xunjian.crawler.pipeline.StorePipeline` then stores it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import signal
import weakref
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

from xunjian import checks
from xunjian.crawler.items import CloakItem, PageItem

if TYPE_CHECKING:
    from concurrent.futures import Future

    from scrapy.crawler import Crawler
    from typing_extensions import Self

    from xunjian.checks.base import CheckContext, Finding
    from xunjian.crawler.pipeline import CrawlReport
    from xunjian.records import PageRecord

logger = logging.getLogger(__name__)
#: Pages handed to the check process and not yet answered. When the checks are slower than the crawl,
#: this is the back-pressure that keeps the crawl from queuing every page's HTML in memory.
MAX_PAGES_IN_CHECKS = 64
#: Pages sent to the check process together, in one call: the executor costs a wake-up write per call (3 % of the
#: crawler's main thread, profiled) plus its threads' pickling and GIL hand-offs.
BATCH_PAGES = 8
BATCH_WAIT = 0.02  # seconds a partial batch waits for more pages
#: Pages waiting for their checks (in the check process or for a place there) at which the crawl stops starting
#: downloads until some are answered. Scrapy's own back-pressure counts response bytes (5 MB): on a fast site of
#: small pages 1,700 responses waited, each holding its tasks and coroutines, and the collector's full passes
#: over them cost ~2.4 s of the crawler's 24 s CPU (benchmarks/crawl_bench.py, 5,000 pages).
MAX_PAGES_WAITING = 2 * MAX_PAGES_IN_CHECKS


class _Unavailable(Exception):
    """No check process (never started, broken or aborted): check in this process."""

_ctx: CheckContext | None = None
_disabled: frozenset[str] = frozenset()
_POOLS: weakref.WeakSet[CheckPool] = weakref.WeakSet()


_stopping = False


def abort_all() -> int:
    """Kill every check process of this process (the scan is stopping); returns how many pools were aborted."""
    global _stopping
    _stopping = True
    pools = list(_POOLS)
    for pool in pools:
        pool.abort()
    return len(pools)


def run_checks(record: PageRecord, ctx: CheckContext, disabled: frozenset[str]) -> tuple[dict, list[Finding], dict[str, str], str]:
    """Page type (if not known), extractors, page checks on one record: (facts, findings, {check: error}, page
    type). Never raises."""
    errors: dict[str, str] = {}
    findings: list[Finding] = []
    if record.page_type == "other" and not record.__dict__.get("classified"):
        try:
            from xunjian.checks.pagetype import classify

            record.page_type = classify(record, ctx)
        except Exception as exc:
            errors["xunjian.checks.pagetype.classify"] = repr(exc)[:300]
    for extractor in checks.extractors():
        try:
            facts = extractor(record, ctx)
        except Exception as exc:  # a crashing check is counted, never fatal to the scan
            errors[f"{extractor.__module__}.{extractor.__name__}"] = repr(exc)[:300]
            continue
        if facts:
            record.facts.update(facts)
    for check in checks.page_checks():
        try:
            findings.extend(f for f in check(record, ctx) if f.rule not in disabled)
        except Exception as exc:
            errors[f"{check.__module__}.{check.__name__}"] = repr(exc)[:300]
    # kept with the page: an unchanged page's findings are seen again by the next incremental scan
    record.facts["page_findings"] = sorted({f.fingerprint(ctx.site.id) for f in findings})
    return record.facts, findings, errors, record.page_type


def _init(ctx: CheckContext, disabled: frozenset[str]) -> None:
    global _ctx, _disabled
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _ctx, _disabled = ctx, disabled
    from xunjian.checks import lexcache

    lexcache.set_cache_dir(getattr(ctx.options, "cache_dir", None))  # the built word lists are read from there
    if os.environ.get("XUNJIAN_PROFILE_CHECKS"):  # benchmarks/crawl_bench.py --profile
        _profile(os.environ["XUNJIAN_PROFILE_CHECKS"])
    checks.extractors()  # import every family once, up front
    try:  # the word lists now, then the whole start-up heap out of the collector's full passes (crawler/heap.py)
        from xunjian.checks.wordlists import lexicon

        lexicon()
    except Exception:  # the checks that need them fail per page, counted as check errors
        logger.exception("词表加载失败")
    from xunjian.crawler.heap import settle

    settle()


def _profile(path: str) -> None:
    """cProfile this check process; the profile is written when the process exits."""
    import cProfile
    from multiprocessing.util import Finalize

    profiler = cProfile.Profile()
    profiler.enable()
    Finalize(profiler, lambda: (profiler.disable(), profiler.dump_stats(path)), exitpriority=100)


def _run_in_child(record: PageRecord) -> tuple[dict, list[Finding], dict[str, str], str]:
    assert _ctx is not None
    record.links = []  # not needed by the checks; keeps the answer small
    return run_checks(record, _ctx, _disabled)


def _run_batch_in_child(records: list[PageRecord]) -> list[tuple[dict, list[Finding], dict[str, str], str]]:
    return [_run_in_child(record) for record in records]


def cloaking(browser_html: str, spider_html: str, url: str, ctx: CheckContext) -> list[Finding]:
    if _stopping:  # never load the word lists into the crawler while the scan stops
        return []
    from xunjian.checks.security import cloaking_findings

    return cloaking_findings(browser_html, spider_html, ctx, url)


def _cloak_in_child(browser_html: str, spider_html: str, url: str) -> list[Finding]:
    assert _ctx is not None
    return cloaking(browser_html, spider_html, url, _ctx)


class CheckPool:
    """One child process running :func:`run_checks`; falls back to running inline if the child dies."""

    def __init__(self, ctx: CheckContext, disabled: frozenset[str], processes: int = 1):
        self.ctx = ctx
        self.disabled = disabled
        self.executor: ProcessPoolExecutor | None = None
        self.aborted = False
        _POOLS.add(self)
        if processes > 0:
            # forkserver: a clean child, not a copy of the crawler's reactor and sockets
            self.executor = ProcessPoolExecutor(1, mp_context=get_context("forkserver"), initializer=_init,
                                                initargs=(ctx, disabled))

    def submit_batch(self, records: list[PageRecord]) -> Future | None:
        """Several pages in one call; the answer is their results in order."""
        if self.executor is None:
            return None
        try:
            return self.executor.submit(_run_batch_in_child, records)
        except RuntimeError:  # broken or shut down: run inline from now on
            logger.warning("检查子进程不可用，改为在抓取进程内检查")
            self.executor = None
            return None

    def submit_cloaking(self, browser_html: str, spider_html: str, url: str) -> Future | None:
        """The homepage comparison (SC001 cloaking) in the check process, where the word lists live."""
        if self.executor is None:
            return None
        try:
            return self.executor.submit(_cloak_in_child, browser_html, spider_html, url)
        except RuntimeError:
            return None

    def run_inline_from_now(self) -> None:
        """The child died: every later page is checked in this process."""
        self.executor = None

    def run_inline(self, record: PageRecord) -> tuple[dict, list[Finding], dict[str, str], str]:
        if self.aborted:  # the scan is stopping: store the page unchecked, never check it here
            return record.facts, [], {}, record.page_type
        return run_checks(record, self.ctx, self.disabled)

    def abort(self) -> None:
        """Kill the child now (SIGTERM/SIGINT): its pending pages fail (BrokenProcessPool) and are stored unchecked."""
        self.aborted = True
        executor, self.executor = self.executor, None
        if executor is None:
            return
        for proc in list((getattr(executor, "_processes", None) or {}).values()):
            try:
                proc.kill()
            except Exception:  # already gone
                pass
        executor.shutdown(wait=False, cancel_futures=False)

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=False)
            self.executor = None

    @property
    def memo(self) -> dict[str, Any]:
        return self.ctx.memo


def _deliver(done: asyncio.Future, waiters: list[asyncio.Future]) -> None:
    """A batch's answer (or its failure) to each page waiting for it."""
    failure = None if done.cancelled() else done.exception()
    for i, waiter in enumerate(waiters):
        if waiter.done():
            continue
        if done.cancelled():
            waiter.cancel()
        elif failure is not None:
            waiter.set_exception(failure)
        else:
            waiter.set_result(done.result()[i])


class CheckPipeline:
    """Item pipeline: page checks (extractors, page type, PAGE_CHECKS, cloaking) on each item, off the crawl's
    core; a crashing check is counted in ``report.check_errors`` and logged once, never fatal to the scan."""

    def __init__(self, ctx: CheckContext, disabled: frozenset[str], processes: int, report: CrawlReport,
                 stats: Any):
        self.ctx = ctx
        self.disabled = disabled
        self.report = report
        self.stats = stats
        self.pool = CheckPool(ctx, disabled, processes)
        self.crawler: Crawler | None = None
        self._waiting = 0  # pages in _checks, answered or not
        self._in_checks: asyncio.Semaphore | None = None
        self._batch: list[tuple[PageRecord, asyncio.Future]] = []
        self._batch_timer: asyncio.TimerHandle | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from scrapy import signals

        s = crawler.settings
        pipeline = cls(s["XJ_CHECK_CONTEXT"], frozenset(s.getlist("XJ_DISABLED_RULES")),
                       s.getint("XJ_CHECK_PROCESSES"), s["XJ_CRAWL_REPORT"], crawler.stats)
        crawler.signals.connect(pipeline.pool.close, signal=signals.spider_closed)
        pipeline.crawler = crawler
        return pipeline

    def _hold_crawl(self, waiting: int) -> None:
        """Pause the engine's new downloads while too many pages wait for their checks (MAX_PAGES_WAITING);
        a finished response wakes the engine up again."""
        self._waiting = waiting
        engine = getattr(self.crawler, "engine", None)
        if engine is None:
            return
        if waiting > MAX_PAGES_WAITING:
            engine.pause()
        elif engine.paused:
            engine.unpause()

    def _check_error(self, name: str, detail: str, exc_info: bool = False) -> None:
        errors = self.report.check_errors
        errors[name] = errors.get(name, 0) + 1
        self.stats.inc_value(f"checks/errors/{name}")
        if errors[name] == 1:
            logger.error("检查 %s 出错 (同类错误只记录一次): %s", name, detail, exc_info=exc_info)

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PageItem):
            await self._page(item)
        elif isinstance(item, CloakItem):
            await self._cloaking(item)
        return item

    async def _page(self, item: PageItem) -> None:
        record = item.record
        record.__dict__.pop("tree", None)  # the spider is done with the parsed tree
        if not (record.html and not record.error and 200 <= record.status < 300) or record.reused:
            return  # an unchanged page (incremental re-scan) keeps its stored facts and page findings
        facts, findings, errors, record.page_type = await self._checks(record)
        record.facts = facts
        item.findings.extend(findings)
        for name, error in errors.items():
            self._check_error(name, error)

    async def _checks(self, record: PageRecord) -> tuple[dict, list[Finding], dict[str, str], str]:
        if self._in_checks is None:
            self._in_checks = asyncio.Semaphore(MAX_PAGES_IN_CHECKS)
        self._hold_crawl(self._waiting + 1)
        try:
            async with self._in_checks:
                light = dataclasses.replace(record, links=[], facts=dict(record.facts))  # no parsed tree, no links
                try:
                    return await self._batched(light)
                except _Unavailable:
                    pass
                except Exception:  # the child died (BrokenProcessPool): check in this process from now on
                    if not self.pool.aborted:  # aborted: killed on purpose by StopGuard, pages stored unchecked
                        logger.exception("检查子进程出错，改为在抓取进程内检查")
                    self.pool.run_inline_from_now()
                return self.pool.run_inline(record)
        finally:
            self._hold_crawl(self._waiting - 1)

    def _batched(self, record: PageRecord) -> asyncio.Future:
        """The page's result, from the next batch sent to the check process."""
        loop = asyncio.get_running_loop()
        waiter = loop.create_future()
        if self.pool.executor is None:
            waiter.set_exception(_Unavailable())
            return waiter
        self._batch.append((record, waiter))
        if len(self._batch) >= BATCH_PAGES:
            self._send_batch()
        elif self._batch_timer is None:
            self._batch_timer = loop.call_later(BATCH_WAIT, self._send_batch)
        return waiter

    def _send_batch(self) -> None:
        if self._batch_timer is not None:
            self._batch_timer.cancel()
            self._batch_timer = None
        batch, self._batch = self._batch, []
        waiters = [waiter for _, waiter in batch]
        future = self.pool.submit_batch([record for record, _ in batch]) if batch else None
        if future is None:
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(_Unavailable())
            return
        asyncio.wrap_future(future).add_done_callback(lambda done: _deliver(done, waiters))
    async def _cloaking(self, item: CloakItem) -> None:
        found = None
        future = self.pool.submit_cloaking(item.browser_html, item.spider_html, item.url)
        if future is not None:
            try:
                found = await asyncio.wrap_future(future)
            except Exception:
                logger.exception("对比搜索引擎视图出错")
        if found is None and future is None:  # no check process: compare here
            try:
                found = cloaking(item.browser_html, item.spider_html, item.url, self.ctx)
            except Exception as exc:
                self._check_error(f"{cloaking.__module__}.cloaking", repr(exc), exc_info=True)
        item.findings.extend(f for f in found or [] if f.rule not in self.disabled)
        self.stats.set_value("cloaking/checked", 1)
