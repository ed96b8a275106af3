"""LinkChecker's own test fixtures, served locally: our broken/ok verdict per link equals its .result files.

The fixture folder is ``tests/fixtures/linkchecker`` (GPL-2.0, LinkChecker's tests/checker/data; see
its PROVENANCE.md). It is served under ``/tests/checker/data/`` as LinkChecker's own test server does; each
``http_*`` page is crawled and each of its links verified once. Known, documented differences are listed in
KNOWN_DIFFERENCES (see docs in README "LinkChecker comparison").
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from crawl_helpers import latest_scan, register, results_by_target, run_worker, worker_env, write_settings

DATA = Path(__file__).parent / "fixtures" / "linkchecker"
PAGES = ["http.html", "http_anchor.html", "http_empty.html", "http_file.html", "http_invalid_host.html",
         "http_lowercase.html", "http_quotes.html", "http_slash.html", "http_url_quote.html", "http_utf8.html",
         "http.xhtml"]
# Where we differ from LinkChecker on purpose (URL suffix -> why). Non-http(s) links (mailto:, file:, clsid:,
# dns-prefetch) are not link targets of a website inspection and are not compared at all.
KNOWN_DIFFERENCES: dict[str, str] = {
    "/tests/checker/data/file.html": "<applet archive=...>: applets are gone from browsers; not extracted",
    "/tests/checker/data/file.css": "<applet src=...>: as above",
    "http://example.org/foo/%20": "<object codebase=...>: obsolete plugin attribute; not extracted",
    "http://localhost:8001/?quoted=%C3%BF": "LinkChecker re-encodes %FF of a latin-1 page as UTF-8 (%C3%BF); "
    "browsers send %FF as written, and so do we (the verdict, error, is the same)",
}


def parse_result(text: str, port: int) -> list[tuple[str, str]]:
    """(cache key as an absolute URL, "valid"|"error") per block of a LinkChecker .result file."""
    text = text.replace("localhost:%(port)d", f"127.0.0.1:{port}").replace("%(datadir)s", "tests/checker/data")
    text = text.replace("%%", "%")
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        key = next((l[len("cache key "):] for l in lines if l.startswith("cache key ")), None)
        verdict = lines[-1].strip()
        if key and verdict in ("valid", "error"):
            out.append((key, verdict))
    return out


def test_verdicts_match_linkchecker(sqlite_url, tmp_path, site_server):
    from xunjian.urls import normalize

    root = tmp_path / "root"
    shutil.copytree(DATA, root / "tests" / "checker" / "data")
    (root / "index.html").write_text("<html><body>" + "".join(
        f'<a href="/tests/checker/data/{p}">{p}</a>' for p in PAGES) + "</body></html>", encoding="utf-8")
    site = site_server(root=root)
    register(sqlite_url, tmp_path, "lc", site.url)
    proc = run_worker("lc", worker_env(sqlite_url, write_settings(tmp_path, max_depth=1)))
    assert proc.returncode == 0, proc.stderr
    results = results_by_target(sqlite_url, latest_scan(sqlite_url, "lc").id)

    compared, agree, differ, offline = 0, [], [], []
    for page in PAGES:
        expected = parse_result((DATA / f"{page}.result").read_text(encoding="utf-8"), site.port)
        for key, verdict in expected[1:]:  # the first block is the page itself
            if not key.startswith(("http://", "https://")):
                continue
            try:
                target = normalize(key)
            except ValueError:
                target = key
            result = results.get(target) or results.get(key)
            if any(key.endswith(suffix) for suffix in KNOWN_DIFFERENCES):
                continue
            if result is None or result.outcome == "skipped":
                offline.append((page, key, result and result.outcome))  # non-loopback hosts: offline in tests
                continue
            ours = "valid" if result.outcome == "ok" else "error"
            compared += 1
            if ours == verdict:
                agree.append(key)
            else:
                differ.append((page, key, verdict, result.outcome, result.reason))
    print(f"LinkChecker fixtures: {compared} links compared, {len(agree)} agree; {len(offline)} off-machine not checked")
    assert all(outcome == "skipped" for *_, outcome in offline), offline  # only non-loopback hosts go unchecked
    assert compared >= 10
    assert differ == []
