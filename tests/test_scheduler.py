"""The 7×24 scheduler: job planning, persistent jobs, probes through an outage, the scan cap, the site
lock, SIGTERM and crash recovery of ``xunjian serve``. Intervals are in seconds; everything is local.

Scans run through a *substitute worker* (a small script written by the tests) that behaves like
``python -m xunjian.worker``: it creates the scan row, takes the site lock (exit 9 if held), sleeps,
marks the scan complete (exit 0) or, on SIGTERM, interrupted (exit 130).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from xunjian import scheduler as sched
from xunjian.config import load_settings
from xunjian.demo.server import send
from xunjian.storage.db import get_engine, session_scope
from xunjian.storage.models import Finding, Probe, Scan, Site

from test_alerts import WebhookReceiver, _Mailbox

FAKE_WORKER = textwrap.dedent("""
    import json, os, signal, sys, time
    from datetime import date
    from xunjian.storage.db import session_scope
    from xunjian.storage.locks import acquire_site_lock, release_site_lock
    from xunjian.storage.models import Scan
    from xunjian.storage.types import utcnow

    url, site = os.environ["XUNJIAN_DATABASE_URL"], sys.argv[1]
    log = os.environ["FAKE_SCAN_LOG"]

    def note(event, **extra):
        with open(log, "a") as fh:
            fh.write(json.dumps({"site": site, "event": event, "t": time.time(), "pid": os.getpid(), **extra}) + "\\n")

    with session_scope(url) as s:
        scan = Scan(site_id=site, status="running", trigger=sys.argv[3], as_of=date.today(), pid=os.getpid())
        s.add(scan)
        s.flush()
        if not acquire_site_lock(s, site, scan.id):
            s.rollback()
            note("locked")
            print(f"错误: 站点 {site} 正在扫描中", file=sys.stderr)
            sys.exit(9)
        scan_id = scan.id

    def finish(status, code):
        with session_scope(url) as s:
            row = s.get(Scan, scan_id)
            row.status, row.finished_at = status, utcnow()
            release_site_lock(s, site, scan_id)
        note("end", status=status)
        sys.exit(code)

    if os.environ.get("FAKE_IGNORE_TERM"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *a: finish("interrupted", 130))
    note("start", scan_id=scan_id)
    time.sleep(float(os.environ.get("FAKE_SCAN_SECONDS", "1")))
    finish("complete", 0)
