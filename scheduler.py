"""The 7×24 scheduler behind ``xunjian serve``: probes, nightly scans, domain checks, alert retries.

APScheduler 3 with its job store in the same database (table ``apscheduler_jobs``), so jobs survive
restarts; missed runs coalesce into one (``coalesce=True``, ``misfire_grace_time`` from settings).
Every job has a stable id, ``replace_existing=True``, a ``module:function`` func and
``max_instances=1``:

- ``probe:<site>`` — every ``probe.interval_minutes`` (48 a day by default), start offsets spread
  by a hash of the site id; every site, offline ones too (FN004); the same orchestration as
  ``xunjian probe`` (:func:`xunjian.probes.probe_and_record`).
- ``scan:<site>`` — online sites, once a night, spread evenly over ``scheduler.scan_window``; a
  site's ``scan_cron`` (crontab) overrides its slot. Scans run on the ``scans`` executor, whose
  size ``scheduler.max_concurrent_scans`` caps concurrent scans; the job only launches the one-site
  worker process (:func:`xunjian.worker.launch`; the Twisted reactor cannot be restarted) and waits for
  it. The worker runs every phase of the scan (:mod:`xunjian.scanning`), alerts included, exactly as
  for ``xunjian scan``.
- ``domain-checks`` — daily at the start of the scan window: FN001/FN003 for every site.
- ``alerts-retry`` — resends failed alert deliveries every ``alerts.retry_seconds``.
- ``sync-registry`` — every ``scheduler.sync_seconds``: jobs re-synced with the registry.

The per-site database lock (taken by the worker) keeps a CLI scan and a scheduled scan of one site
apart. Job functions find the database and settings in the module's :data:`_runtime`, set by
:class:`Service` (a persistent job store can only hold picklable arguments). Which jobs exist is
planned and synced by :mod:`xunjian.jobplan`.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from xunjian.jobplan import JobSpec, desired_jobs, parse_window, scan_slots, sync_from_registry, sync_jobs
from xunjian.worker import DEFAULT_COMMAND

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from xunjian.config import Settings

logger = logging.getLogger("xunjian.scheduler")

WORKER_EXIT = {0: "完成", 1: "扫描失败", 3: "配置错误", 4: "数据库错误", 5: "站点不存在",
               9: "站点正被另一个扫描锁定，跳过", 130: "被中断"}


@dataclass
class Runtime:
    settings: Settings
    db_url: str
    worker_command: list[str] | None  # None: python -m xunjian.worker
    scheduler: BaseScheduler | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    children: dict[int, subprocess.Popen] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_runtime: Runtime | None = None


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler runtime not initialised (start it with xunjian serve)")
    return _runtime


# ------------------------------------------------------------------------------------------- jobs


def run_sync_job() -> None:
    rt = runtime()
    if rt.scheduler is not None and not rt.stopping.is_set():
        sync_from_registry(rt.scheduler, rt.db_url, rt.settings)


def run_probe_job(site_id: str) -> None:
    """Probe one site's homepage, record it, update its alerts."""
    from xunjian.probes import ProbeRefused, probe_and_record

    rt = runtime()
    if rt.settings.scheduler.dispatch == "queue":
        publish_job("probe", site_id)
        return
    start = time.monotonic()
    try:
        done = probe_and_record(rt.db_url, site_id, rt.settings)
    except ProbeRefused as exc:
        logger.error("probe %s refused: %s", site_id, exc)
        return
    if done is None:
        logger.warning("probe %s: site no longer registered, skipped", site_id)
        return
    result = done.result
    logger.info("probe %s: %s status=%s elapsed=%.2fs error=%s findings=%s (job %.2fs)", site_id, done.outcome,
                result.status, result.elapsed or 0, result.error_class or "-",
                ",".join(f.rule for f in done.findings) or "-", time.monotonic() - start)


def worker_env(rt: Runtime) -> dict[str, str]:
    env = dict(os.environ)
    env["XUNJIAN_DATABASE_URL"] = rt.db_url
    source = rt.settings.source
    if source and os.path.exists(source):
        env["XUNJIAN_CONFIG"] = source
    return env


def publish_job(kind: str, site_id: str) -> bool:
    """``scheduler.dispatch: queue``: publish the job to the task queue instead of running it here."""
    from xunjian.taskqueue.publish import QueueUnavailable, enqueue

    rt = runtime()
    try:
        sent = enqueue(rt.settings, kind, [site_id])
    except QueueUnavailable as exc:
        logger.error("%s %s: not queued: %s", kind, site_id, exc)
        return False
    logger.info("%s %s: queued as task %s", kind, site_id, sent[0].task_id)
    return True


def run_scan_job(site_id: str) -> int | None:
    """Launch the one-site worker process (every phase of the scan, alerts included), wait, log the result."""
    from xunjian.worker import launch

    rt = runtime()
    if rt.settings.scheduler.dispatch == "queue":
        publish_job("scan", site_id)
        return None
    start = time.monotonic()
    with rt.lock:  # the same lock as stop(): no worker starts after stop() took its list
        if rt.stopping.is_set():
            logger.info("scan %s: not started, service is stopping", site_id)
            return None
        proc = launch(site_id, trigger="scheduler", env=worker_env(rt), command=rt.worker_command)
        rt.children[proc.pid] = proc
    logger.info("scan %s: worker pid %d started: %s", site_id, proc.pid, " ".join(proc.args))
    try:
        rc = proc.wait()
    finally:
        with rt.lock:
            rt.children.pop(proc.pid, None)
    what = WORKER_EXIT.get(rc, f"被信号 {-rc} 结束" if rc < 0 else "未知退出码")
    log = logger.info if rc in (0, 9) else logger.warning
    log("scan %s: worker pid %d exited %d (%s) after %.1fs", site_id, proc.pid, rc, what, time.monotonic() - start)
    return rc


