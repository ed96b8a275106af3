"""Run the real scan worker (a subprocess, as in production) against a local site and read the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import select

from xunjian.storage.db import session_scope
from xunjian.storage.models import Finding, LinkResult, Page, Scan

TEST_SETTINGS = {"crawl": {"timeout": 3, "retry_times": 0, "concurrency_per_site": 8, "autothrottle": False}}


def write_settings(tmp_path: Path, **crawl) -> Path:
    data = {"crawl": {**TEST_SETTINGS["crawl"], **crawl}}
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def register(db_url: str, tmp_path: Path, site_id: str, url: str, **extra) -> None:
    from xunjian.storage.registry import parse_registry, upsert_sites

    entry = {"id": site_id, "name": "测试站点", "url": url, "render": "never", **extra}
    path = tmp_path / f"{site_id}.yaml"
    path.write_text(yaml.safe_dump({"sites": [entry]}, allow_unicode=True), encoding="utf-8")
    with session_scope(db_url) as s:
        upsert_sites(s, parse_registry(path))


def worker_env(db_url: str, settings_path: Path, allow: str | None = "127.0.0.0/8", offline: bool = True) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XUNJIAN_")}
    env["XUNJIAN_DATABASE_URL"] = db_url
    env["XUNJIAN_CONFIG"] = str(settings_path)
    if allow:
        env["XUNJIAN_ALLOW_NETWORKS"] = allow
    if offline:
        env["XUNJIAN_OFFLINE"] = "1"
    return env


def run_worker(site_id: str, env: dict, as_of: str = "2026-11-22", timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xunjian.worker", site_id, "--as-of", as_of],
                          env=env, capture_output=True, text=True, timeout=timeout)


def results_by_target(db_url: str, scan_id: int) -> dict[str, LinkResult]:
    with session_scope(db_url) as s:
        return {r.target: r for r in s.scalars(select(LinkResult).where(LinkResult.scan_id == scan_id))}


def latest_scan(db_url: str, site_id: str) -> Scan:
    with session_scope(db_url) as s:
        return s.scalars(select(Scan).where(Scan.site_id == site_id).order_by(Scan.id.desc())).first()


def findings(db_url: str, site_id: str) -> list[Finding]:
    with session_scope(db_url) as s:
        return list(s.scalars(select(Finding).where(Finding.site_id == site_id)))


def pages(db_url: str, scan_id: int) -> dict[str, Page]:
    with session_scope(db_url) as s:
        return {p.url: p for p in s.scalars(select(Page).where(Page.scan_id == scan_id))}
