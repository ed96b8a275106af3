"""``python -m xunjian.worker SITE_ID``: one scan of one site in its own process, and :func:`launch`, the
one way to start it (``xunjian scan``, ``xunjian demo`` and the scheduler's scan job all use it).

A worker runs :func:`xunjian.scanning.run_scan` (every phase of a scan, alerts included). Scrapy's
reactor can run once per process, so every scan gets a process of its own.

Exit codes: 0 complete, 1 failed, 3 config error, 4 database error, 5 unknown site, 9 the site is
being scanned by another process, 130 interrupted (SIGINT/SIGTERM: the scan is marked interrupted
and everything fetched so far is kept).

``--join SCAN_ID``: a helper of a split crawl (:mod:`xunjian.splitscan`); 8 when that scan cannot be joined.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
from datetime import date

DEFAULT_COMMAND = (sys.executable, "-m", "xunjian.worker")


def worker_command(site_id: str, as_of: date | None = None, trigger: str = "cli", progress: str | None = None,
                   command: list[str] | None = None) -> list[str]:
    """``command`` (default ``python -m xunjian.worker``) with the site id and flags appended."""
    cmd = [*(command or DEFAULT_COMMAND), site_id, "--trigger", trigger]
    if as_of:
        cmd += ["--as-of", as_of.isoformat()]
    if progress:
        cmd += ["--progress", progress]
    return cmd


def launch(site_id: str, *, as_of: date | None = None, trigger: str = "cli", progress: str | None = None,
           env: dict[str, str] | None = None, command: list[str] | None = None,
           new_session: bool = False, die_with_parent: bool = False) -> subprocess.Popen[str]:
    """Start one scan in a worker process. With ``progress="json"`` its stdout carries JSON progress lines
    (a pipe); otherwise it inherits this process's stdout. ``new_session``: its own process group, so a
    terminal's Ctrl-C reaches only the parent, which forwards it. ``die_with_parent``: Linux sends the worker
    SIGTERM when the launching process dies, even by kill -9 (queue workers: no orphaned scan)."""
    return subprocess.Popen(worker_command(site_id, as_of, trigger, progress, command), env=env,
                            stdout=subprocess.PIPE if progress == "json" else None, text=True, encoding="utf-8",
                            start_new_session=new_session, preexec_fn=_die_with_parent if die_with_parent else None)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """``prctl(PR_SET_PDEATHSIG, SIGTERM)``; a no-op where there is no prctl (an orphan is reaped later)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def main(argv: list[str] | None = None) -> int:
    from xunjian.config import ConfigError, load_settings
    from xunjian.scanning import ScanRefused, run_scan
    from xunjian.storage.db import DatabaseError, ensure_schema

    parser = argparse.ArgumentParser(prog="python -m xunjian.worker", description="扫描一个站点 (工作进程)")
    parser.add_argument("site_id")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--trigger", default="cli", choices=["cli", "scheduler", "demo", "bench", "queue", "web"])
    parser.add_argument("--progress", choices=["json", "log"], default=None)
    parser.add_argument("--full", action="store_true", help="全量扫描: 不复用未变化的页面和链接缓存")
    parser.add_argument("--join", type=int, default=None, metavar="SCAN_ID",
                        help="协助进程: 加入正在进行的拆分抓取 (crawl.split_redis_url)，不建扫描记录")
    args = parser.parse_args(argv)
    if args.full:
        os.environ["XUNJIAN_FULL_SCAN"] = "1"  # read by crawler/settings.py (XJ_FULL_SCAN)
    try:
        settings = load_settings()
        ensure_schema(settings.database.url)
        if args.join is not None:
            from xunjian.splitscan import join_scan

            return join_scan(settings, args.site_id, args.join, args.progress)
        result = run_scan(settings, args.site_id, args.as_of, args.trigger, args.progress)
    except (ConfigError, DatabaseError, ScanRefused) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return exc.code if isinstance(exc, ScanRefused) else 3 if isinstance(exc, ConfigError) else 4
    if args.progress == "json":
        print(json.dumps({"event": "done", **result.__dict__}, ensure_ascii=False), flush=True)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
