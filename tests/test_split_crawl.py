"""One site's crawl split across two processes with scrapy-redis (crawl.split_redis_url, prototype): a real
coordinator scan plus one ``--join`` helper against the machine's Redis and PostgreSQL, compared with a
normal scan of the same local site."""

from __future__ import annotations

import pickle
import subprocess
import sys
import time
from datetime import date
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from crawl_helpers import findings, latest_scan, register, run_worker, worker_env, write_settings
from xunjian.storage.db import session_scope
from xunjian.storage.models import Page, Scan

redis = pytest.importorskip("redis", reason="scrapy-redis (and redis) not installed: pip install xunjian[split]")
pytest.importorskip("scrapy_redis", reason="scrapy-redis not installed: pip install xunjian[split]")

AS_OF = date(2026, 11, 22)
REDIS_URL = "redis://127.0.0.1:6379/0"
SITE = Path(__file__).parent / "fixtures" / "sites" / "columns"


@pytest.fixture
def redis_server():
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379 (the split crawl needs a real Redis)")
    return server


def _finding_keys(db_url: str, site_id: str) -> Counter:
    return Counter((f.rule, f.page, f.target, f.fingerprint) for f in findings(db_url, site_id) if f.status == "open")


def _start(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "xunjian.worker", *args, "--as-of", "2026-11-22"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _running_scan(db_url: str, site_id: str, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        scan = latest_scan(db_url, site_id)
        if scan is not None and scan.status == "running":
            return scan.id
        time.sleep(0.1)
    raise AssertionError("the coordinator never started its scan")


def _split_scan(db: str, tmp_path: Path, site_id: str) -> tuple[int, str]:
    """A coordinator plus one ``--join`` helper; (scan id, the helper's stderr)."""
    env = worker_env(db, write_settings(tmp_path, download_delay=0.15, split_redis_url=REDIS_URL, split_processes=2,
                                        split_grace_seconds=2.0))
    coordinator = _start([site_id], env)
    scan_id = _running_scan(db, site_id)
    helper = _start([site_id, "--join", str(scan_id)], env)
    _, helper_err = helper.communicate(timeout=180)
    assert helper.returncode == 0, helper_err
    _, err = coordinator.communicate(timeout=180)
    assert coordinator.returncode == 0, err
    return scan_id, helper_err


def _normal_scan(db: str, tmp_path: Path, site_id: str, url: str, **extra) -> Scan:
    """The reference: a normal scan of the same site, in its own database."""
    register(db, tmp_path, site_id, url, **extra)
    proc = run_worker(site_id, worker_env(db, write_settings(tmp_path, download_delay=0.05)))
    assert proc.returncode == 0, proc.stderr
    return latest_scan(db, site_id)


def _urls(db: str, scan_id: int) -> list[str]:
    with session_scope(db) as s:
        return list(s.scalars(select(Page.url).where(Page.scan_id == scan_id)))


def test_split_crawl_matches_a_normal_scan(tmp_path, site_server, sqlite_url, pg_database, redis_server):
    site = site_server(root=SITE)
    normal = tmp_path / "normal"
    normal.mkdir()
    reference = _normal_scan(sqlite_url, normal, "portal", site.url)
    assert reference.status == "complete" and reference.pages_count >= 40

    db, site_id = pg_database, "portal"
    register(db, tmp_path, site_id, site.url)
    scan_id, helper_err = _split_scan(db, tmp_path, site_id)

    with session_scope(db) as s:
        scans = [(x.id, x.status) for x in s.scalars(select(Scan).where(Scan.site_id == site_id))]
        stats = s.get(Scan, scan_id).stats
    urls = _urls(db, scan_id)
    assert scans == [(scan_id, "complete")]  # the helper made no scan of its own
    assert len(urls) == len(set(urls)), [u for u, n in Counter(urls).items() if n > 1]  # no page stored twice
    assert set(urls) == set(_urls(sqlite_url, reference.id))
    # both processes stored pages: the crawl really was split
    assert stats["split/processes"] == 2
    assert stats["split/coordinator_pages"] > 0 and stats["split/helper_pages"] > 0, helper_err[-3000:]
    assert stats["split/coordinator_pages"] + stats["split/helper_pages"] == len(urls)
    assert _finding_keys(db, site_id) == _finding_keys(sqlite_url, "portal")
    assert list(redis_server.scan_iter(match=f"xunjian:{site_id}:{scan_id}:*")) == []


def test_split_crawl_keeps_one_page_budget(tmp_path, site_server, sqlite_url, pg_database, redis_server):
    """The registry's max_pages holds across both processes (a Redis counter): the same pages as one crawler."""
    site = site_server(root=SITE)
    normal = tmp_path / "normal"
    normal.mkdir()
    reference = _normal_scan(sqlite_url, normal, "budget", site.url, max_pages=15)
    assert reference.status == "partial"
    register(pg_database, tmp_path, "budget", site.url, max_pages=15)
    scan_id, _ = _split_scan(pg_database, tmp_path, "budget")
    urls = _urls(pg_database, scan_id)
    assert latest_scan(pg_database, "budget").status == "partial"
    assert len(urls) == len(set(urls)) == len(_urls(sqlite_url, reference.id))


def test_helper_waits_for_the_coordinator(tmp_path, sqlite_url, redis_server):
    """A helper whose queue is empty does not close on its own idleness; it stops when the crawl is done."""
    from xunjian.config import load_settings
    from xunjian.crawler.split import COORDINATOR, prefix, server_time
    from xunjian.scanning import finish, start_scan

    register(sqlite_url, tmp_path, "idle", "http://127.0.0.1:9/")
    env = worker_env(sqlite_url, write_settings(tmp_path, split_redis_url=REDIS_URL, split_grace_seconds=0.5))
    run = start_scan(load_settings(env=env), "idle", AS_OF, "cli")  # the coordinator's scan row, lock, context
    key = prefix("idle", run.scan_id)
    redis_server.set(f"{key}:context", pickle.dumps(run.ctx))
    redis_server.hset(f"{key}:alive", COORDINATOR, server_time(redis_server))
    helper = _start(["idle", "--join", str(run.scan_id)], env)
    try:
        deadline = time.monotonic() + 6  # well past the grace period, with nothing in the queue
        while time.monotonic() < deadline:
            redis_server.hset(f"{key}:alive", COORDINATOR, server_time(redis_server))
            assert helper.poll() is None, helper.communicate()[1][-2000:]
            time.sleep(0.3)
        assert redis_server.scard(f"{key}:members") == 1  # it joined, and stays
        redis_server.set(f"{key}:done", 1)
        _, err = helper.communicate(timeout=30)
        assert helper.returncode == 0, err
        assert not redis_server.smembers(f"{key}:members")  # it left
    finally:
        if helper.poll() is None:
            helper.kill()
        finish(run)
    assert list(redis_server.scan_iter(match=f"{key}:*")) == []  # finish deletes the scan's keys


def test_join_refused_without_a_running_split_scan(tmp_path, sqlite_url, redis_server):
    register(sqlite_url, tmp_path, "nojoin", "http://127.0.0.1:9/")
    env = worker_env(sqlite_url, write_settings(tmp_path, split_redis_url=REDIS_URL))
    helper = _start(["nojoin", "--join", "4242"], env)
    _, err = helper.communicate(timeout=60)
    assert helper.returncode == 8 and "不在进行中" in err
    assert latest_scan(sqlite_url, "nojoin") is None
