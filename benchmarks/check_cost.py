"""Where the check process's time goes: CPU milliseconds per page for every extractor and page check.

    .venv/bin/python benchmarks/check_cost.py                 # benchmark-site pages and the real pages
    .venv/bin/python benchmarks/check_cost.py --corpus real   # one corpus only (bench, real)

Runs what the check process runs for each page (page type, extractors, page checks; see
``xunjian.crawler.checkpool.run_checks``), timing each function with ``time.process_time`` and no profiler, so
the figures are the unprofiled cost. The per-scan memo is kept across the pages of one corpus, as in a scan.
The lexicon build (once per process) is timed on its own.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from dump_findings import folder_pages  # noqa: E402  the same real pages as the findings dump


def bench_pages(n: int = 300) -> list[tuple[str, str]]:
    from benchsite import page

    return [(f"http://127.0.0.1:8000/p/{i}.html", page(i, 20000).decode()) for i in range(1, n + 1)]


def timed_checks(pages: list[tuple[str, str]], repeat: int) -> tuple[dict[str, float], int]:
    from xunjian import checks
    from xunjian.checks.base import CheckContext
    from xunjian.checks.pagetype import classify
    from xunjian.records import PageRecord, SiteInfo

    cost: dict[str, float] = defaultdict(float)
    chars = 0
    extractors, page_checks = checks.extractors(), checks.page_checks()
    for _ in range(repeat):
        ctx = CheckContext(SiteInfo("bench", "示例市人民政府", "http://127.0.0.1:8000/", site_code="1199000001"),
                           date(2026, 12, 1))
        for url, html in pages:
            chars += len(html)
            rec = PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=html)
            t = time.process_time()
            rec.tree  # noqa: B018  the parse, as the crawler's record gives it
            cost["parse (records.PageRecord.tree)"] += time.process_time() - t
            t = time.process_time()
            rec.page_type = classify(rec, ctx)
            cost["pagetype.classify"] += time.process_time() - t
            for fn in [*extractors, *page_checks]:
                t = time.process_time()
                out = fn(rec, ctx)
                if fn in extractors:
                    rec.facts.update(out or {})
                else:
                    list(out)
                cost[f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"] += time.process_time() - t
    return cost, chars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["bench", "real", "all"], default="all")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    t = time.process_time()
    from xunjian.checks.wordlists import lexicon

    lexicon()
    print(f"lexicon build: {time.process_time() - t:.2f} s CPU (once per process)")
    corpora = {"bench": lambda: bench_pages(),
               "real": lambda: folder_pages(ROOT / "tests" / "fixtures" / "real", 100)}
    for name, load in corpora.items():
        if args.corpus not in ("all", name):
            continue
        pages = load()
        if not pages:
            print(f"\n{name}: no pages found")
            continue
        cost, chars = timed_checks(pages, args.repeat)
        n = len(pages) * args.repeat
        total = sum(cost.values())
        print(f"\n{name}: {len(pages)} pages x {args.repeat}, {chars / n / 1024:.1f} KiB HTML/page, "
              f"{total / n * 1000:.2f} ms CPU/page in all")
        for fn, seconds in sorted(cost.items(), key=lambda kv: -kv[1])[: args.top]:
            print(f"  {seconds / n * 1000:7.3f} ms  {seconds / total:5.1%}  {fn}")


if __name__ == "__main__":
    main()
