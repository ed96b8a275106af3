"""The 7×24 scheduler behind ``xunjian serve``: probes, nightly scans, domain checks, alert retries.

APScheduler 3 with its job store in the same database (table ``apscheduler_jobs``), so jobs survive
restarts; missed runs coalesce into one (``coalesce=True``, ``misfire_grace_time`` from settings).
Every job has a stable id, ``replace_existing=True``, a ``module:function`` func and
``max_instances=1``:

- ``probe:<site>`` — every ``probe.interval_minutes`` (48 a day by default), start offsets spread
  by a hash of the site id; every site, offline ones too (FN004).
- ``scan:<site>`` — online sites, once a night, spread evenly over ``scheduler.scan_window``; a
  site's ``scan_cron`` (crontab) overrides its slot. Scans run on the ``scans`` executor, whose
  size ``scheduler.max_concurrent_scans`` caps concurrent scans; the job only launches the one-site
  worker process (the Twisted reactor cannot be restarted) and waits for it.
- ``domain-checks`` — daily at the start of the scan window: FN001/FN003 for every site.
- ``alerts-retry`` — resends failed alert deliveries every ``alerts.retry_seconds``.
- ``sync-registry`` — every ``scheduler.sync_seconds``: jobs re-synced with the registry.

The per-site database lock (taken by the worker) keeps a CLI scan and a scheduled scan of one site
apart. Job functions find the database and settings in the module's :data:`_runtime`, set by
:class:`Service` (a persistent job store can only hold picklable arguments).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from xunjian.config import Settings

logger = logging.getLogger("xunjian.scheduler")

WORKER_EXIT = {0: "完成", 1: "扫描失败", 3: "配置错误", 4: "数据库错误", 5: "站点不存在",
               9: "站点正被另一个扫描锁定，跳过", 130: "被中断"}
FIXED_JOBS = ("sync-registry", "domain-checks", "alerts-retry")


@dataclass
class JobSpec:
    """One desired job; ``name`` doubles as its signature (a changed signature replaces the job)."""

    id: str
    func: str
    trigger: str  # interval | cron
    trigger_args: dict[str, Any]
    name: str
    args: list[Any] = field(default_factory=list)
    executor: str = "default"


@dataclass
class Runtime:
    settings: Settings
    db_url: str
    worker_command: list[str]
    scheduler: BaseScheduler | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    children: dict[int, subprocess.Popen] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_runtime: Runtime | None = None


def runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("scheduler runtime not initialised (start it with xunjian serve)")
    return _runtime


# ------------------------------------------------------------------------------------ pure planning


def parse_window(window: str) -> tuple[int, int]:
    """``"01:00-05:00"`` -> (start, length) in minutes; a window may cross midnight."""
    try:
        start_s, end_s = window.split("-")
        start = int(start_s.split(":")[0]) * 60 + int(start_s.split(":")[1])
        end = int(end_s.split(":")[0]) * 60 + int(end_s.split(":")[1])
    except (ValueError, IndexError):
        raise ValueError(f"scheduler.scan_window 格式应为 HH:MM-HH:MM: {window!r}") from None
    length = (end - start) % (24 * 60) or 24 * 60
    return start, length


def scan_slots(site_ids: list[str], window: str) -> dict[str, tuple[int, int]]:
    """(hour, minute) per site, spread evenly over the window in site-id order."""
    start, length = parse_window(window)
    ids = sorted(site_ids)
    slots = {}
    for i, sid in enumerate(ids):
        minute = (start + (i * length) // max(1, len(ids))) % (24 * 60)
        slots[sid] = (minute // 60, minute % 60)
    return slots


def desired_jobs(sites: list[tuple[str, str, str | None]], settings: Settings) -> list[JobSpec]:
    """The jobs the registry calls for; ``sites`` is ``(id, status, scan_cron)`` per site."""
    sch = settings.scheduler
    tz = sch.timezone
    interval = round(settings.probe.interval_minutes * 60, 3)
    specs = [
        JobSpec("sync-registry", "xunjian.scheduler:run_sync_job", "interval", {"seconds": sch.sync_seconds},
                f"sync registry every {sch.sync_seconds:g}s"),
    ]
    start, _ = parse_window(sch.scan_window)
    specs.append(JobSpec("domain-checks", "xunjian.scheduler:run_domain_job", "cron",
                         {"hour": start // 60, "minute": start % 60, "timezone": tz},
                         f"domain checks daily {start // 60:02d}:{start % 60:02d} {tz}"))
    if settings.alerts.retry_seconds > 0:
        specs.append(JobSpec("alerts-retry", "xunjian.scheduler:run_alert_retry_job", "interval",
                             {"seconds": settings.alerts.retry_seconds},
                             f"alert retries every {settings.alerts.retry_seconds:g}s"))
    online = [sid for sid, status, _ in sites if status != "offline"]
    slots = scan_slots(online, sch.scan_window)
    for sid, status, cron in sorted(sites):
        offset = (zlib.crc32(sid.encode()) % 1000) / 1000 * interval
        specs.append(JobSpec(f"probe:{sid}", "xunjian.scheduler:run_probe_job", "interval",
                             {"seconds": interval, "offset": round(offset, 3)},
                             f"probe {sid} every {interval:g}s", [sid]))
        if status == "offline":
            continue
        if cron:
            specs.append(JobSpec(f"scan:{sid}", "xunjian.scheduler:run_scan_job", "crontab",
                                 {"expr": cron, "timezone": tz}, f"scan {sid} cron '{cron}' {tz}", [sid], "scans"))
        else:
            h, m = slots[sid]
            specs.append(JobSpec(f"scan:{sid}", "xunjian.scheduler:run_scan_job", "cron",
                                 {"hour": h, "minute": m, "timezone": tz}, f"scan {sid} daily {h:02d}:{m:02d} {tz}",
                                 [sid], "scans"))
    return specs


def _trigger(spec: JobSpec, now: datetime):  # noqa: ANN202 - APScheduler trigger
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    args = dict(spec.trigger_args)
    if spec.trigger == "interval":
        offset = args.pop("offset", 0)
        return IntervalTrigger(seconds=args["seconds"], start_date=now + timedelta(seconds=offset))
    if spec.trigger == "crontab":
        return CronTrigger.from_crontab(args["expr"], timezone=args["timezone"])
    return CronTrigger(**args)


# ------------------------------------------------------------------------------------------ sync


def sync_jobs(scheduler: BaseScheduler, specs: list[JobSpec], grace: int) -> dict[str, int]:
    """Make the scheduler's jobs equal ``specs``: add missing, replace changed, remove stale ones."""
    existing = {job.id: job for job in scheduler.get_jobs()}
    now = utcnow()
    counts = {"added": 0, "replaced": 0, "removed": 0, "kept": 0}
    wanted = set()
    for spec in specs:
        wanted.add(spec.id)
        job = existing.get(spec.id)
        if job is not None and job.name == spec.name:
            counts["kept"] += 1
            continue
        try:
            trigger = _trigger(spec, now)
        except ValueError as exc:
            logger.error("job %s not scheduled: %s", spec.id, exc)
            continue
        scheduler.add_job(spec.func, trigger, args=spec.args, id=spec.id, name=spec.name, executor=spec.executor,
                          replace_existing=True, max_instances=1, coalesce=True, misfire_grace_time=grace)
        counts["replaced" if job is not None else "added"] += 1
    for job_id in existing:
        if job_id not in wanted and (job_id.startswith(("probe:", "scan:")) or job_id in FIXED_JOBS):
            scheduler.remove_job(job_id)
            counts["removed"] += 1
    return counts