def run_domain_job() -> None:
    from sqlalchemy import select

    from xunjian.domain import run_domain_checks
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site

    rt = runtime()
    start = time.monotonic()
    with session_scope(rt.db_url) as s:
        ids = list(s.scalars(select(Site.id).order_by(Site.id)))
    for sid in ids:
        if rt.stopping.is_set():
            break
        try:
            with session_scope(rt.db_url) as s:
                site = s.get(Site, sid)
                if site is not None:
                    run_domain_checks(s, site, rt.settings)
        except Exception:
            logger.exception("domain checks %s failed", sid)
    logger.info("domain checks: %d sites in %.1fs", len(ids), time.monotonic() - start)


def run_alert_retry_job() -> None:
    from xunjian import alerts

    rt = runtime()
    n = alerts.retry_pending(rt.db_url, rt.settings)
    if n:
        logger.info("alerts: %d pending deliveries retried", n)


# ------------------------------------------------------------------------------------- lifecycle


def _on_job_event(event: Any) -> None:
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED

    if event.code == EVENT_JOB_ERROR:
        logger.error("job %s raised %s", event.job_id, event.exception,
                     exc_info=(type(event.exception), event.exception, event.exception.__traceback__))
    elif event.code == EVENT_JOB_MISSED:
        logger.warning("job %s missed its run at %s (beyond misfire_grace_time)", event.job_id,
                       event.scheduled_run_time)
    elif event.code == EVENT_JOB_MAX_INSTANCES:
        logger.warning("job %s skipped: its previous run is still going", event.job_id)


class Service:
    """The scheduler's lifecycle: start (recover, sync, run), stop (forward SIGTERM, wait, record)."""

    def __init__(self, settings: Settings, db_url: str, worker_command: list[str] | None = None,
                 probe_threads: int = 10):
        self.settings = settings
        self.db_url = db_url
        command = worker_command or list(settings.scheduler.worker_command) or None
        self.runtime = Runtime(settings, db_url, command)
        self.probe_threads = probe_threads
        self.scheduler: BaseScheduler | None = None

    def start(self) -> None:
        """Mark scans left running by a crash failed, start the scheduler and sync its jobs."""
        global _runtime
        from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        from xunjian.storage.db import ensure_schema, get_engine, session_scope
        from xunjian.storage.maintenance import fail_orphaned_scans

        ensure_schema(self.db_url)
        with session_scope(self.db_url) as s:
            orphans = fail_orphaned_scans(s, stale_minutes=self.settings.scheduler.stale_scan_minutes)
        if orphans:
            logger.warning("marked %d scan(s) left running by a crash failed: %s", len(orphans),
                           ", ".join(f"#{o.id} {o.site_id}" for o in orphans))
        sch = self.settings.scheduler
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=get_engine(self.db_url), tablename="apscheduler_jobs")},
            executors={"default": ThreadPoolExecutor(self.probe_threads),
                       "scans": ThreadPoolExecutor(sch.max_concurrent_scans)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": sch.misfire_grace_seconds},
            timezone=sch.timezone,
        )
        self.scheduler.add_listener(_on_job_event, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
        self.runtime.scheduler = self.scheduler
        _runtime = self.runtime
        self.scheduler.start(paused=True)
        counts = sync_from_registry(self.scheduler, self.db_url, self.settings)
        self.scheduler.resume()
        logger.info("serve started: %d jobs (%s), max %d concurrent scans, worker: %s",
                    len(self.scheduler.get_jobs()), counts, sch.max_concurrent_scans,
                    " ".join(self.runtime.worker_command or DEFAULT_COMMAND))

    def stop(self, timeout: float | None = None) -> None:
        """Stop scheduling, forward SIGTERM to running workers, wait (bounded), record the outcome."""
        from xunjian.storage.db import session_scope
        from xunjian.storage.maintenance import mark_scans_interrupted

        timeout = self.settings.scheduler.stop_timeout_seconds if timeout is None else timeout
        rt = self.runtime
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.pause()
        with rt.lock:
            rt.stopping.set()
            children = dict(rt.children)
        for pid, proc in children.items():
            logger.info("stopping: SIGTERM to scan worker pid %d", pid)
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for pid, proc in children.items():
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("stopping: worker pid %d still running after %.0fs, killed", pid, timeout)
                proc.kill()
                proc.wait()
        if children:
            with session_scope(self.db_url) as s:
                left = mark_scans_interrupted(s, list(children))
            for scan in left:
                logger.warning("scan #%s of %s marked interrupted", scan.id, scan.site_id)
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        logger.info("serve stopped (%d worker(s) were running)", len(children))


__all__ = ["JobSpec", "Runtime", "Service", "desired_jobs", "parse_window", "run_probe_job", "run_scan_job",
           "scan_slots", "sync_from_registry", "sync_jobs"]
