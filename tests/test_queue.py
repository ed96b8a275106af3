"""Scans on the distributed task queue: real RabbitMQ, real PostgreSQL, 2-3 real ``xunjian queue-worker``
processes, local fixture sites on 127.0.0.1.

- queued scans of four sites give the same findings as direct scans;
- a worker killed with SIGKILL mid-scan: the task is redelivered, the scan completes once, nothing is left
  locked or running, no finding is duplicated;
- a queued scan of a locked site waits for the lock (retried), then runs;
- a broker that is down at enqueue time: exit 10, a clear message, nothing written.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from conftest import _truncate
from crawl_helpers import TEST_SETTINGS, register, worker_env
from xunjian.storage.db import session_scope, upgrade
from xunjian.storage.models import Finding, Scan, Site

BROKER = os.environ.get("XUNJIAN_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
ROOT = Path(__file__).resolve().parents[1]
SITES = {
    "q-demo": ROOT / "demo" / "site",
    "q-columns": ROOT / "tests" / "fixtures" / "sites" / "columns",
    "q-render": ROOT / "tests" / "fixtures" / "sites" / "render",
    "q-links": ROOT / "tests" / "fixtures" / "sites" / "links",
}
HOME = {"q-links": "gbk.html"}  # the links fixture folder has no index page
AS_OF = "2026-11-22"

pytestmark = pytest.mark.postgres


def _broker_missing() -> str | None:
    from kombu import Connection

    try:
        with Connection(BROKER, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # any failure: skip with the reason
        return f"RabbitMQ not reachable at {BROKER}: {exc}"
    return None


@pytest.fixture(scope="module")
def broker() -> str:
    reason = _broker_missing()
    if reason:
        pytest.skip(reason)
    return BROKER


@pytest.fixture
def qenv(tmp_path, pg_database, broker):
    """Environment for workers and the CLI: PostgreSQL, the broker, a queue of this test's own."""
    _truncate(pg_database)
    queue = f"xj-test-{uuid.uuid4().hex[:8]}"
    settings = {"crawl": dict(TEST_SETTINGS["crawl"]),
                "queue": {"name": queue, "locked_retry_seconds": 1, "locked_max_retries": 60}}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    env = worker_env(pg_database, path)
    env["XUNJIAN_BROKER_URL"] = broker
    yield {"env": env, "db": pg_database, "queue": queue, "settings": path, "tmp": tmp_path}
    _delete_queue(broker, queue)


def _delete_queue(url: str, name: str) -> None:
    from kombu import Connection

    with Connection(url) as conn, conn.channel() as channel:
        try:
            channel.queue_delete(name)
        except Exception:
            pass


