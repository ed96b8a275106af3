"""Capacity model: how many 2-core queue workers scan N government sites within a night's window?

    .venv/bin/python benchmarks/capacity.py                 # measure on a 2,000-page local site, then simulate
    .venv/bin/python benchmarks/capacity.py --pages 5000    # a larger measurement site
    .venv/bin/python benchmarks/capacity.py --measured benchmarks/capacity_measured.json   # simulate only

Step 1 measures the per-site cost of a real scan (the scan worker and its check process, on a generated site
served on 127.0.0.1): wall seconds, CPU seconds per page (all processes of the scan, from the kernel's
accounting of waited-for children), peak RSS of the process tree, and the same for a re-scan of the unchanged
site (incremental when the crawler supports it).

Step 2 simulates a night: N sites whose sizes follow a log-normal distribution fitted to what government sites
look like (median a few thousand pages, a tail of portals with 10^5 pages, fixed seed), scheduled longest-first
onto M workers with S scan slots each. A scan's speed is the smaller of the per-site politeness limit (remote
government servers answer a polite crawler at a few pages per second: ``--site-rate``) and its share of the
worker's CPU (``cores * utilisation / S`` divided by CPU seconds per page). The result is the smallest M whose
night ends within the window, for full and for incremental scans, and the sites too large for any window
(they need a split crawl, see docs/scale.md).
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _scan_once(env: dict[str, str]) -> dict[str, float]:
    from crawl_bench import peak_rss

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "xunjian.worker", "bench", "--trigger", "bench"], env=env)
    code, rss, _ = peak_rss(proc)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if code != 0:
        raise SystemExit(f"scan worker exited {code}")
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss)}


def measure(pages: int, concurrency: int) -> dict[str, float]:
    """Full scan then re-scan of an unchanged generated site; per-page costs."""
    import yaml
    from crawl_bench import serve

    from xunjian.storage.db import session_scope, upgrade
    from xunjian.storage.registry import parse_registry, upsert_sites

    workdir = Path(tempfile.mkdtemp(prefix="xunjian-capacity-"))
    db_url = f"sqlite:///{workdir / 'capacity.db'}"
    site, port = serve(pages, workdir)
    try:
        cfg = workdir / "settings.yaml"
        cfg.write_text(yaml.safe_dump({"crawl": {"max_pages": pages + 100, "max_depth": 20,
                                                 "concurrency_per_site": concurrency, "autothrottle": False,
                                                 "concurrent_requests": concurrency * 2, "retry_times": 0}}))
        reg = workdir / "sites.yaml"
        reg.write_text(yaml.safe_dump({"sites": [{"id": "bench", "name": "容量基准站点", "render": "never",
                                                  "url": f"http://127.0.0.1:{port}/"}]}, allow_unicode=True))
        upgrade(db_url)
        with session_scope(db_url) as s:
            upsert_sites(s, parse_registry(reg))
        env = dict(os.environ, XUNJIAN_DATABASE_URL=db_url, XUNJIAN_CONFIG=str(cfg),
                   XUNJIAN_ALLOW_NETWORKS="127.0.0.0/8", XUNJIAN_OFFLINE="1")
        full, rescan = _scan_once(env), _scan_once(env)
    finally:
        site.terminate()
    return {"pages": pages, "full": full, "rescan": rescan,
            "cpu_s_per_page_full": round(full["cpu_s"] / pages, 5),
            "cpu_s_per_page_rescan": round(rescan["cpu_s"] / pages, 5),
            "rescan_wall_ratio": round(rescan["wall_s"] / full["wall_s"], 3),
            "peak_rss_mb": max(full["peak_rss_mb"], rescan["peak_rss_mb"])}


def site_sizes(n: int, seed: int = 19) -> list[int]:
    """Pages per site: log-normal, median 3,000, 5 % above ~40,000, capped at 500,000 (fixed seed)."""
    rng = random.Random(seed)
    return [min(500_000, max(50, int(rng.lognormvariate(8.0, 1.55)))) for _ in range(n)]


def night(sizes: list[int], workers: int, slots: int, site_rate: float, cpu_per_page: float,
          cores: float = 2.0, utilisation: float = 0.8) -> tuple[float, float]:
    """Longest-first list scheduling; (makespan hours, longest single scan hours)."""
    cpu_rate = (cores * utilisation / slots) / cpu_per_page if cpu_per_page > 0 else float("inf")
    rate = min(site_rate, cpu_rate)
    free = [0.0] * (workers * slots)
    heapq.heapify(free)
    end = longest = 0.0
    for pages in sorted(sizes, reverse=True):
        start = heapq.heappop(free)
        seconds = pages / rate
        longest = max(longest, seconds)
        end = max(end, start + seconds)
        heapq.heappush(free, start + seconds)
    return end / 3600, longest / 3600


def workers_needed(sizes: list[int], window_h: float, slots: int, site_rate: float, cpu_per_page: float) -> int:
    """Smallest worker count whose night fits the window (sites larger than one window excluded)."""
    fits = [p for p in sizes if p / site_rate / 3600 <= window_h]
    lo, hi = 1, 1
    while night(fits, hi, slots, site_rate, cpu_per_page)[0] > window_h:
        hi *= 2
    while lo < hi:
        mid = (lo + hi) // 2
        if night(fits, mid, slots, site_rate, cpu_per_page)[0] <= window_h:
            hi = mid
        else:
            lo = mid + 1
    return hi


def simulate(measured: dict, n: int, window_h: float, slots: int, site_rate: float, rescan_rate: float) -> dict:
    sizes = site_sizes(n)
    too_big = [p for p in sizes if p / site_rate / 3600 > window_h]
    full = workers_needed(sizes, window_h, slots, site_rate, measured["cpu_s_per_page_full"])
    incr = workers_needed(sizes, window_h, slots, rescan_rate, measured["cpu_s_per_page_rescan"])
    total = sum(sizes)
    return {"sites": n, "pages_total": total, "median_pages": sorted(sizes)[n // 2], "max_pages": max(sizes),
            "window_h": window_h, "slots_per_worker": slots, "site_rate_pages_s": site_rate,
            "rescan_rate_pages_s": rescan_rate, "workers_full": full, "workers_incremental": incr,
            "sites_longer_than_window": len(too_big),
            "cpu_core_hours_full": round(total * measured["cpu_s_per_page_full"] / 3600, 1),
            "cpu_core_hours_incremental": round(total * measured["cpu_s_per_page_rescan"] / 3600, 1)}


def auto_slots(measured: dict, site_rate: float, mem_gb: float, cores: float = 2.0, utilisation: float = 0.8) -> int:
    """Concurrent scans one worker sustains: bounded by CPU (at the politeness rate) and by memory (peak RSS)."""
    by_cpu = cores * utilisation / (measured["cpu_s_per_page_full"] * site_rate)
    by_mem = mem_gb * 1024 * 0.8 / measured["peak_rss_mb"]
    return max(1, int(min(by_cpu, by_mem)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000, help="size of the measurement site")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--measured", type=Path, help="skip the measurement: read its JSON")
    parser.add_argument("--sites", type=int, default=14_000)
    parser.add_argument("--window", type=float, default=4.0, help="hours")
    parser.add_argument("--slots", type=int, default=0,
                        help="concurrent scans per 2-core worker (0: as many as its CPU and memory allow)")
    parser.add_argument("--worker-mem-gb", type=float, default=8.0, help="memory of one worker machine")
    parser.add_argument("--site-rate", type=float, default=8.0, help="pages/s a remote site gives a polite crawler")
    parser.add_argument("--rescan-rate", type=float, default=16.0,
                        help="pages/s of a re-scan (conditional requests: 304s carry no body)")
    args = parser.parse_args()
    measured = json.loads(args.measured.read_text()) if args.measured else measure(args.pages, args.concurrency)
    print("measured per-site cost:", json.dumps(measured, ensure_ascii=False))
    rows = []
    for rate in (4.0, args.site_rate, 16.0):
        slots = args.slots or auto_slots(measured, rate, args.worker_mem_gb)
        rows.append(simulate(measured, args.sites, args.window, slots, rate, rate * args.rescan_rate / args.site_rate))
    print(f"{'site pages/s':>12} {'slots':>6} {'workers full':>13} {'workers incr.':>14} {'too big':>8} {'CPU h full':>11}"
          f" {'CPU h incr.':>12}")
    for r in rows:
        print(f"{r['site_rate_pages_s']:>12} {r['slots_per_worker']:>6} {r['workers_full']:>13} {r['workers_incremental']:>14}"
              f" {r['sites_longer_than_window']:>8} {r['cpu_core_hours_full']:>11} {r['cpu_core_hours_incremental']:>12}")
    print(json.dumps({"measured": measured, "simulated": rows}, ensure_ascii=False))


if __name__ == "__main__":
    main()
