"""A running scan's heartbeat: which host runs it, and when it was last seen alive.

A scan row says ``running`` from its start to its end. When the worker's process dies on this host,
:func:`xunjian.storage.maintenance.fail_orphaned_scans` sees the pid gone; when the whole machine dies
(power cut, network loss: a queue worker elsewhere), no pid can be asked. So the worker records its host in
``scans.stats["host"]`` when the scan starts, and a daemon thread (:class:`Heartbeat`) writes
``stats["heartbeat"]`` (UTC, ISO 8601) every ``scheduler.heartbeat_seconds``; a scan of another host whose
heartbeat is older than ``scheduler.stale_scan_minutes`` is failed by the next reaper on any host.

The heartbeat only touches rows still ``running`` (the UPDATE's WHERE), so it can never overwrite the
stats a finished scan wrote. A failed beat (database busy or down) is logged and retried at the next beat:
the heartbeat never fails a scan.
"""

from __future__ import annotations

import logging
import socket
import threading
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, update

from xunjian.storage.models import Scan
from xunjian.storage.types import utcnow

logger = logging.getLogger(__name__)

HOST, BEAT = "host", "heartbeat"


def host_stats() -> dict[str, Any]:
    """The stats a scan starts with: its host and a first beat."""
    return {HOST: socket.gethostname(), BEAT: utcnow().isoformat()}


def beat(db_url: str, scan_id: int) -> bool:
    """Write one heartbeat for a running scan; False if the scan is no longer running."""
    from xunjian.storage.db import session_scope

    with session_scope(db_url) as session:
        stats = session.scalar(select(Scan.stats).where(Scan.id == scan_id, Scan.status == "running"))
        if stats is None:
            return False
        fresh = {**stats, BEAT: utcnow().isoformat()}
        return bool(session.execute(update(Scan).where(Scan.id == scan_id, Scan.status == "running")
                                    .values(stats=fresh)).rowcount)


def last_beat(stats: dict[str, Any] | None, started_at: datetime | None) -> datetime | None:
    """When the scan was last seen alive: its heartbeat, else its start."""
    raw = (stats or {}).get(BEAT)
    if isinstance(raw, str):
        try:
            seen = datetime.fromisoformat(raw)
            return seen if seen.tzinfo else seen.replace(tzinfo=timezone.utc)
        except ValueError:
            pass
    return started_at


class Heartbeat:
    """``with Heartbeat(db_url, scan_id, seconds):`` beats in a daemon thread until the block ends."""

    def __init__(self, db_url: str, scan_id: int, seconds: float):
        self.db_url, self.scan_id, self.seconds = db_url, scan_id, seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{scan_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                if not beat(self.db_url, self.scan_id):
                    return
            except Exception as exc:  # never fail a scan over its heartbeat
                logger.warning("扫描 #%s 心跳写入失败 (下次重试): %s", self.scan_id, exc)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.seconds + 5)