""")

PAGE = "<html><body><h1>示例市人民政府</h1><p>政务公开 政务服务 互动交流</p></body></html>".encode()


def settings(**over):
    s = load_settings(env={"XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"})
    for dotted, value in over.items():
        section, key = dotted.split("__")
        setattr(getattr(s, section), key, value)
    return s


def add_sites(url, *sites):
    with session_scope(url) as s:
        for site_id, site_url, *rest in sites:
            s.add(Site(id=site_id, name=f"站点{site_id}", url=site_url, status=rest[0] if rest else "online"))


@pytest.fixture
def fake_worker(tmp_path, monkeypatch):
    script = tmp_path / "fake_worker.py"
    script.write_text(FAKE_WORKER, encoding="utf-8")
    log = tmp_path / "scans.jsonl"
    monkeypatch.setenv("FAKE_SCAN_LOG", str(log))

    def events():
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return [sys.executable, str(script)], events


def wait_for(predicate, timeout=10.0, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"condition not met within {timeout}s")


def run_now(service, job_id):
    service.scheduler.modify_job(job_id, next_run_time=datetime.now(timezone.utc))


# ----------------------------------------------------------------------------------- pure planning


def test_scan_slots_spread_over_the_window():
    assert sched.scan_slots(["d", "a", "c", "b"], "01:00-05:00") == {
        "a": (1, 0), "b": (2, 0), "c": (3, 0), "d": (4, 0)}
    assert sched.scan_slots(["a", "b"], "23:00-01:00") == {"a": (23, 0), "b": (0, 0)}
    with pytest.raises(ValueError, match="HH:MM"):
        sched.parse_window("night")


def test_desired_jobs():
    specs = {j.id: j for j in sched.desired_jobs(
        [("a", "online", None), ("b", "offline", None), ("c", "online", "30 2 * * 1")], settings())}
    assert {"sync-registry", "domain-checks", "alerts-retry", "probe:a", "probe:b", "probe:c",
            "scan:a", "scan:c"} == set(specs)
    assert specs["probe:a"].trigger_args["seconds"] == 1800  # 30 min: 48 probes a day
    assert specs["scan:a"].executor == "scans" and specs["scan:a"].func == "xunjian.scheduler:run_scan_job"
    assert specs["scan:c"].trigger == "crontab" and "30 2 * * 1" in specs["scan:c"].name
    assert 0 <= specs["probe:a"].trigger_args["offset"] < 1800


def test_jobs_persist_and_follow_the_registry(db_url):
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    def new_scheduler():
        s = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=get_engine(db_url))},
                                timezone="Asia/Shanghai")
        s.start(paused=True)
        return s

    cfg = settings()
    first = new_scheduler()
    first.remove_all_jobs()
    sites = [("a", "online", None), ("b", "online", None)]
    assert sched.sync_jobs(first, sched.desired_jobs(sites, cfg), 3600)["added"] == 7
    job = first.get_job("scan:a")
    assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 3600)
    assert sched.sync_jobs(first, sched.desired_jobs(sites, cfg), 3600)["kept"] == 7  # idempotent
    first.shutdown()
    second = new_scheduler()  # a restart: the jobs are still there
    assert {j.id for j in second.get_jobs()} >= {"probe:a", "probe:b", "scan:a", "scan:b", "sync-registry"}
    counts = sched.sync_jobs(second, sched.desired_jobs([("a", "online", "0 3 * * *")], cfg), 3600)
    assert counts == {"added": 0, "replaced": 1, "removed": 2, "kept": 4}
    assert "probe:b" not in {j.id for j in second.get_jobs()}
    assert str(second.get_job("scan:a").trigger).startswith("cron[")
    second.remove_all_jobs()
    second.shutdown()


# ------------------------------------------------------------------------------ service, in process


def test_outage_gives_av001_one_alert_and_one_recovery(db_url, site_server):
    sqlite_url = db_url  # SQLite and PostgreSQL (job store included)
    from aiosmtpd.controller import Controller

    state = {"down": False}

    def home(h):
        if state["down"]:
            h.close_connection = True
            h.connection.close()
        else:
            send(h, 200, PAGE)

    server = site_server(routes={"/": home})
    add_sites(sqlite_url, ("gov", server.url))
    hook = WebhookReceiver()
    box = _Mailbox()
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        smtp_port = sock.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    cfg = settings(probe__interval_minutes=0.4 / 60, alerts__consecutive_failures=2, alerts__webhook_url=hook.url,
                   alerts__smtp_host="127.0.0.1", alerts__smtp_port=smtp_port, alerts__smtp_to=["ops@example.gov.cn"])
    service = sched.Service(cfg, sqlite_url, worker_command=[sys.executable, "-c", "pass"])

    def outcomes():
        with session_scope(sqlite_url) as s:
            return [p.outcome for p in s.scalars(select(Probe).order_by(Probe.at))]

    try:
        service.start()
        wait_for(lambda: len(outcomes()) >= 2)
        state["down"] = True
        wait_for(lambda: hook.received)
        n = len(outcomes())
        wait_for(lambda: len(outcomes()) >= n + 3)  # still down: no second alert
        assert len(hook.received) == 1
        state["down"] = False
        wait_for(lambda: len(hook.received) == 2)
        wait_for(lambda: len(box.messages) == 2)
        time.sleep(1)
    finally:
        service.stop(timeout=5)
        controller.stop()
        hook.close()
    seen = outcomes()
    assert seen[0] == "up" and "down" in seen and seen[-1] == "up"
    assert [p["type"] for p in hook.received] == ["alert", "recovery"]
    assert [subject[:6] for subject, _ in box.messages] == ["【巡检告警】", "【巡检恢复】"]
    with session_scope(sqlite_url) as s:
        av001 = list(s.scalars(select(Finding).where(Finding.rule == "AV001")))
        assert len(av001) == 1 and av001[0].source == "probe"  # one per site-day
        assert av001[0].evidence["failures_that_day"] == seen.count("down")


def test_scan_cap_and_registry_resync(sqlite_url, fake_worker, monkeypatch):
    command, events = fake_worker
    monkeypatch.setenv("FAKE_SCAN_SECONDS", "0.8")
    add_sites(sqlite_url, ("a", "http://127.0.0.1:9/"), ("b", "http://127.0.0.1:9/"))
    cfg = settings(scheduler__max_concurrent_scans=1, scheduler__sync_seconds=0.5, probe__interval_minutes=600)
    service = sched.Service(cfg, sqlite_url, worker_command=command)
    try:
        service.start()
        run_now(service, "scan:a")
        run_now(service, "scan:b")
        wait_for(lambda: len([e for e in events() if e["event"] == "end"]) == 2)
        add_sites(sqlite_url, ("c", "http://127.0.0.1:9/"))
        wait_for(lambda: service.scheduler.get_job("scan:c"))  # the registry change was picked up
    finally:
        service.stop(timeout=5)
    spans = {}
    for e in events():
        spans.setdefault(e["site"], {})[e["event"]] = e["t"]
    first, second = sorted(spans.values(), key=lambda s: s["start"])
    assert second["start"] >= first["end"] - 0.05  # never two scans at once with a cap of 1
    with session_scope(sqlite_url) as s:
        assert sorted(x.status for x in s.scalars(select(Scan))) == ["complete", "complete"]


def test_stop_forwards_sigterm_and_marks_stubborn_scans_interrupted(sqlite_url, fake_worker, monkeypatch):
    command, events = fake_worker
    monkeypatch.setenv("FAKE_SCAN_SECONDS", "30")
    add_sites(sqlite_url, ("a", "http://127.0.0.1:9/"), ("b", "http://127.0.0.1:9/"))
    cfg = settings(scheduler__max_concurrent_scans=2, probe__interval_minutes=600)
    service = sched.Service(cfg, sqlite_url, worker_command=command)
    service.start()
    run_now(service, "scan:a")
    wait_for(lambda: [e for e in events() if e["event"] == "start"])
    monkeypatch.setenv("FAKE_IGNORE_TERM", "1")
    run_now(service, "scan:b")
    wait_for(lambda: len([e for e in events() if e["event"] == "start"]) == 2)
    start = time.monotonic()
    service.stop(timeout=1.5)
    assert time.monotonic() - start < 6
    with session_scope(sqlite_url) as s:
        statuses = {x.site_id: x.status for x in s.scalars(select(Scan))}
        locks = [x.lock_scan_id for x in s.scalars(select(Site))]
    assert statuses == {"a": "interrupted", "b": "interrupted"}  # a by itself, b by the service
    assert locks == [None, None]
    assert [e["site"] for e in events() if e["event"] == "end"] == ["a"]


def test_locked_site_is_refused_by_the_real_worker(sqlite_url):
    """A CLI scan during a running (scheduled) scan of the same site is refused with exit 9."""
    add_sites(sqlite_url, ("a", "http://127.0.0.1:9/"))
    with session_scope(sqlite_url) as s:
        scan = Scan(site_id="a", status="running", trigger="scheduler", as_of=datetime.now().date(), pid=os.getpid())
        s.add(scan)
        s.flush()
        s.get(Site, "a").lock_scan_id = scan.id
    env = {**os.environ, "XUNJIAN_DATABASE_URL": sqlite_url, "XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8"}
    env.pop("XUNJIAN_CONFIG", None)
    proc = subprocess.run([sys.executable, "-m", "xunjian.worker", "a", "--trigger", "cli"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 9, proc.stderr
    assert "正在扫描中" in proc.stderr and "scheduler" in proc.stderr


def test_scan_job_runs_the_real_worker(sqlite_url, tmp_path, site_server, monkeypatch):
    root = tmp_path / "site"
    (root / "zwgk").mkdir(parents=True)
    (root / "index.html").write_text('<html><head><title>示例市人民政府</title></head><body>'
                                     '<a href="/zwgk/">政务公开</a><a href="/missing.pdf">附件</a></body></html>',
                                     encoding="utf-8")
    (root / "zwgk" / "index.html").write_text("<html><body><ul><li>通知 2026-11-20</li></ul></body></html>",
                                              encoding="utf-8")
    server = site_server(root=root)
    with session_scope(sqlite_url) as s:
        s.add(Site(id="tiny", name="示例市", url=server.url, render="never"))
    config = tmp_path / "settings.yaml"
    config.write_text("crawl: {timeout: 3, retry_times: 0, autothrottle: false}\n", encoding="utf-8")
    monkeypatch.setenv("XUNJIAN_ALLOW_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("XUNJIAN_OFFLINE", "1")
    cfg = load_settings(config, env={"XUNJIAN_DATABASE_URL": sqlite_url})
    monkeypatch.setattr(sched, "_runtime", sched.Runtime(cfg, sqlite_url, [sys.executable, "-m", "xunjian.worker"]))
    assert sched.run_scan_job("tiny") == 0
    with session_scope(sqlite_url) as s:
        [scan] = s.scalars(select(Scan))
        assert (scan.status, scan.trigger) == ("complete", "scheduler") and scan.pages_count >= 2
        assert s.get(Site, "tiny").lock_scan_id is None


# ---------------------------------------------------------------------------- serve, as a process


def _serve(config, env):
    xunjian = os.path.join(os.path.dirname(sys.executable), "xunjian")
    return subprocess.Popen([xunjian, "--config", str(config), "serve"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _job_ids(url):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    try:
        with get_engine(url).connect() as conn:
            return {r[0] for r in conn.execute(text("SELECT id FROM apscheduler_jobs"))}
    except OperationalError:  # serve has not created its job table yet
        return set()


def _make_due(url, job_id):
    """Simulate downtime over a job's slot: its stored next run time moves into the past."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    store = SQLAlchemyJobStore(engine=get_engine(url))
    store._scheduler, store._alias = None, "default"
    job = store.lookup_job(job_id)
    job.next_run_time = datetime.now(timezone.utc) - timedelta(minutes=5)
    store.update_job(job)


