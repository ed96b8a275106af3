"""Housekeeping for a service that runs for months: orphaned scans, probe findings no longer seen.

- :func:`fail_orphaned_scans` — on start of ``serve`` and before every queued scan: a scan still
  ``running`` whose worker process is gone from this host (crash, ``kill -9``), or whose host stopped its
  heartbeat (machine down), is marked ``failed`` and its site lock released, so no scan is left
  ``running`` for ever.
- :func:`mark_scans_interrupted` — scans the scheduler had to stop on shutdown.
- :func:`resolve_probe_findings` — probe-recorded findings of the given rules that the latest probe
  did not see again become resolved (SC004 after a certificate renewal, FN004 once the site is gone).

All functions take the session first and never commit.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from xunjian.storage.models import Finding, Scan, Site
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)


def pid_alive(pid: int | None, started_at: datetime | None = None) -> bool:
    """Is process ``pid`` alive on this host (and not a newer process that reused the pid)?"""
    import psutil

    if not pid:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        if started_at is not None and proc.create_time() > started_at.timestamp() + 5:
            return False  # the pid was reused by a process started after the scan
        return True
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return False


def _release(session: Session, scan: Scan) -> None:
    session.execute(update(Site).where(Site.id == scan.site_id, Site.lock_scan_id == scan.id)
                    .values(lock_scan_id=None, lock_acquired_at=None))


def fail_orphaned_scans(session: Session, now: datetime | None = None, host: str | None = None,
                        stale_minutes: float = 10.0) -> list[Scan]:
    """Mark ``running`` scans that nobody runs any more ``failed``; release their locks.

    A scan of this host (``stats["host"]``, or no host recorded: scans from before heartbeats) is orphaned
    when its pid is dead; a scan of another host when its heartbeat (:mod:`xunjian.storage.heartbeat`) is
    older than ``stale_minutes`` (the machine died or lost the database).
    """
    from xunjian.storage.heartbeat import HOST, last_beat

    now = now or utcnow()
    host = host or socket.gethostname()
    orphans = []
    for scan in session.scalars(select(Scan).where(Scan.status == "running")):
        scan_host = (scan.stats or {}).get(HOST)
        if scan_host and scan_host != host:
            seen = last_beat(scan.stats, scan.started_at)
            if seen is None or now - seen < timedelta(minutes=stale_minutes):
                continue
            message = (f"扫描所在主机 {scan_host} 已 {int((now - seen).total_seconds() // 60)} 分钟没有心跳"
                       "（机器宕机或与数据库断开），标记为失败")
        elif pid_alive(scan.pid, scan.started_at):
            continue
        else:
            message = f"扫描进程 (pid {scan.pid}) 已不存在（崩溃或被强制结束），标记为失败"
        scan.status = "failed"
        scan.finished_at = now
        scan.message = message
        _release(session, scan)
        orphans.append(scan)
        logger.warning("scan #%s of %s was left running by dead pid %s: marked failed", scan.id, scan.site_id, scan.pid)
    session.flush()
    return orphans


def mark_scans_interrupted(session: Session, pids: Iterable[int], now: datetime | None = None) -> list[Scan]:
    """Scans still ``running`` under the given worker pids become ``interrupted`` (locks released)."""
    pids = [p for p in pids if p]
    if not pids:
        return []
    now = now or utcnow()
    scans = list(session.scalars(select(Scan).where(Scan.status == "running", Scan.pid.in_(pids))))
    for scan in scans:
        scan.status = "interrupted"
        scan.finished_at = now
        scan.message = "服务停止时扫描被中断"
        _release(session, scan)
    session.flush()
    return scans


def resolve_probe_findings(session: Session, site_id: str, rules: Iterable[str], seen: Iterable[str],
                           now: datetime | None = None) -> int:
    """Open probe findings of ``rules`` whose fingerprint is not in ``seen`` become resolved."""
    rules, seen = list(rules), list(seen)
    if not rules:
        return 0
    from xunjian.storage.triage import ACTIVE, audit_resolved

    now = now or utcnow()
    where = [Finding.site_id == site_id, Finding.source == "probe", Finding.status.in_(ACTIVE), Finding.rule.in_(rules)]
    if seen:
        where.append(Finding.fingerprint.not_in(seen))
    gone = [tuple(r) for r in session.execute(select(Finding.id, Finding.site_id, Finding.status).where(*where))]
    audit_resolved(session, gone, None, now, reason="可用性监测已恢复")
    return session.execute(update(Finding).where(*where).values(status="resolved", resolved_at=now)).rowcount or 0
