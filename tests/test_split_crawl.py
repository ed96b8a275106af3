"""One site's crawl split across two processes with scrapy-redis (crawl.split_redis_url, prototype): a real
coordinator scan plus one ``--join`` helper against the machine's Redis and PostgreSQL, compared with a
normal scan of the same local site."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from crawl_helpers import findings, latest_scan, register, run_worker, worker_env, write_settings
from xunjian.storage.db import session_scope
from xunjian.storage.models import Page, Scan

redis = pytest.importorskip("redis", reason="scrapy-redis (and redis) not installed: pip install xunjian[split]")
pytest.importorskip("scrapy_redis", reason="scrapy-redis not installed: pip install xunjian[split]")

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


def test_split_crawl_matches_a_normal_scan(tmp_path, site_server, sqlite_url, pg_database, redis_server):
    site = site_server(root=SITE)
    # the reference: a normal scan of the same site, in its own database
    normal = tmp_path / "normal"
    normal.mkdir()
    register(sqlite_url, normal, "portal", site.url)
    proc = run_worker("portal", worker_env(sqlite_url, write_settings(normal, download_delay=0.05)))
    assert proc.returncode == 0, proc.stderr
    reference = latest_scan(sqlite_url, "portal")
    assert reference.status == "complete" and reference.pages_count >= 40

    db = pg_database
    site_id = "portal"
    register(db, tmp_path, site_id, site.url)
    env = worker_env(db, write_settings(tmp_path, download_delay=0.15, split_redis_url=REDIS_URL, split_processes=2,
                                        split_grace_seconds=2.0))
    coordinator = _start([site_id], env)
    scan_id = _running_scan(db, site_id)
    helper = _start([site_id, "--join", str(scan_id)], env)
    _, helper_err = helper.communicate(timeout=180)
    assert helper.returncode == 0, helper_err
    out, err = coordinator.communicate(timeout=180)
    assert coordinator.returncode == 0, err

    with session_scope(db) as s:
        scans = list(s.scalars(select(Scan).where(Scan.site_id == site_id)))
        urls = list(s.scalars(select(Page.url).where(Page.scan_id == scan_id)))
        stats = s.get(Scan, scan_id).stats
    assert [(x.id, x.status) for x in scans] == [(scan_id, "complete")]  # the helper made no scan of its own
    assert len(urls) == len(set(urls)), [u for u, n in Counter(urls).items() if n > 1]  # no page stored twice
    with session_scope(sqlite_url) as s:
        reference_urls = set(s.scalars(select(Page.url).where(Page.scan_id == reference.id)))
    assert set(urls) == reference_urls
    # both processes stored pages: the crawl really was split
    assert stats["split/processes"] == 2
    assert stats["split/coordinator_pages"] > 0 and stats["split/helper_pages"] > 0, ({k: v for k, v in stats.items() if 'split' in k or 'sched' in k or 'pages' in k}, helper_err[-3000:])
    assert stats["split/coordinator_pages"] + stats["split/helper_pages"] == len(urls)
    assert _finding_keys(db, site_id) == _finding_keys(sqlite_url, "portal")
    assert list(redis_server.scan_iter(match=f"xunjian:{site_id}:{scan_id}:*")) == []

