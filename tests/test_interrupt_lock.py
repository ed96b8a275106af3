"""A scan interrupted halfway keeps what it stored and says so; a second scan of a locked site is refused."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from sqlalchemy import func, select

from crawl_helpers import latest_scan, register, worker_env, write_settings
from xunjian.storage.db import session_scope
from xunjian.storage.models import Page, Scan, Site
from xunjian.storage.scans import create_scan
from xunjian.storage.locks import acquire_site_lock


def _slow_site(tmp_path, site_server, n: int = 40):
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f'<a href="/_delay/2?p={i}">第{i}页</a>' for i in range(n))
    (root / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    return site_server(root=root)


def test_sigint_marks_scan_interrupted_and_keeps_pages(db_url, tmp_path, site_server):
    site = _slow_site(tmp_path, site_server)
    register(db_url, tmp_path, "slow", site.url)
    env = worker_env(db_url, write_settings(tmp_path, concurrency_per_site=2))
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.worker", "slow", "--as-of", "2026-11-22", "--progress",
                             "json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # wait until the crawl is under way (progress reports pages)
        if '"pages": ' in line and '"pages": 0,' not in line and '"pages": 1,' not in line:
            break
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    scan = latest_scan(db_url, "slow")
    assert scan.status == "interrupted" and scan.finished_at is not None
    assert "中断" in scan.message
    with session_scope(db_url) as s:
        assert s.scalar(select(func.count()).select_from(Page).where(Page.scan_id == scan.id)) >= 2
        assert s.get(Site, "slow").lock_scan_id is None  # lock released


def test_second_scan_of_locked_site_is_refused(sqlite_url, tmp_path, site_server):
    site = site_server(routes={})
    register(sqlite_url, tmp_path, "busy", site.url)
    with session_scope(sqlite_url) as s:  # a scheduled scan is running and holds the lock
        scan = create_scan(s, "busy", __import__("datetime").date(2026, 11, 22), "scheduler", None)
        assert acquire_site_lock(s, "busy", scan.id)
        running_id = scan.id
    proc = subprocess.run([sys.executable, "-m", "xunjian.worker", "busy"], env=worker_env(sqlite_url, write_settings(tmp_path)),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9
    assert "正在扫描" in proc.stderr and f"#{running_id}" in proc.stderr and "scheduler" in proc.stderr
    with session_scope(sqlite_url) as s:
        assert s.scalar(select(func.count()).select_from(Scan)) == 1  # the refused scan left no row
    assert site.hits == []


def test_cli_scan_of_locked_site_is_refused_with_message(sqlite_url, tmp_path, site_server):
    site = site_server(routes={})
    register(sqlite_url, tmp_path, "busy2", site.url)
    with session_scope(sqlite_url) as s:
        scan = create_scan(s, "busy2", __import__("datetime").date(2026, 11, 22), "scheduler", None)
        assert acquire_site_lock(s, "busy2", scan.id)
    env = worker_env(sqlite_url, write_settings(tmp_path))
    proc = subprocess.run([sys.executable, "-m", "xunjian.cli", "scan", "busy2"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 9
    assert "正在扫描中" in proc.stderr and "Traceback" not in proc.stderr


def test_sigterm_to_cli_scan_interrupts_and_keeps_data(sqlite_url, tmp_path, site_server):
    """SIGTERM to `xunjian scan` is forwarded to its worker: exit 130, scan interrupted, pages kept."""
    site = _slow_site(tmp_path, site_server)
    register(sqlite_url, tmp_path, "term", site.url)
    env = worker_env(sqlite_url, write_settings(tmp_path, concurrency_per_site=2))
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "scan", "term"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.5)
        with session_scope(sqlite_url) as s:
            if (s.scalar(select(func.count()).select_from(Page)) or 0) >= 2:
                break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 130, err
    assert "已中断" in err
    scan = latest_scan(sqlite_url, "term")
    assert scan.status == "interrupted" and scan.pages_count >= 2
