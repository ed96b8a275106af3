"""A split crawl's scan side (prototype, ``crawl.split_redis_url``; the Scrapy side is :mod:`xunjian.crawler.split`).

- the coordinator is a normal scan (:func:`xunjian.scanning.run_scan`): after its crawl, :func:`gather` waits
  for the helpers to finish storing, adds their counters to the scan's stats and decides the crawl's verdict again (the site
  checks read every stored page of the scan back from the database, the helpers' pages too, as in every scan); :func:`cleanup` (in the scan's ``finish``) deletes the scan's Redis keys;
- a helper (:func:`join_scan`, ``python -m xunjian.worker SITE --join SCAN``) creates no scan row and takes no
  lock: it crawls from the shared queue with the coordinator's check context and stores pages, links, link
  results and page findings under the coordinator's scan id. It never runs the after-crawl phases.
"""

from __future__ import annotations

import logging
import pickle
import sys
import time
from typing import TYPE_CHECKING

from xunjian.crawler.split import COORDINATOR, ORPHAN_SECONDS, UNSUMMED, connect, prefix, server_time
from xunjian.storage.db import session_scope
from xunjian.storage.models import Scan

if TYPE_CHECKING:
    from redis import Redis

    from xunjian.config import Settings
    from xunjian.scanning import ScanRun

logger = logging.getLogger(__name__)

#: How long a helper waits for the coordinator to publish its check context.
JOIN_WAIT_SECONDS = 30.0
EXIT_JOIN_REFUSED = 8


def enabled(settings: Settings) -> bool:
    return bool(settings.crawl.split_redis_url)


def _server(run: ScanRun) -> Redis:
    return connect(run.settings.crawl.split_redis_url)


def wait_for_helpers(server: Redis, key: str, timeout: float) -> list[str]:
    """Until every helper has left ``members`` (a helper silent for ORPHAN_SECONDS counts as gone)."""
    deadline = time.monotonic() + timeout
    while members := [m.decode() for m in server.smembers(f"{key}:members")]:
        now = server_time(server)
        for token in members:
            beat = server.hget(f"{key}:alive", token)
            if beat is None or now - float(beat) > ORPHAN_SECONDS:
                logger.warning("拆分抓取: 协助进程 %s 无响应，不再等待", token)
                server.srem(f"{key}:members", token)
        if time.monotonic() > deadline:
            return members
        time.sleep(0.2)
    return []


def gather(run: ScanRun) -> None:
    """After the coordinator's crawl: the helpers' work becomes part of the scan's report."""
    from xunjian.scanning import crawl_verdict

    server = _server(run)
    key = prefix(run.site_id, run.scan_id)
    server.set(f"{key}:done", 1)
    left = wait_for_helpers(server, key, ORPHAN_SECONDS * 2)
    if left:
        logger.warning("拆分抓取: 协助进程 %s 仍未结束，站点检查只用已存储的页面", ", ".join(left))
    stats = run.report.stats
    stats["split/coordinator_pages"] = stats.get("pages/stored", 0)
    helpers = {k.decode(): float(v) for k, v in server.hgetall(f"{key}:stats").items()}
    for name, value in helpers.items():
        if name not in UNSUMMED:
            total = stats.get(name, 0) + value
            stats[name] = int(total) if float(total).is_integer() else total
    stats["split/processes"] = 1 + int(helpers.get("split/helpers", 0))
    stats["split/helper_pages"] = int(helpers.get("pages/stored", 0))
    run.status, run.message = crawl_verdict(run.report, run.crawl_errors)


def cleanup(run: ScanRun) -> None:
    """Delete every Redis key of the scan (the queue, dupefilter, seen set, counters)."""
    try:
        server = _server(run)
        keys = list(server.scan_iter(match=f"{prefix(run.site_id, run.scan_id)}:*", count=1000))
        if keys:
            server.delete(*keys)
    except Exception as exc:  # Redis away: the keys stay; they name the scan, nobody reuses them
        logger.warning("拆分抓取: 无法删除 Redis 键: %r", exc)


def join_scan(settings: Settings, site_id: str, scan_id: int, progress: str | None = None) -> int:
    """A helper process of a split crawl; returns the exit code."""
    from xunjian.scanning import ScanRun, crawl

    if not enabled(settings):
        print(f"错误: 未设置 crawl.split_redis_url，无法加入扫描 #{scan_id}", file=sys.stderr, flush=True)
        return EXIT_JOIN_REFUSED
    with session_scope(settings.database.url) as session:
        scan = session.get(Scan, scan_id)
        running = scan is not None and scan.site_id == site_id and scan.status == "running"
    server = connect(settings.crawl.split_redis_url)
    key = prefix(site_id, scan_id)
    ctx = _wait_for_context(server, key) if running else None
    if ctx is None or server.exists(f"{key}:done"):
        print(f"错误: 扫描 #{scan_id} ({site_id}) 不在进行中，或不是拆分抓取", file=sys.stderr, flush=True)
        return EXIT_JOIN_REFUSED
    token = _register(server, key)
    run = ScanRun(settings, scan_id, ctx)
    try:
        crawl(run, progress, XJ_SPLIT_ROLE="helper")
    finally:
        counters = {k: v for k, v in run.report.stats.items() if isinstance(v, (int, float))}
        counters["split/helpers"] = 1
        for name, value in counters.items():
            server.hincrbyfloat(f"{key}:stats", name, value)
        server.srem(f"{key}:members", token)
    logger.info("拆分抓取: 协助进程结束 (%s 页)", counters.get("pages/stored", 0))
    return 0 if run.report.reason == "finished" else 1


def _wait_for_context(server: Redis, key: str) -> object | None:
    deadline = time.monotonic() + JOIN_WAIT_SECONDS
    while time.monotonic() < deadline:
        if (raw := server.get(f"{key}:context")) is not None:
            return pickle.loads(raw)  # noqa: S301 - written by the coordinator of this scan
        if server.exists(f"{key}:done"):
            return None
        time.sleep(0.2)
    return None


def _register(server: Redis, key: str) -> str:
    import os
    import socket

    token = f"{socket.gethostname()}:{os.getpid()}"
    server.sadd(f"{key}:members", token)
    server.hset(f"{key}:alive", token, server_time(server))
    assert token != COORDINATOR
    return token
