"""Hostile-site benchmark (full form): a scan of tests/hostile_server.py, with the process-tree peak RSS.

    .venv/bin/python benchmarks/hostile_bench.py                      # 50 MiB pages, 1 GiB gzip bombs, 20,000 links
    .venv/bin/python benchmarks/hostile_bench.py --only /bomb.html    # one hazard as the homepage's only link
    .venv/bin/python benchmarks/hostile_bench.py --max-links 3000   # every hazard, 3,000 of the 20,000 links checked (3 min)

Prints the scan's status and wall time, the peak RSS of the worker's whole process tree (crawler, check
process) sampled every 0.1 s with psutil, and, for every hazard, the page record or link verdict stored.
The server runs in its own process, so its memory is not counted.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent / "tests"
sys.path.insert(0, str(TESTS))

from crawl_helpers import latest_scan, pages, register, results_by_target, worker_env, write_settings  # noqa: E402
from hostile_server import HAZARDS, start_server, watch  # noqa: E402


def scan_env(db_url: str, workdir: Path, max_links: int | None, **crawl) -> dict:
    path = write_settings(workdir, **crawl)
    if max_links:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["bounds"] = {"max_links_per_page": max_links}
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return worker_env(db_url, path)


def hazard_outcomes(db_url: str, site_id: str, base: str) -> dict[str, str]:
    scan = latest_scan(db_url, site_id)
    stored, results = pages(db_url, scan.id), results_by_target(db_url, scan.id)
    out = {}
    for path in [*HAZARDS, "/bomb.png", "/bomb-img"]:
        url = base + path.lstrip("/")
        page, result = stored.get(url), results.get(url)
        parts = []
        if page is not None:
            cuts = {k: v for k, v in ((page.facts or {}).get("bounds") or {}).items() if k != "notes"}
            parts.append(f"page {page.status} {page.bytes} B error={page.error!r}" + (f" cut={cuts}" if cuts else ""))
        if result is not None:
            parts.append(f"verdict {result.outcome} {result.reason!r}")
        out[path] = "; ".join(parts) or "not recorded"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge-mib", type=int, default=50)
    parser.add_argument("--bomb-mib", type=int, default=1024)
    parser.add_argument("--links", type=int, default=20000)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument("--home", default=None, help="serve this hazard as the homepage")
    parser.add_argument("--sigterm-after", type=float, default=None, help="send SIGTERM this many seconds in")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--max-links", type=int, default=None, help="bounds.max_links_per_page (default 20,000)")
    parser.add_argument("--kill-above-mb", type=float, default=4000, help="safety: kill the scan above this peak")
    parser.add_argument("--timeout", type=float, default=10, help="crawl.timeout seconds")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="xunjian-hostile-"))
    db_url = args.database_url or f"sqlite:///{workdir / 'hostile.db'}"
    from xunjian.storage.db import upgrade

    upgrade(db_url)
    server_args = ["--huge-mib", str(args.huge_mib), "--bomb-mib", str(args.bomb_mib), "--links", str(args.links)]
    if args.home:
        server_args += ["--home", args.home]
    for path in args.only:
        server_args += ["--only", path]
    server, port, _silent = start_server(workdir, *server_args)
    base = f"http://127.0.0.1:{port}/"
    try:
        register(db_url, workdir, "hostile", base)
        env = scan_env(db_url, workdir, args.max_links, timeout=args.timeout, max_depth=8, concurrency_per_site=8)
        cmd = [sys.executable, "-m", "xunjian.worker", "hostile", "--as-of", "2026-11-22"]
        proc = subprocess.Popen(cmd, env=env, stderr=open(workdir / "worker.err", "w"))
        when = None
        if args.sigterm_after:
            started = time.monotonic()
            when = lambda: time.monotonic() - started > args.sigterm_after  # noqa: E731
        figures = watch(proc, when, kill_above_mb=args.kill_above_mb)
        scan = latest_scan(db_url, "hostile")
        print(f"scan #{scan.id}: {scan.status} ({scan.message or ''}) in {figures['seconds']} s, exit {figures['exit']},"
              f" {scan.pages_count} pages, {scan.targets_checked} targets, {scan.findings_count} findings")
        print(f"process-tree peak RSS: {figures['peak_rss_mb']} MB" +
              (f"; stopped {figures['stop_seconds']} s after SIGTERM" if figures["stop_seconds"] is not None else ""))
        for path, what in hazard_outcomes(db_url, "hostile", base).items():
            print(f"  {path:20} {what}")
        print(json.dumps({**figures, "status": scan.status, "pages": scan.pages_count}))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
