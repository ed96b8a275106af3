"""The queue's tasks: ``xunjian.scan_site`` and ``xunjian.probe_site``.

A scan task runs the scan in its own worker process (``python -m xunjian.worker``, the launcher every scan
uses) and waits for it. The child is tied to the task's process (``PR_SET_PDEATHSIG``): a queue worker
killed mid-scan takes its scan down with it, and the broker redelivers the unacknowledged task to another
worker. Before a scan starts, scans left ``running`` by dead processes on this host are marked failed and
their site locks released (:func:`xunjian.storage.maintenance.fail_orphaned_scans`), so a redelivered task
finds the site free. A site locked by a live scan is retried later (``queue.locked_retry_seconds``, at most
``queue.locked_max_retries`` times) and then skipped with a message.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from xunjian.config import load_settings
from xunjian.taskqueue.celeryapp import app

logger = logging.getLogger(__name__)

EXIT_LOCKED = 9


def reap_orphans(db_url: str, stale_minutes: float = 10.0) -> int:
    """Mark scans left running by dead processes on this host failed; return how many."""
    from xunjian.storage.db import session_scope
    from xunjian.storage.maintenance import fail_orphaned_scans

    with session_scope(db_url) as session:
        return len(fail_orphaned_scans(session, stale_minutes=stale_minutes))


def run_scan_process(site_id: str, as_of: str | None) -> tuple[int, dict[str, Any] | None]:
    """Run one scan in a worker process; (exit code, the worker's final ``done`` event or None)."""
    from xunjian.worker import launch

    day = date.fromisoformat(as_of) if as_of else None
    done = None
    with launch(site_id, as_of=day, trigger="queue", progress="json", die_with_parent=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and event.get("event") == "done":
                done = event
        code = proc.wait()
    return code, done


def completed_since(db_url: str, site_id: str, enqueued_at: str | None) -> int | None:
    """The id of a scan of the site that completed after the task was enqueued, if any."""
    if not enqueued_at:
        return None
    from datetime import datetime

    from sqlalchemy import select

    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Scan

    since = datetime.fromisoformat(enqueued_at)
    with session_scope(db_url) as session:
        return session.scalar(select(Scan.id).where(Scan.site_id == site_id, Scan.status == "complete",
                                                    Scan.started_at >= since).limit(1))


@app.task(bind=True, name="xunjian.scan_site")
def scan_site(self, site_id: str, as_of: str | None = None,  # noqa: ANN001 - Celery task
              enqueued_at: str | None = None) -> dict[str, Any]:
    """Scan one site; retried later while another scan holds the site's lock.

    A redelivered task (its worker lost the broker connection after the scan had completed) whose site has a
    scan completed since the task was enqueued is not run twice.
    """
    settings = load_settings()
    if self.request.delivery_info.get("redelivered"):
        done_id = completed_since(settings.database.url, site_id, enqueued_at)
        if done_id:
            logger.info("扫描 %s 已由扫描 #%d 完成，重投递的任务不再重复执行", site_id, done_id)
            return {"site": site_id, "status": "duplicate", "scan_id": done_id}
    reaped = reap_orphans(settings.database.url, settings.scheduler.stale_scan_minutes)
    if reaped:
        logger.warning("已将 %d 个遗留的扫描 (进程已不存在) 标记为失败并释放站点锁", reaped)
    code, done = run_scan_process(site_id, as_of)
    if code == EXIT_LOCKED:
        q = settings.queue
        if self.request.retries < q.locked_max_retries:
            logger.warning("站点 %s 正被另一个扫描占用，%s 秒后重试 (第 %d 次)", site_id, q.locked_retry_seconds,
                           self.request.retries + 1)
            raise self.retry(countdown=q.locked_retry_seconds, max_retries=q.locked_max_retries)
        logger.error("站点 %s 一直被另一个扫描占用，已跳过本次排队扫描", site_id)
        return {"site": site_id, "status": "skipped", "exit_code": code}
    status = done["status"] if done else "failed"
    logger.info("扫描 %s: %s (退出码 %d)", site_id, status, code)
    return {"site": site_id, "status": status, "exit_code": code, "scan_id": done and done.get("scan_id")}


@app.task(name="xunjian.probe_site")
def probe_site(site_id: str) -> dict[str, Any]:
    """One availability probe of the site's homepage, recorded, with its alerts."""
    from xunjian.probes import probe_and_record

    settings = load_settings()
    done = probe_and_record(settings.database.url, site_id, settings)
    if done is None:
        logger.warning("探测 %s: 站点已不在登记表中，已跳过", site_id)
        return {"site": site_id, "outcome": "skipped"}
    return {"site": site_id, "outcome": done.outcome, "findings": [f.rule for f in done.findings]}
