"""The cost of browser rendering: pages/s with and without Chromium, and the browser's memory.

Usage (from the repository root)::

    .venv/bin/python benchmarks/render_bench.py [--columns 10] [--articles 29] [--json]

Generates a local site on 127.0.0.1 (a homepage, ``--columns`` column pages, half of them filled by an
inline script from a JSON array, and ``--articles`` articles per column, each page with a stylesheet, a
script and an image: 301 pages by default), then scans it with the real worker (a subprocess, as in
production; SQLite in a temporary folder) once per configuration:

* ``never``: no browser (the normal path);
* ``auto``: renders only the script-fed columns;
* ``always``: renders every page, browser contexts recycled every 50 pages (the default);
* ``always, no recycling``: the same with one context for the whole scan.

For each it prints the pages stored, the scan's duration (``scans.started_at`` to ``finished_at``, so the
browser's start is included), pages/s, pages rendered, and the peak resident memory of the browser
processes (Chromium and Playwright's driver: summed PSS, proportional set size, so pages shared between
Chromium's processes are counted once; sampled every 0.25 s with psutil) at its peak and on average over
the second half of the scan (flat memory: the late average does not grow with the scan), and the
peak RSS of the worker itself.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

CONFIGS = [("never", "never", 50), ("auto", "auto", 50), ("always", "always", 50),
           ("always, no recycling", "always", 100000)]
PAGE = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}_示例市基准测试局</title>
<link rel="stylesheet" href="/css/site.css"><script src="/js/common.js"></script>{meta}</head><body>
<div class="nav"><a href="/">首页</a>{nav}</div><img src="/images/banner.png" alt="横幅">
<h1>{title}</h1>{body}
<div class="footer"><p>主办单位：示例市基准测试局 网站标识码：1234000002 京ICP备12345678号</p></div></body></html>"""
PARAGRAPH = "<p>示例市各部门认真贯彻落实上级部署，围绕优化营商环境、保障和改善民生等重点工作，扎实推进各项任务落地见效。</p>"


