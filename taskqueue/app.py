"""The Celery application, built from the ``queue:`` settings.

Long tasks (a scan can take hours) get the policy that makes a killed worker's scan come back:

- ``task_acks_late``: a task is acknowledged when it ends, not when it starts; a worker that dies mid-scan
  never acknowledges it, so the broker redelivers it to another worker (RabbitMQ: as soon as the dead
  worker's connection closes; Redis: after ``visibility_timeout``).
- ``task_reject_on_worker_lost``: a pool process killed by a signal rejects (requeues) its task instead of
  acknowledging it.
- ``worker_prefetch_multiplier = 1``: a worker reserves one task per pool process, so queued scans are not
  hoarded by a busy machine.
- ``task_time_limit``: a scan stuck for longer than ``queue.scan_time_limit_seconds`` is killed (the scan
  is marked failed by the next worker through the orphan check, and the task is not retried).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from celery import Celery

if TYPE_CHECKING:
    from xunjian.config import Settings

DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"


def broker_url(settings: Settings, env: dict[str, str] | None = None) -> str:
    """``XUNJIAN_BROKER_URL`` when set, else ``queue.broker_url``."""
    env = os.environ if env is None else env
    return env.get("XUNJIAN_BROKER_URL") or settings.queue.broker_url or DEFAULT_BROKER


def make_app(settings: Settings, env: dict[str, str] | None = None) -> Celery:
    """A Celery app for these settings; tasks are registered by importing :mod:`xunjian.taskqueue.tasks`."""
    q = settings.queue
    url = broker_url(settings, env)
    app = Celery("xunjian", broker=url, include=["xunjian.taskqueue.tasks"])
    app.conf.update(
        task_default_queue=q.name,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_time_limit=q.scan_time_limit_seconds,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=q.connect_timeout_seconds,
        broker_transport_options={
            # Redis: an unacknowledged task is redelivered after this long; it must exceed the longest scan.
            "visibility_timeout": q.scan_time_limit_seconds + 600,
            # RabbitMQ: wait for the broker's confirmation of every published task.
            "confirm_publish": True,
            "max_retries": 1,
        },
        worker_hijack_root_logger=False,
        worker_send_task_events=True,
        task_send_sent_event=True,
        worker_cancel_long_running_tasks_on_connection_loss=False,
    )
    return app
