"""``xunjian queue status``: queued, running and failed tasks, per worker.

Queued tasks are counted at the broker; running and reserved ones are asked of the live workers
(Celery's remote control, the same answers ``celery inspect active`` gives); failed ones come from the
shared database (queue scans that ended ``failed`` in the last 24 hours, by the host that ran them).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from xunjian.taskqueue.app import make_app
from xunjian.taskqueue.publish import _connect

if TYPE_CHECKING:
    from xunjian.config import Settings


def queued_count(app: Any, settings: Settings) -> int:
    conn = _connect(app, settings)
    try:
        with conn.channel() as channel:
            try:
                return int(channel.queue_declare(queue=settings.queue.name, passive=True).message_count)
            except Exception:  # the queue does not exist yet: nothing was ever enqueued
                return 0
    finally:
        conn.release()


def _site_of(task: dict[str, Any]) -> str:
    args = task.get("args") or []
    return str(args[0]) if args else "?"


def worker_tasks(app: Any, timeout: float = 2.0) -> dict[str, dict[str, Any]]:
    """Per live worker: running and reserved tasks (site ids) and processed totals."""
    inspect = app.control.inspect(timeout=timeout)
    active = inspect.active() or {}
    reserved = inspect.reserved() or {}
    stats = inspect.stats() or {}
    workers = sorted(set(active) | set(reserved) | set(stats))
    return {
        name: {
            "running": [_site_of(t) for t in active.get(name, [])],
            "reserved": [_site_of(t) for t in reserved.get(name, [])],
            "processed": sum((stats.get(name, {}).get("total") or {}).values()),
            "concurrency": (stats.get(name, {}).get("pool") or {}).get("max-concurrency"),
        }
        for name in workers
    }


def failed_by_host(db_url: str, hours: int = 24) -> dict[str, int]:
    from sqlalchemy import select

    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Scan
    from xunjian.storage.types import utcnow

    since = utcnow() - timedelta(hours=hours)
    with session_scope(db_url) as session:
        rows = session.scalars(select(Scan).where(Scan.trigger == "queue", Scan.status == "failed",
                                                  Scan.started_at >= since))
        return dict(Counter((scan.stats or {}).get("host", "?") for scan in rows))


def queue_status(settings: Settings) -> dict[str, Any]:
    app = make_app(settings)
    return {
        "queue": settings.queue.name,
        "queued": queued_count(app, settings),
        "workers": worker_tasks(app),
        "failed_24h_by_host": failed_by_host(settings.database.url),
    }