def sync_from_registry(scheduler: BaseScheduler, db_url: str, settings: Settings) -> dict[str, int]:
    from sqlalchemy import select

    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site

    with session_scope(db_url) as s:
        sites = [tuple(r) for r in s.execute(select(Site.id, Site.status, Site.scan_cron))]
    counts = sync_jobs(scheduler, desired_jobs(sites, settings), settings.scheduler.misfire_grace_seconds)
    if counts["added"] or counts["replaced"] or counts["removed"]:
        logger.info("jobs synced with registry (%d sites): %s", len(sites), counts)
    return counts


# ------------------------------------------------------------------------------------------- jobs


def run_sync_job() -> None:
    rt = runtime()
    if rt.scheduler is not None and not rt.stopping.is_set():
        sync_from_registry(rt.scheduler, rt.db_url, rt.settings)


def run_probe_job(site_id: str) -> None:
    """Probe one site's homepage, record it, update its alerts."""
    from xunjian import alerts
    from xunjian.probes import ProbeRefused, probe_outcome, probe_site, record_probe
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site

    rt = runtime()
    if rt.settings.scheduler.dispatch == "queue":
        publish_job("probe", site_id)
        return
    start = time.monotonic()
    with session_scope(rt.db_url) as s:
        site = s.get(Site, site_id)
        if site is not None:
            s.expunge(site)
    if site is None:
        logger.warning("probe %s: site no longer registered, skipped", site_id)
        return
    try:
        result = probe_site(site, rt.settings)
    except ProbeRefused as exc:
        logger.error("probe %s refused: %s", site_id, exc)
        return
    with session_scope(rt.db_url) as s:
        row, findings = record_probe(s, s.get(Site, site_id), result, rt.settings)
    alerts.process_site(rt.db_url, site_id, rt.settings)
    logger.info("probe %s: %s status=%s elapsed=%.2fs error=%s findings=%s (job %.2fs)", site_id,
                probe_outcome(result, rt.settings.probe.slow_seconds), result.status, result.elapsed or 0,
                result.error_class or "-", ",".join(f.rule for f in findings) or "-", time.monotonic() - start)


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
    """Launch the one-site worker process, wait for it, log the result; alerts on new veto findings."""
    from xunjian import alerts

    rt = runtime()
    if rt.settings.scheduler.dispatch == "queue":
        publish_job("scan", site_id)
        return None
    cmd = [*rt.worker_command, site_id, "--trigger", "scheduler"]
    start = time.monotonic()
    with rt.lock:  # the same lock as stop(): no worker starts after stop() took its list
        if rt.stopping.is_set():
            logger.info("scan %s: not started, service is stopping", site_id)
            return None
        proc = subprocess.Popen(cmd, env=worker_env(rt))
        rt.children[proc.pid] = proc
    logger.info("scan %s: worker pid %d started: %s", site_id, proc.pid, " ".join(cmd))
    try:
        rc = proc.wait()
    finally:
        with rt.lock:
            rt.children.pop(proc.pid, None)
    what = WORKER_EXIT.get(rc, f"被信号 {-rc} 结束" if rc < 0 else "未知退出码")
    log = logger.info if rc in (0, 9) else logger.warning
    log("scan %s: worker pid %d exited %d (%s) after %.1fs", site_id, proc.pid, rc, what, time.monotonic() - start)
    if rc in (0, 1):
        alerts.process_site(rt.db_url, site_id, rt.settings)
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
        command = worker_command or list(settings.scheduler.worker_command) or [sys.executable, "-m", "xunjian.worker"]
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
            orphans = fail_orphaned_scans(s)
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
                    " ".join(self.runtime.worker_command))

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


__all__ = ["JobSpec", "Runtime", "Service", "desired_jobs", "run_probe_job", "run_scan_job", "sync_jobs"]