class Workers:
    """``xunjian queue-worker`` processes, each in its own process group (so one can be killed whole)."""

    def __init__(self, env: dict, tmp: Path):
        self.env, self.tmp, self.procs = env, tmp, []

    def start(self, n: int, concurrency: int = 1) -> None:
        for i in range(n):
            log = open(self.tmp / f"worker{len(self.procs)}.log", "w")
            proc = subprocess.Popen([sys.executable, "-m", "xunjian.cli", "queue-worker", "--concurrency",
                                     str(concurrency), "--name", f"w{len(self.procs)}-{uuid.uuid4().hex[:4]}@%h"],
                                    env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            self.procs.append(proc)
        self.wait_ready(len(self.procs))

    def wait_ready(self, n: int, timeout: float = 60) -> None:
        from xunjian.config import load_settings
        from xunjian.taskqueue.app import make_app

        app = make_app(load_settings(env=self.env), env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(app.control.ping(timeout=1) or []) >= n:
                return
        raise AssertionError(f"only some of {n} queue workers came up:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:] for p in sorted(self.tmp.glob("worker*.log")))

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.fixture
def workers(qenv):
    pool = Workers(qenv["env"], qenv["tmp"])
    yield pool
    pool.stop()


def cli(env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xunjian.cli", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)


def scans(db: str, site_id: str | None = None) -> list[Scan]:
    with session_scope(db) as s:
        query = select(Scan).order_by(Scan.id)
        if site_id:
            query = query.where(Scan.site_id == site_id)
        return list(s.scalars(query))


def wait_for(predicate, timeout: float, what: str, logs=lambda: "") -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{logs()}")


def finding_set(db: str, site_id: str) -> set[tuple]:
    with session_scope(db) as s:
        rows = s.scalars(select(Finding).where(Finding.site_id == site_id, Finding.status == "open"))
        return {(f.rule, f.page, f.target, f.message) for f in rows if not f.rule.startswith("AV")}


def test_queued_scans_equal_direct_scans(qenv, workers, site_server, tmp_path):
    servers = {sid: site_server(root=root) for sid, root in SITES.items()}
    direct_db = f"sqlite:///{tmp_path / 'direct.db'}"
    upgrade(direct_db)
    for sid, server in servers.items():
        register(qenv["db"], tmp_path, sid, server.url + HOME.get(sid, ""))
        register(direct_db, tmp_path, sid, server.url + HOME.get(sid, ""))
    direct_env = {**qenv["env"], "XUNJIAN_DATABASE_URL": direct_db}
    for sid in SITES:
        done = subprocess.run([sys.executable, "-m", "xunjian.worker", sid, "--as-of", AS_OF], env=direct_env,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]

    workers.start(3)
    result = cli(qenv["env"], "scan", "--all", "--queue", "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("已排队") == len(SITES)
    wait_for(lambda: sum(s.status == "complete" for s in scans(qenv["db"])) == len(SITES), 240,
             "four queued scans to complete", workers.logs)

    runs = scans(qenv["db"])
    assert len(runs) == len(SITES) and all(s.trigger == "queue" for s in runs)
    for sid in SITES:
        queued, direct = finding_set(qenv["db"], sid), finding_set(direct_db, sid)
        assert queued == direct, sid
    assert any(finding_set(qenv["db"], sid) for sid in SITES)  # the comparison compared something

    status = cli(qenv["env"], "queue", "status", "--format", "json")
    assert status.returncode == 0, status.stderr
    summary = json.loads(status.stdout)
    assert summary["queue"] == qenv["queue"] and summary["queued"] == 0
    assert len(summary["workers"]) == 3
    assert sum(w["processed"] for w in summary["workers"].values()) >= len(SITES)


def _slow_settings(qenv) -> None:
    data = yaml.safe_load(qenv["settings"].read_text())
    data["crawl"].update(download_delay=0.4, concurrency_per_site=1)
    qenv["settings"].write_text(yaml.safe_dump(data), encoding="utf-8")


def test_sigkilled_worker_scan_is_redelivered_and_completes_once(qenv, workers, site_server):
    _slow_settings(qenv)  # about 25 s for the demo site: time to kill the worker mid-scan
    server = site_server(root=SITES["q-demo"])
    register(qenv["db"], qenv["tmp"], "q-demo", server.url)
    workers.start(2)
    assert cli(qenv["env"], "scan", "q-demo", "--queue", "--as-of", AS_OF).returncode == 0

    def running_with_pages():
        runs = scans(qenv["db"], "q-demo")
        return runs and runs[-1].status == "running" and runs[-1].pages_count > 0

    wait_for(running_with_pages, 60, "the queued scan to be running", workers.logs)
    import psutil

    scan_pid = scans(qenv["db"], "q-demo")[-1].pid
    victim = next(p for p in workers.procs if scan_pid in {c.pid for c in psutil.Process(p.pid).children(True)})
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()

    wait_for(lambda: any(s.status == "complete" for s in scans(qenv["db"], "q-demo")), 180,
             "the redelivered scan to complete", workers.logs)
    time.sleep(3)  # a second (duplicate) delivery would have started by now
    runs = scans(qenv["db"], "q-demo")
    assert [s.status for s in runs].count("complete") == 1
    assert all(s.status != "running" for s in runs)
    assert runs[0].status in ("failed", "interrupted")  # the killed attempt, recorded as such
    with session_scope(qenv["db"]) as s:
        assert s.get(Site, "q-demo").lock_scan_id is None
        fps = list(s.scalars(select(Finding.fingerprint).where(Finding.site_id == "q-demo")))
    assert fps and len(fps) == len(set(fps))


def test_queued_scan_of_locked_site_waits_then_runs(qenv, workers, site_server):
    from xunjian.storage.locks import acquire_site_lock, release_site_lock
    from xunjian.storage.scans import create_scan

    server = site_server(root=SITES["q-links"])
    register(qenv["db"], qenv["tmp"], "q-links", server.url + HOME["q-links"])
    with session_scope(qenv["db"]) as s:  # a live scan (this test's own process) holds the lock
        holder = create_scan(s, "q-links", __import__("datetime").date(2026, 11, 22), "cli", os.getpid())
        holder.stats = {"host": __import__("socket").gethostname()}
        s.flush()
        holder_id = holder.id
        assert acquire_site_lock(s, "q-links", holder_id)
    workers.start(2)
    assert cli(qenv["env"], "scan", "q-links", "--queue", "--as-of", AS_OF).returncode == 0
    wait_for(lambda: "正被另一个扫描占用" in workers.logs(), 60, "the locked message", workers.logs)
    assert not any(s.status == "complete" for s in scans(qenv["db"], "q-links"))
    with session_scope(qenv["db"]) as s:
        release_site_lock(s, "q-links", holder_id)
        s.get(Scan, holder_id).status = "complete"
    wait_for(lambda: sum(s.status == "complete" for s in scans(qenv["db"], "q-links")) == 2, 120,
             "the waiting scan to run after the lock was released", workers.logs)


def test_broker_down_at_enqueue_is_a_clear_error_and_writes_nothing(qenv, site_server):
    server = site_server(root=SITES["q-links"])
    register(qenv["db"], qenv["tmp"], "q-links", server.url + HOME["q-links"])
    env = {**qenv["env"], "XUNJIAN_BROKER_URL": "amqp://guest:guest@127.0.0.1:1//"}
    result = cli(env, "scan", "--all", "--queue")
    assert result.returncode == 10
    assert "消息队列不可用" in result.stderr and "Traceback" not in result.stderr
    assert scans(qenv["db"]) == []
    status = cli(env, "queue", "status")
    assert status.returncode == 10 and "消息队列不可用" in status.stderr
