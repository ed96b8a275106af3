"""What the check process holds: RSS and Python allocations after each thing it loads, in a fresh process.

    .venv/bin/python benchmarks/check_memory.py            # RSS run, then a tracemalloc run (each fresh)
    .venv/bin/python benchmarks/check_memory.py --top 15   # and the tracemalloc run's largest allocation sites
    .venv/bin/python benchmarks/check_memory.py --cold     # empty build cache: lexicon built from rules/

The steps are those of a scan's check process (:func:`xunjian.crawler.checkpool._init` and its first pages):
the check families imported (``checks.extractors()``), the word-list lexicon (``lexicon()``), the TX005
checker (kenlm model, confusion sets), then one article page of the benchmark site checked with
:func:`~xunjian.crawler.checkpool.run_checks` (TX005 runs on it). RSS is measured in a run without
tracemalloc (tracing costs memory of its own); the traced figures come from a second fresh run. CPU seconds are
those of the RSS run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _steps(html: str, cache: str | None):
    """(name, function) in the order the check process meets them; ``html`` is the page checked last."""
    def imports():
        from xunjian import checks
        from xunjian.checks import lexcache
        from xunjian.crawler import checkpool  # noqa: F401  what the child unpickles its initializer from

        lexcache.set_cache_dir(cache)  # as checkpool._init does
        checks.extractors()

    def lexicon():
        from xunjian.checks.wordlists import lexicon

        lexicon()

    def tx005():
        from xunjian.checks.lmtypo import DEFAULT_MODEL, checker

        checker(DEFAULT_MODEL, None, 200_000)  # the arguments lm_findings passes with the default settings

    def one_page():
        from xunjian.checks.base import CheckContext
        from xunjian.checks.pagetype import classify
        from xunjian.crawler.checkpool import run_checks
        from xunjian.records import PageRecord, SiteInfo

        ctx = CheckContext(SiteInfo("bench", "示例市人民政府", "http://127.0.0.1:8000/", site_code="1199000001"),
                           date(2026, 12, 1))
        url = "http://127.0.0.1:8000/p/15000.html"
        rec = PageRecord(url=url, final_url=url, status=200, content_type="text/html",
                         html=html)
        rec.page_type = classify(rec, ctx)
        if rec.page_type != "article":  # TX005 checks articles only: make sure it runs on this page
            rec.page_type = "article"
        rec.__dict__["classified"] = True
        run_checks(rec, ctx, frozenset())

    return [("checks.extractors()", imports), ("lexicon()", lexicon), ("TX005 checker", tx005),
            ("one page checked", one_page)]


def measure(trace: bool, top: int, html: str, cache: str | None) -> list[dict]:
    """Run every step in this process; one row of figures after each."""
    import gc
    import tracemalloc

    import psutil

    proc = psutil.Process()
    if trace:
        tracemalloc.start()
    rows = [{"step": "python start", "rss_mb": proc.memory_info().rss / 2**20, "cpu_s": time.process_time()}]
    before = tracemalloc.take_snapshot() if trace and top else None
    for name, fn in _steps(html, cache):
        t = time.process_time()
        fn()
        gc.collect()
        row = {"step": name, "cpu_s": time.process_time() - t, "rss_mb": proc.memory_info().rss / 2**20}
        if trace:
            current, peak = tracemalloc.get_traced_memory()
            row.update(traced_mb=current / 2**20, traced_peak_mb=peak / 2**20)
            tracemalloc.reset_peak()
            if before is not None:
                after = tracemalloc.take_snapshot()
                row["top"] = [f"{d.size_diff / 2**20:+7.1f} MB {d.count_diff:+9d} blocks  {_short(d.traceback[0])}"
                              for d in after.compare_to(before, "lineno")[:top]]
                before = after
        rows.append(row)
    return rows


def _short(frame) -> str:
    name = frame.filename
    for marker in ("site-packages/", "/xunjian/", str(HERE.parent) + "/"):
        name = name.split(marker, 1)[-1]
    return f"{name}:{frame.lineno}"


def child(mode: str, top: int, page: Path, cache: Path | None) -> list[dict]:
    command = [sys.executable, __file__, "--child", mode, "--top", str(top), "--page", str(page)]
    if cache is not None:
        command += ["--cache-dir", str(cache)]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=0, help="largest allocation sites of the tracemalloc run")
    parser.add_argument("--cold", action="store_true", help="an empty build cache: the lexicon is built from rules/")
    parser.add_argument("--child", choices=["rss", "trace"], help=argparse.SUPPRESS)
    parser.add_argument("--page", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        html = args.page.read_text(encoding="utf-8")
        print(json.dumps(measure(args.child == "trace", args.top, html, args.cache_dir)))
        return
    from benchsite import page  # here, not in the measured processes: it imports Twisted

    with tempfile.TemporaryDirectory() as tmp:
        html = Path(tmp) / "page.html"
        html.write_bytes(page(15000, 20000))
        cold = [Path(tmp) / "rss-cache", Path(tmp) / "trace-cache"] if args.cold else [None, None]  # each empty
        rss, traced = child("rss", 0, html, cold[0]), child("trace", args.top, html, cold[1])
    print(f"{'step':<22} {'RSS MB':>8} {'+RSS':>7} {'traced MB':>10} {'+traced':>8} {'CPU s':>6}")
    prev_rss = prev_traced = 0.0
    for r, t in zip(rss, traced, strict=True):
        traced_mb = t.get("traced_mb", 0.0)
        print(f"{r['step']:<22} {r['rss_mb']:8.1f} {r['rss_mb'] - prev_rss:+7.1f} {traced_mb:10.1f} "
              f"{traced_mb - prev_traced:+8.1f} {r['cpu_s']:6.2f}")
        prev_rss, prev_traced = r["rss_mb"], traced_mb
    for t in traced:
        if t.get("top"):
            print(f"\nlargest traced growth in step {t['step']}:")
            print("\n".join(t["top"]))


if __name__ == "__main__":
    main()
