"""Crawl benchmark: full `xunjian` scan vs a bare Scrapy spider on the same generated local site.

    .venv/bin/python benchmarks/crawl_bench.py              # 20,000 pages, SQLite
    .venv/bin/python benchmarks/crawl_bench.py --pages 2000 # quicker
    .venv/bin/python benchmarks/crawl_bench.py --pages 2000 --varied-text   # every page its own text
    .venv/bin/python benchmarks/crawl_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/crawl_bench.py --pages 100000 --skip-bare --skip-rescan   # memory at scale
    .venv/bin/python benchmarks/crawl_bench.py --pages 5000 --skip-bare --profile-rescan /tmp/prof-rescan
    .venv/bin/python benchmarks/crawl_bench.py --pages 5000 --skip-rescan --profile /tmp/prof
        # cProfile of the worker's crawler process (crawler.prof) and of its check process (checks.prof)

Reports pages/s and unique link targets checked/s of the full scan (crawl + every check + storage), the bare
spider's pages/s and the ratio, the scan worker's peak RSS, and the database size. Everything runs on
127.0.0.1; the site is served by a separate Twisted process (benchmarks/benchsite.py).
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

import psutil
import yaml

HERE = Path(__file__).resolve().parent


def serve(pages: int, workdir: Path, varied: bool = False) -> tuple[subprocess.Popen, int]:
    portfile = workdir / "port"
    proc = subprocess.Popen([sys.executable, str(HERE / "benchsite.py"), str(pages), str(portfile),
                             *(["varied"] if varied else [])])
    for _ in range(100):
        if portfile.exists() and portfile.read_text():
            return proc, int(portfile.read_text())
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("benchmark site did not start")


def peak_rss(proc: subprocess.Popen, cpu: dict | None = None) -> tuple[int, float, float]:
    """Wait for the process; return (exit code, peak RSS in MB of it and its children, peak of it alone).

    ``cpu``, if given, is filled with the CPU seconds (user + system) last seen of the process ("main") and of
    its children by pid (each child's figure is read every 0.2 s, so a child's last 0.2 s may be missed)."""
    ps = psutil.Process(proc.pid)
    peak = peak_main = 0
    children: dict[int, psutil.Process] = {}
    while proc.poll() is None:
        try:
            main = ps.memory_info().rss
            rss = main
            for child in ps.children(recursive=True):
                child = children.setdefault(child.pid, child)
                rss += child.memory_info().rss
                if cpu is not None:
                    times = child.cpu_times()
                    cpu[child.pid] = times.user + times.system
            peak, peak_main = max(peak, rss), max(peak_main, main)
            if cpu is not None:
                times = ps.cpu_times()
                cpu["main"] = times.user + times.system
        except psutil.Error:
            pass
        time.sleep(0.2)
    return proc.returncode, peak / 1e6, peak_main / 1e6


def db_size(url: str) -> float:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    from sqlalchemy import text

    from xunjian.storage.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(text("SELECT pg_database_size(current_database())")).scalar() / 1e6


def full_scan(url: str, pages: int, conc: int, db_url: str, workdir: Path, profile: Path | None = None) -> dict:
    from sqlalchemy import select

    from xunjian.storage.db import session_scope, upgrade
    from xunjian.storage.models import Scan
    from xunjian.storage.registry import parse_registry, upsert_sites

    cfg = workdir / "settings.yaml"
    cfg.write_text(yaml.safe_dump({"crawl": {"max_pages": 2 * pages + 100, "max_depth": 20, "concurrency_per_site": conc,
                                             "concurrent_requests": conc * 2, "autothrottle": False, "retry_times": 0,
                                             "timeout": 15}}), encoding="utf-8")
    reg = workdir / "sites.yaml"
    reg.write_text(yaml.safe_dump({"sites": [{"id": "bench", "name": "基准站点", "url": url, "render": "never",
                                              "site_code": "1199000001"}]}, allow_unicode=True), encoding="utf-8")
    upgrade(db_url)
    with session_scope(db_url) as s:
        upsert_sites(s, parse_registry(reg))
    env = dict(os.environ, XUNJIAN_DATABASE_URL=db_url, XUNJIAN_CONFIG=str(cfg), XUNJIAN_ALLOW_NETWORKS="127.0.0.0/8",
               XUNJIAN_OFFLINE="1")
    return worker_run(env, db_url, profile)


def worker_run(env: dict, db_url: str, profile: Path | None = None) -> dict:
    from sqlalchemy import select

    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Scan

    start = time.monotonic()
    command = [sys.executable, "-m", "xunjian.worker", "bench", "--trigger", "bench"]
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        command[1:1] = ["-m", "cProfile", "-o", str(profile / "crawler.prof")]
        env = dict(env, XUNJIAN_PROFILE_CHECKS=str(profile / "checks.prof"))
    proc = subprocess.Popen(command, env=env)
    cpu: dict = {}
    code, rss, rss_main = peak_rss(proc, cpu)
    seconds = time.monotonic() - start
    with session_scope(db_url) as s:
        scan = s.scalars(select(Scan).where(Scan.site_id == "bench").order_by(Scan.id.desc())).first()
        stored = (scan.status, scan.pages_count, scan.targets_checked, scan.findings_count)
        reused = (scan.stats or {}).get("incremental/reused", 0)
        timing = {k.split("/", 1)[1].removesuffix("_start_s"): v for k, v in (scan.stats or {}).items()
                  if k.startswith("timing/")}
        carried = (scan.stats or {}).get("incremental/carried", 0)
        requests = (scan.stats or {}).get("downloader/request_count", 0)
    return {"exit": code, "timing": timing, "reused": reused, "carried": carried, "requests": requests, "env": env, "status": stored[0], "pages": stored[1], "targets": stored[2], "findings": stored[3],
            "seconds": round(seconds, 1), "pages_per_s": round(stored[1] / seconds, 1),
            "targets_per_s": round(stored[2] / seconds, 1), "peak_rss_mb": round(rss), "peak_rss_crawler_mb": round(rss_main),
            "cpu_crawler_s": round(cpu.get("main", 0), 1),
            "cpu_children_s": sorted((round(v, 1) for k, v in cpu.items() if k != "main"), reverse=True), "db_mb": round(db_size(db_url), 1)}


def bare_run(url: str, conc: int, server: psutil.Process) -> dict:
    """The bare spider's figures, with its CPU seconds and the site server's."""
    before = sum(server.cpu_times()[:2])
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen([sys.executable, str(HERE / "bare_spider.py"), url, str(conc)], stdout=out)
        cpu: dict = {}
        code, rss, _ = peak_rss(proc, cpu)
        if code:
            raise SystemExit(f"bare spider failed ({code})")
        out.seek(0)
        figures = json.loads(out.read().strip().splitlines()[-1])
    return dict(figures, cpu_s=round(cpu.get("main", 0), 1), cpu_server_s=round(sum(server.cpu_times()[:2]) - before, 1),
                peak_rss_mb=round(rss))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--skip-bare", action="store_true", help="no bare-spider run (memory runs)")
    parser.add_argument("--varied-text", action="store_true",
                        help="every page its own paragraph (default: the same paragraph on every page)")
    parser.add_argument("--skip-rescan", action="store_true", help="no re-scan of the unchanged site")
    parser.add_argument("--profile", type=Path, default=None, help="cProfile the full scan into this folder")
    parser.add_argument("--profile-rescan", type=Path, default=None, help="cProfile the re-scan into this folder")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="xunjian-bench-"))
    db_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    site, port = serve(args.pages, workdir, args.varied_text)
    url = f"http://127.0.0.1:{port}/"
    try:
        server = psutil.Process(site.pid)
        bare = None if args.skip_bare else bare_run(url, args.concurrency, server)
        before = sum(server.cpu_times()[:2])
        full = full_scan(url, args.pages, args.concurrency, db_url, workdir, args.profile)
        full["cpu_server_s"] = round(sum(server.cpu_times()[:2]) - before, 1)
        env = full.pop("env")
        rescan = None if args.skip_rescan else worker_run(env, db_url, args.profile_rescan)  # the nightly re-scan
        if rescan:
            rescan.pop("env")
    finally:
        site.terminate()
    ratio = full["pages_per_s"] / bare["pages_per_s"] if bare else None
    print(f"site: {args.pages} pages ({'varied' if args.varied_text else 'repeated'} text), concurrency "
          f"{args.concurrency}, database {db_url.split(':')[0]}")
    if bare:
        print(f"bare Scrapy spider : {bare['pages']} pages in {bare['seconds']} s = {bare['pages_per_s']} pages/s "
              f"(CPU: spider {bare['cpu_s']} s, site server {bare['cpu_server_s']} s)")
    print(f"xunjian full scan  : {full['pages']} pages in {full['seconds']} s = {full['pages_per_s']} pages/s, "
          f"{full['targets']} unique link targets = {full['targets_per_s']}/s, {full['findings']} findings ({full['status']})")
    print(f"ratio full/bare    : {f'{ratio:.0%}' if ratio else '-'}   peak RSS: {full['peak_rss_mb']} MB (crawler "
          f"{full['peak_rss_crawler_mb']} MB + check process)   database: {full['db_mb']} MB")
    print(f"CPU seconds        : crawler process {full['cpu_crawler_s']} s, child processes {full['cpu_children_s']} "
          f"(the first is the check process), site server {full['cpu_server_s']} s")
    print("phases (s from the crawl's start): " + ", ".join(f"{k} {v}" for k, v in full["timing"].items()))
    if rescan:
        print(f"re-scan, unchanged: {rescan['pages']} pages in {rescan['seconds']} s ({rescan['requests']} requests, "
              f"{rescan['reused']} reused, {rescan['carried']} carried, {rescan['findings']} findings, {rescan['status']}) = "
              f"{rescan['seconds'] / full['seconds']:.0%} of the full scan's time, peak RSS {rescan['peak_rss_mb']} MB")
    print(json.dumps({"bare": bare, "full": full, "rescan": rescan, "ratio": round(ratio, 3) if ratio else None}))


if __name__ == "__main__":
    main()
