"""The scheduler's plan: which jobs the site registry calls for, and syncing them into APScheduler.

Pure planning (:func:`parse_window`, :func:`scan_slots`, :func:`desired_jobs`) plus :func:`sync_jobs`,
which makes a scheduler's jobs equal the plan (add missing, replace changed, remove stale). The job
functions themselves and the service live in :mod:`xunjian.scheduler`.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

    from xunjian.config import Settings

logger = logging.getLogger("xunjian.scheduler")

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
