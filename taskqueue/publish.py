"""Enqueue scan and probe tasks: ``xunjian scan SITE --queue``, ``scan --all --queue`` and ``serve`` with
``scheduler.dispatch: queue``.

The broker is reached once before anything is published, so a broker that is down gives one clear
:class:`QueueUnavailable` and nothing is half-enqueued. Every publication is confirmed by the broker
(RabbitMQ publisher confirms) and nothing is written to the database at enqueue time: the scan row is
created by the worker that runs the scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from xunjian.taskqueue.app import broker_url, make_app

if TYPE_CHECKING:
    from celery import Celery

    from xunjian.config import Settings


class QueueUnavailable(Exception):
    """The broker cannot be reached; the message says which and why (in Chinese, for people)."""


@dataclass
class Enqueued:
    kind: str
    site_id: str
    task_id: str


def _connect(app: Celery, settings: Settings):  # noqa: ANN202 - kombu Connection
    url = broker_url(settings)
    conn = app.connection_for_write()
    try:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2,
                               timeout=settings.queue.connect_timeout_seconds)
    except Exception as exc:  # kombu raises OperationalError, socket errors, auth errors...
        conn.release()
        safe = url.split("@")[-1]
        raise QueueUnavailable(f"消息队列不可用 ({safe}): {exc}。请确认 RabbitMQ/Redis 已启动，"
                               "或用 XUNJIAN_BROKER_URL / queue.broker_url 指定地址") from exc
    return conn


def enqueue(settings: Settings, kind: str, site_ids: list[str], as_of: date | None = None,
            app: Celery | None = None) -> list[Enqueued]:
    """Publish one ``scan`` or ``probe`` task per site; raise :class:`QueueUnavailable` before any is sent."""
    if kind not in ("scan", "probe"):
        raise ValueError(kind)
    app = app or make_app(settings)
    name = "xunjian.scan_site" if kind == "scan" else "xunjian.probe_site"
    conn = _connect(app, settings)
    sent: list[Enqueued] = []
    from xunjian.storage.types import utcnow

    now = utcnow().isoformat()
    try:
        with app.producer_or_acquire(None) as producer:
            for site_id in site_ids:
                args = [site_id, as_of.isoformat() if as_of else None, now] if kind == "scan" else [site_id]
                result = app.send_task(name, args=args, queue=settings.queue.name, producer=producer,
                                       retry=False)
                sent.append(Enqueued(kind, site_id, result.id))
    except Exception as exc:
        done = ", ".join(e.site_id for e in sent) or "无"
        raise QueueUnavailable(f"发布任务时消息队列断开: {exc} (已发布: {done})") from exc
    finally:
        conn.release()
    return sent
