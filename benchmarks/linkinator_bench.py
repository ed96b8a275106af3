"""Another link checker on the same yardstick: linkinator (Node) vs the bare Scrapy spider, same local site.

    npm install --prefix .cache/linkinator linkinator          # once, from the npm registry (not at run time)
    .venv/bin/python benchmarks/linkinator_bench.py --pages 20000

Serves the generated site of ``crawl_bench.py`` (benchmarks/benchsite.py) on 127.0.0.1, then runs the bare spider and
``linkinator URL --recurse --concurrency N --format json`` on it, back to back. Prints pages/s of both, the ratio,
linkinator's process-tree peak RSS, and whether it found the site's broken targets (every 50th page links a missing
page and a missing attachment). Compare with ``crawl_bench.py``'s xunjian/bare ratio from the same machine.
The linkinator binary: ``--linkinator PATH``, else ``$LINKINATOR``, else ``.cache/linkinator/node_modules/.bin/``,
else ``linkinator`` on PATH; without one the script says how to install it and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from crawl_bench import peak_rss, serve  # noqa: E402


def find_linkinator(explicit: str | None) -> str | None:
    for candidate in (explicit, os.environ.get("LINKINATOR"),
                      str(HERE.parent / ".cache" / "linkinator" / "node_modules" / ".bin" / "linkinator")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("linkinator")


def run_linkinator(binary: str, url: str, conc: int, out: Path) -> dict:
    start = time.monotonic()
    with out.open("wb") as fh:
        proc = subprocess.Popen([binary, url, "--recurse", "--concurrency", str(conc), "--format", "json",
                                 "--timeout", "15000"], stdout=fh, stderr=subprocess.DEVNULL)
        code, rss, _ = peak_rss(proc)
    seconds = time.monotonic() - start
    report = json.loads(out.read_text(encoding="utf-8") or "{}")
    links = report.get("links", [])
    host = url.rstrip("/")
    pages = {l["url"] for l in links if l.get("url", "").startswith(host) and l.get("state") == "OK"
             and (l["url"].endswith((".html", "/")))}
    broken = {l["url"] for l in links if l.get("state") == "BROKEN"}
    return {"exit": code, "pages": len(pages), "links": len(links), "broken_targets": len(broken),
            "seconds": round(seconds, 1), "pages_per_s": round(len(pages) / seconds, 1), "peak_rss_mb": round(rss)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--linkinator", default=None, help="path of the linkinator binary")
    args = parser.parse_args()
    binary = find_linkinator(args.linkinator)
    if binary is None:
        print("未找到 linkinator。安装: npm install --prefix .cache/linkinator linkinator (或 --linkinator PATH)",
              file=sys.stderr)
        raise SystemExit(2)
    workdir = Path(tempfile.mkdtemp(prefix="xunjian-linkinator-"))
    site, port = serve(args.pages, workdir)
    url = f"http://127.0.0.1:{port}/"
    try:
        bare = json.loads(subprocess.run([sys.executable, str(HERE / "bare_spider.py"), url, str(args.concurrency)],
                                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
        lk = run_linkinator(binary, url, args.concurrency, workdir / "linkinator.json")
    finally:
        site.terminate()
    expected_broken = 2 * len(range(0, args.pages, 50))
    print(f"site: {args.pages} pages, concurrency {args.concurrency}")
    print(f"bare Scrapy spider : {bare['pages']} pages in {bare['seconds']} s = {bare['pages_per_s']} pages/s")
    print(f"linkinator         : {lk['pages']} pages ({lk['links']} links) in {lk['seconds']} s = {lk['pages_per_s']} "
          f"pages/s, peak RSS {lk['peak_rss_mb']} MB, {lk['broken_targets']} broken targets (site has {expected_broken})")
    print(f"ratio linkinator/bare: {lk['pages_per_s'] / bare['pages_per_s']:.0%}")
    print(json.dumps({"bare": bare, "linkinator": lk, "expected_broken": expected_broken}))


if __name__ == "__main__":
    main()