def test_serve_killed_and_restarted_loses_no_job_and_leaves_no_scan_running(sqlite_url, fake_worker, tmp_path,
                                                                             site_server):
    command, events = fake_worker
    server = site_server(routes={"/": lambda h: send(h, 200, PAGE)})
    add_sites(sqlite_url, ("a", server.url))
    config = tmp_path / "settings.yaml"
    config.write_text(textwrap.dedent(f"""
        database: {{url: "{sqlite_url}"}}
        crawl: {{allow_networks: ["127.0.0.0/8"]}}
        probe: {{interval_minutes: 0.02}}
        scheduler: {{worker_command: {json.dumps(command)}, stop_timeout_seconds: 10, sync_seconds: 1}}
    """), encoding="utf-8")
    env = {**os.environ, "FAKE_SCAN_SECONDS": "60"}
    env.pop("XUNJIAN_DATABASE_URL", None)
    first = _serve(config, env)
    try:
        wait_for(lambda: {"probe:a", "scan:a", "sync-registry"} <= _job_ids(sqlite_url), timeout=20)
        _make_due(sqlite_url, "scan:a")  # the missed nightly run is started once
        start = wait_for(lambda: [e for e in events() if e["event"] == "start"], timeout=20)[0]
    finally:
        first.kill()  # a crash: serve and its worker die with no chance to clean up
        for e in events():
            if e["event"] == "start":
                os.kill(e["pid"], signal.SIGKILL)
        first.communicate()  # (the worker shares serve's stderr: it must be gone first)
    jobs_before = _job_ids(sqlite_url)
    with session_scope(sqlite_url) as s:
        assert s.get(Scan, start["scan_id"]).status == "running"
    second = _serve(config, env)
    try:
        def crashed_scan_failed():
            with session_scope(sqlite_url) as s:
                return s.get(Scan, start["scan_id"]).status == "failed"

        wait_for(crashed_scan_failed, timeout=20)
        assert _job_ids(sqlite_url) == jobs_before  # no job lost
        _make_due(sqlite_url, "scan:a")
        wait_for(lambda: len([e for e in events() if e["event"] == "start"]) == 2, timeout=20)

        def probed():  # the probe job (every 1.2 s) ran too: on a loaded machine it may trail the scan job
            with session_scope(sqlite_url) as s:
                return s.scalar(select(Probe.id).limit(1)) is not None

        wait_for(probed, timeout=30)
    finally:
        second.send_signal(signal.SIGTERM)
        _, err = second.communicate(timeout=30)
    assert second.returncode == 0, err
    assert "received SIGTERM" in err and "exited 130" in err and "serve stopped" in err
    with session_scope(sqlite_url) as s:
        statuses = [x.status for x in s.scalars(select(Scan).order_by(Scan.id))]
        assert statuses == ["failed", "interrupted"]
        assert s.get(Site, "a").lock_scan_id is None
        assert s.scalar(select(Probe.id).limit(1)) is not None
