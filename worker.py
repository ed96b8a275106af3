"""``python -m xunjian.worker SITE_ID``: one scan of one site in its own process.

Exit codes: 0 complete, 1 failed, 3 config error, 4 database error, 5 unknown site, 9 the site is
being scanned by another process, 130 interrupted (SIGINT/SIGTERM: the scan is marked interrupted
and everything fetched so far is kept). The scheduler and ``xunjian scan`` start this worker.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from datetime import date

from xunjian.config import ConfigError, load_settings
from xunjian.scanning import ScanRefused, run_scan
from xunjian.storage.db import DatabaseError, ensure_schema


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xunjian.worker", description="扫描一个站点 (工作进程)")
    parser.add_argument("site_id")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None)
    parser.add_argument("--trigger", default="cli", choices=["cli", "scheduler", "demo", "bench"])
    parser.add_argument("--progress", choices=["json", "log"], default=None)
    parser.add_argument("--full", action="store_true", help="全量扫描: 不复用未变化的页面和链接缓存")
    args = parser.parse_args(argv)
    if args.full:
        os.environ["XUNJIAN_FULL_SCAN"] = "1"  # read by crawler/settings.py (XJ_FULL_SCAN)
    try:
        settings = load_settings()
        ensure_schema(settings.database.url)
        result = run_scan(settings, args.site_id, args.as_of, args.trigger, args.progress)
    except ConfigError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 3
    except DatabaseError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 4
    except ScanRefused as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return exc.code
    if args.progress == "json":
        print(json.dumps({"event": "done", **result.__dict__}, ensure_ascii=False), flush=True)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
