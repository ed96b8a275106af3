"""Where one big page's memory goes: tracemalloc and RSS around each stage (decode, parse, extract, checks).

    .venv/bin/python benchmarks/page_profile.py --mib 16            # a 16 MiB page of Chinese paragraphs
    .venv/bin/python benchmarks/page_profile.py --links 20000       # a page of 20,000 links

Prints, per stage, the Python heap peak (tracemalloc) and the process RSS after it.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile_server import FOOTER, PARA  # noqa: E402


def stage(name: str, fn):  # noqa: ANN001, ANN201
    tracemalloc.reset_peak()
    start = time.monotonic()
    out = fn()
    _, peak = tracemalloc.get_traced_memory()
    print(f"{name:28} heap peak {peak / 1e6:8.1f} MB   RSS {psutil.Process().memory_info().rss / 1e6:8.1f} MB"
          f"   {time.monotonic() - start:6.1f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=float, default=0)
    parser.add_argument("--links", type=int, default=0)
    args = parser.parse_args()
    from xunjian import checks
    from xunjian.checks.base import CheckContext
    from xunjian.crawler.checkpool import run_checks
    from xunjian.crawler.extract import extract_links
    from xunjian.records import PageRecord, SiteInfo

    checks.extractors()
    body = b"<html><head><title>t</title></head><body>" + PARA * int(args.mib * 1024 * 1024 / len(PARA))
    body += "".join(f'<a href="/dead/{i}.html">链接{i}</a>\n' for i in range(args.links)).encode()
    body += FOOTER.encode() + b"</body></html>"
    site = SiteInfo(id="p", name="测试", url="http://127.0.0.1:1/")
    ctx = CheckContext(site=site, as_of=date(2026, 11, 22))
    tracemalloc.start()
    html = stage("decode", lambda: body.decode("utf-8"))
    record = PageRecord(url="http://127.0.0.1:1/a.html", final_url="http://127.0.0.1:1/a.html", status=200,
                        content_type="text/html", html=html)
    stage("parse (lxml)", lambda: record.tree)
    record.links = stage("extract links", lambda: extract_links(record.tree, record.final_url, site))
    record.links = []
    for family in checks.extractors():
        stage(f"extract {family.__module__.split('.')[-1]}.{family.__name__}"[:28], lambda f=family: f(record, ctx))
    for check in checks.page_checks():
        stage(f"{check.__module__.split('.')[-1]}.{check.__name__}"[:28], lambda c=check: list(c(record, ctx)))
    stage("run_checks (all)", lambda: run_checks(record, ctx, frozenset()))


if __name__ == "__main__":
    main()
