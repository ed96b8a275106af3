"""One scan path: a CLI scan and a scheduled scan of the same site give the same findings, the same
score row and the same alerts (both run every phase of :mod:`xunjian.scanning` in a worker process).

The CLI scan is the real ``xunjian scan`` command; the scheduled one is the scheduler's job function
(:func:`xunjian.scheduler.run_scan_job`) run directly. Each has its own database and its own local
webhook receiver, so both are a first scan of the site and their alerts can be compared one to one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import select

from test_alerts import WebhookReceiver
from xunjian import scheduler as sched
from xunjian.cli.demo import DEMO_SITE
from xunjian.config import load_settings
from xunjian.demo.server import SiteServer
from xunjian.storage.db import ensure_schema, session_scope
from xunjian.storage.models import Finding, Scan, Score
from xunjian.storage.registry import parse_registry, upsert_sites

SITE_ID = "demo-gov"


def _setup(tmp_path: Path, name: str, site_url: str, hook_url: str) -> tuple[str, Path]:
    db = f"sqlite:///{tmp_path / name}.db"
    ensure_schema(db)
    registry = tmp_path / f"{name}-sites.yaml"
    registry.write_text(yaml.safe_dump({"sites": [{
        "id": SITE_ID, "name": "示例市人民政府", "url": site_url, "kind": "portal", "site_code": "1199000001",
        "sponsor": "示例市人民政府办公室", "render": "never"}]}, allow_unicode=True), encoding="utf-8")
    with session_scope(db) as s:
        upsert_sites(s, parse_registry(registry))
    config = tmp_path / f"{name}.yaml"
    config.write_text(yaml.safe_dump({
        "database": {"url": db},
        "crawl": {"timeout": 5, "retry_times": 0, "autothrottle": False},
        "alerts": {"webhook_url": hook_url, "retry_seconds": 0},
    }), encoding="utf-8")
    return db, config


def _findings(db: str) -> list[tuple]:
    with session_scope(db) as s:
        rows = s.scalars(select(Finding).where(Finding.site_id == SITE_ID))
        return sorted((f.rule, f.severity, f.page or "", f.target or "", f.message, f.fingerprint, f.status, f.source)
                      for f in rows)


def _without_ids(value):  # noqa: ANN001, ANN202 - JSON
    """Finding row ids depend on the order pages were stored in each database; the rest must agree."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if not (k == "id" and "rule" in value)}
    if isinstance(value, list):
        items = [_without_ids(v) for v in value]
        return sorted(items, key=repr) if items and all(isinstance(v, dict) and "rule" in v for v in items) else items
    return value


def _score(db: str) -> tuple:
    with session_scope(db) as s:
        [row] = s.scalars(select(Score).where(Score.site_id == SITE_ID))
        return row.verdict, row.score, _without_ids(row.details)


def _scan(db: str) -> Scan:
    with session_scope(db) as s:
        [scan] = s.scalars(select(Scan))
        s.expunge(scan)
        return scan


def _alerts(hook: WebhookReceiver) -> list[tuple]:
    def strip(text: str) -> str:  # the send time differs; everything else must not
        return "\n".join(line for line in text.splitlines() if not line.startswith(("时间", "恢复时间")))

    return sorted((p["type"], p["kind"], p["site"], p["event"], p["subject"], strip(p["text"])) for p in hook.received)


def test_cli_scan_and_scheduled_scan_agree(tmp_path, monkeypatch):
    for key in [k for k in os.environ if k.startswith("XUNJIAN_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("XUNJIAN_ALLOW_NETWORKS", "127.0.0.0/8")
    monkeypatch.setenv("XUNJIAN_OFFLINE", "1")
    hook_cli, hook_job = WebhookReceiver(), WebhookReceiver()
    try:
        with SiteServer(DEMO_SITE) as server:
            cli_db, cli_config = _setup(tmp_path, "cli", server.url, hook_cli.url)
            job_db, job_config = _setup(tmp_path, "job", server.url, hook_job.url)
            xunjian = os.path.join(os.path.dirname(sys.executable), "xunjian")
            proc = subprocess.run([xunjian, "--config", str(cli_config), "scan", SITE_ID], env=dict(os.environ),
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr
            cfg = load_settings(job_config)
            monkeypatch.setattr(sched, "_runtime", sched.Runtime(cfg, job_db, None))
            assert sched.run_scan_job(SITE_ID) == 0
    finally:
        hook_cli.close()
        hook_job.close()
    cli_scan, job_scan = _scan(cli_db), _scan(job_db)
    assert (cli_scan.status, cli_scan.trigger, job_scan.status, job_scan.trigger) == (
        "complete", "cli", "complete", "scheduler")
    host = __import__("socket").gethostname()  # both record the host that ran them (heartbeat, orphan reaping)
    assert cli_scan.stats["host"] == job_scan.stats["host"] == host
    for scan in (cli_scan, job_scan):  # when each phase started (benchmarks/crawl_bench.py prints them)
        starts = [scan.stats[f"timing/{phase}_start_s"] for phase in ("gather_split", "discover_columns", "site_checks",
                                                                       "record_findings")]
        assert 0 < starts[0] and starts == sorted(starts), scan.stats
    assert (cli_scan.pages_count, cli_scan.targets_checked, cli_scan.findings_count) == (
        job_scan.pages_count, job_scan.targets_checked, job_scan.findings_count)
    findings = _findings(cli_db)
    assert len(findings) >= 10 and any(f[1] == "veto" for f in findings)
    assert findings == _findings(job_db)
    assert _score(cli_db) == _score(job_db)
    alerts = _alerts(hook_cli)
    assert alerts, "a CLI scan with veto findings sends alerts, as a scheduled scan does"
    assert all(a[0] == "alert" and a[3].startswith("veto:") for a in alerts)
    assert alerts == _alerts(hook_job)