def make_site(root: Path, columns: int, articles: int) -> int:
    """Write the site; returns the number of HTML pages."""
    (root / "css").mkdir(parents=True)
    (root / "js").mkdir()
    (root / "images").mkdir()
    (root / "css" / "site.css").write_text("body{font-family:sans-serif}.nav a{margin:0 8px}" * 50)
    (root / "js" / "common.js").write_text("function noop(){}\n" * 200)
    (root / "images" / "banner.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(40000))
    nav = "".join(f'<a href="/c{c:02d}/">栏目{c:02d}</a>' for c in range(columns))
    home_items = "".join(f'<li><a href="/c{c:02d}/t{c:02d}_000.html">栏目{c:02d}要闻</a><span>2026-11-20</span></li>'
                         for c in range(columns))
    (root / "index.html").write_text(PAGE.format(title="首页", meta="", nav=nav, body=f'<ul class="news">{home_items}</ul>'),
                                     encoding="utf-8")
    count = 1
    for c in range(columns):
        folder = root / f"c{c:02d}"
        folder.mkdir()
        items = [(f"/c{c:02d}/t{c:02d}_{a:03d}.html", f"栏目{c:02d}第{a}条信息", f"2026-11-{20 - a % 19:02d}")
                 for a in range(articles)]
        if c % 2:  # filled by a script from a JSON array
            data = json.dumps([{"url": u, "title": t, "date": d} for u, t, d in items], ensure_ascii=False)
            body = ('<ul class="list" id="list"></ul><script>var items=' + data + ';var h="";'
                    'items.forEach(function(i){h+=\'<li><a href="\'+i.url+\'">\'+i.title+\'</a><span>\'+i.date+'
                    '\'</span></li>\';});document.getElementById("list").innerHTML=h;</script>')
        else:
            body = '<ul class="list">' + "".join(f'<li><a href="{u}">{t}</a><span>{d}</span></li>'
                                                 for u, t, d in items) + "</ul>"
        (folder / "index.html").write_text(PAGE.format(title=f"栏目{c:02d}", meta="", nav=nav, body=body),
                                           encoding="utf-8")
        count += 1
        for u, t, d in items:
            meta = f'<meta name="ArticleTitle" content="{t}"><meta name="PubDate" content="{d}">'
            (root / u.lstrip("/")).write_text(PAGE.format(title=t, meta=meta, nav="", body=PARAGRAPH * 6),
                                              encoding="utf-8")
            count += 1
    return count


class MemoryWatch:
    """Peak summed PSS of a process's descendants that belong to the browser, and peak RSS of the process."""

    BROWSER = ("chrom", "headless", "node", "playwright")

    def __init__(self, pid: int):
        self.proc = psutil.Process(pid)
        self.browser_peak = 0
        self.worker_peak = 0
        self.samples: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.worker_peak = max(self.worker_peak, self.proc.memory_info().rss)
                total = 0
                for child in self.proc.children(recursive=True):
                    try:
                        if any(b in child.name().lower() for b in self.BROWSER):
                            total += child.memory_full_info().pss
                    except psutil.Error:
                        continue
                self.browser_peak = max(self.browser_peak, total)
                self.samples.append(total)
            except psutil.Error:
                break
            self._stop.wait(0.25)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run(site_url: str, work: Path, label: str, mode: str, per_context: int, pages_expected: int) -> dict:
    from crawl_helpers import latest_scan, register, worker_env

    from xunjian.storage.db import upgrade

    folder = work / label.replace(" ", "_").replace(",", "")
    folder.mkdir()
    db_url = f"sqlite:///{folder / 'bench.db'}"
    upgrade(db_url)
    settings = {"crawl": {"timeout": 15, "retry_times": 0, "concurrency_per_site": 8, "autothrottle": False,
                          "check_external": False, "max_pages": pages_expected + 10},
                "render": {"max_pages_per_context": per_context}}
    settings_path = folder / "settings.yaml"
    settings_path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    register(db_url, folder, "bench", site_url, render=mode)
    env = worker_env(db_url, settings_path, allow="127.0.0.1/32")
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.worker", "bench", "--as-of", "2026-11-22"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    with MemoryWatch(proc.pid) as watch:
        _, stderr = proc.communicate(timeout=1800)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{label}: the worker failed ({proc.returncode}): {stderr[-2000:]}")
    scan = latest_scan(db_url, "bench")
    seconds = (scan.finished_at - scan.started_at).total_seconds()
    stats = scan.stats or {}
    tail = watch.samples[len(watch.samples) // 2:] or [0]
    n = len(watch.samples)
    quarters = [watch.samples[i * n // 4:(i + 1) * n // 4] or [0] for i in range(4)]
    return {"config": label, "pages": scan.pages_count, "seconds": round(seconds, 1), "wall": round(wall, 1),
            "pages_per_s": round(scan.pages_count / seconds, 1), "rendered": stats.get("render/rendered", 0),
            "contexts": stats.get("playwright/context_count", 0),
            "browser_peak_mb": round(watch.browser_peak / 2**20), "browser_late_mean_mb": round(sum(tail) / len(tail) / 2**20),
            "worker_peak_mb": round(watch.worker_peak / 2**20),
            "browser_mb_by_quarter": [round(sum(q) / len(q) / 2**20) for q in quarters]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--columns", type=int, default=10)
    parser.add_argument("--articles", type=int, default=29)
    parser.add_argument("--only", action="append", help="run only these configurations (label)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not os.access("/usr/bin/chromium", os.X_OK):
        print("Chromium 未安装: apt-get install -y chromium fonts-noto-cjk (only 'never' is measured)", file=sys.stderr)
    from xunjian.demo.server import SiteServer

    rows = []
    with tempfile.TemporaryDirectory(prefix="xj-render-bench-") as tmp:
        work = Path(tmp)
        total = make_site(work / "site", args.columns, args.articles)
        with SiteServer(work / "site") as server:
            for label, mode, per_context in CONFIGS:
                if args.only and label not in args.only:
                    continue
                rows.append(run(server.url, work, label, mode, per_context, total))
                print(f"  {label}: {rows[-1]['pages_per_s']} pages/s", file=sys.stderr)
    if args.json:
        print(json.dumps({"site_pages": total, "cpus": os.cpu_count(), "results": rows}, ensure_ascii=False, indent=2))
        return 0
    print(f"site: {total} HTML pages on 127.0.0.1; {os.cpu_count()} CPUs")
    head = f"{'configuration':<22} {'pages':>5} {'s':>6} {'pages/s':>8} {'rendered':>8} {'contexts':>8} " \
           f"{'browser peak MB':>15} {'browser late MB':>15} {'worker peak MB':>14}  browser MB by quarter"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['config']:<22} {r['pages']:>5} {r['seconds']:>6} {r['pages_per_s']:>8} {r['rendered']:>8} "
              f"{r['contexts']:>8} {r['browser_peak_mb']:>15} {r['browser_late_mean_mb']:>15} {r['worker_peak_mb']:>14}  "
              + " / ".join(str(q) for q in r["browser_mb_by_quarter"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
