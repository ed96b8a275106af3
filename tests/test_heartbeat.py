"""Heartbeats of running scans: the host is recorded, a live scan beats, and a scan whose machine died
(another host, no heartbeat for ``stale_minutes``) is failed by the reaper on any host — SQLite and PostgreSQL."""

from __future__ import annotations

import os
import socket
import time
from datetime import date, timedelta

from sqlalchemy import select

from xunjian.storage.db import session_scope
from xunjian.storage.heartbeat import BEAT, HOST, Heartbeat, last_beat
from xunjian.storage.locks import acquire_site_lock
from xunjian.storage.maintenance import fail_orphaned_scans
from xunjian.storage.models import Scan, Site
from xunjian.storage.scans import create_scan, finish_scan
from xunjian.storage.types import utcnow


def _site(db_url: str, site_id: str = "hb-gov") -> str:
    with session_scope(db_url) as s:
        s.add(Site(id=site_id, name="示例市人民政府", url="http://www.example.gov.cn/"))
    return site_id


def _scan(db_url: str, site_id: str, pid: int | None, stats: dict | None = None) -> int:
    with session_scope(db_url) as s:
        scan = create_scan(s, site_id, date(2026, 11, 22), "queue", pid)
        if stats is not None:
            scan.stats = stats
        s.flush()
        assert acquire_site_lock(s, site_id, scan.id)
        return scan.id


def test_a_scan_records_its_host_and_keeps_it_when_finished(db_url):
    scan_id = _scan(db_url, _site(db_url), os.getpid())
    with session_scope(db_url) as s:
        stats = s.get(Scan, scan_id).stats
        assert stats[HOST] == socket.gethostname() and last_beat(stats, None) is not None
        finish_scan(s, scan_id, "complete", None, {"pages/stored": 3})
    with session_scope(db_url) as s:
        assert s.get(Scan, scan_id).stats == {HOST: socket.gethostname(), "pages/stored": 3}


def test_the_heartbeat_thread_beats_while_running_and_never_after(db_url):
    scan_id = _scan(db_url, _site(db_url), os.getpid())
    with session_scope(db_url) as s:
        first = s.get(Scan, scan_id).stats[BEAT]
    with Heartbeat(db_url, scan_id, 0.2):
        time.sleep(1.0)
        with session_scope(db_url) as s:
            beaten = s.get(Scan, scan_id).stats
        assert beaten[BEAT] > first and beaten[HOST] == socket.gethostname()
        with session_scope(db_url) as s:
            finish_scan(s, scan_id, "complete", None, {"pages/stored": 1})
        time.sleep(0.6)  # beats after the finish must not touch the finished row
    with session_scope(db_url) as s:
        assert BEAT not in s.get(Scan, scan_id).stats


def test_a_dead_machine_scan_is_failed_and_a_live_remote_one_is_left_alone(db_url):
    dead_site, live_site, local_site = _site(db_url, "hb-dead"), _site(db_url, "hb-live"), _site(db_url, "hb-local")
    old = (utcnow() - timedelta(minutes=25)).isoformat()
    dead = _scan(db_url, dead_site, 4242, {HOST: "worker-b.example", BEAT: old})
    live = _scan(db_url, live_site, 4243, {HOST: "worker-c.example", BEAT: utcnow().isoformat()})
    local = _scan(db_url, local_site, os.getpid())  # this host, live pid
    with session_scope(db_url) as s:
        reaped = [scan.id for scan in fail_orphaned_scans(s, stale_minutes=10)]
    assert reaped == [dead]
    with session_scope(db_url) as s:
        rows = {scan.id: scan for scan in s.scalars(select(Scan))}
        assert rows[dead].status == "failed" and "worker-b.example" in rows[dead].message
        assert "没有心跳" in rows[dead].message and "25 分钟" in rows[dead].message
        assert rows[live].status == "running" and rows[local].status == "running"
        assert s.get(Site, dead_site).lock_scan_id is None
        assert s.get(Site, live_site).lock_scan_id == live
    with session_scope(db_url) as s:  # reaping again changes nothing: the live remote scan keeps running
        assert fail_orphaned_scans(s, stale_minutes=10) == []


def test_a_remote_scan_without_any_heartbeat_falls_back_to_its_start(db_url):
    site = _site(db_url)
    scan_id = _scan(db_url, site, 99999, {HOST: "worker-d.example"})
    with session_scope(db_url) as s:
        s.get(Scan, scan_id).started_at = utcnow() - timedelta(hours=2)
    with session_scope(db_url) as s:
        assert fail_orphaned_scans(s, stale_minutes=60)[0].id == scan_id
