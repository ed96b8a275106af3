"""LinkChecker's own test fixtures, served locally: our valid/error verdict per link against its .result files.

The fixtures (``tests/fixtures/linkchecker``, GPL-2.0, LinkChecker's tests/checker/data; provenance beside them)
are served under ``/tests/checker/data/`` as LinkChecker's test server does. Every HTML input with a ``.result``
file is compared, the ``http_*`` ones (which LinkChecker fetches over HTTP) and the others (which it reads as
``file://`` URLs: a ``file://…/data/x.html`` key maps to the same file served over HTTP here; a missing file is
a 404 here and an error there). Each page is crawled and each of its links verified once.

Not compared: non-web schemes (mailto:, file:, news:, clsid:...), hosts off this machine (tests contact only
127.0.0.1), inputs that are not web pages (bookmark files, sitemaps, URL lists, text/markdown/WML files,
directory listings), and links to binary inputs that were not copied (see PROVENANCE.md). Known, documented
differences are in KNOWN_DIFFERENCES and count as disagreements in the printed figure:

    .venv/bin/python -m pytest -q -s tests/test_linkchecker_fixtures.py
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from crawl_helpers import latest_scan, register, results_by_target, run_worker, worker_env, write_settings

DATA = Path(__file__).parent / "fixtures" / "linkchecker"
PREFIX = "/tests/checker/data/"
NOT_PAGES = {"Bookmarks", "opera6.adr", "places.sqlite", "sitemap.xml", "sitemapindex.xml", "urllist.txt", "dir",
             "udir", "file.asc", "file.txt", "file.markdown", "file.wml", "file.pdf", "file.doc",
             "urlencoding_anchor.html.file"}
#: Inputs left out of the copy (binary, or PHP): LinkChecker had them, so links to them are not comparable.
NOT_COPIED = ("file.pdf", "file.doc", "test.swf", "dir.zip", "favicon.ico", "places.sqlite", "file.php")
# Where we differ from LinkChecker on purpose (URL suffix -> why).
KNOWN_DIFFERENCES: dict[str, str] = {
    PREFIX + "file.html": "<applet archive=...>: applets are gone from browsers; not extracted",
    "http://example.org/foo/%20": "<object codebase=...>: obsolete plugin attribute; not extracted",
}
#: LinkChecker's cache key -> the URL we request for the same link. LinkChecker re-encodes the %FF of a latin-1
#: page as UTF-8 (%C3%BF); browsers send %FF as written, and so do we. The verdicts are compared.
URL_FORMS = {"http://localhost:8001/?quoted=%C3%BF": "http://localhost:8001/?quoted=%FF"}


def pages() -> list[str]:
    """Every HTML input with an expected result (relative to the data folder)."""
    out = []
    for result in sorted(DATA.rglob("*.result")):
        name = str(result.relative_to(DATA))[: -len(".result")]
        if name not in NOT_PAGES and (DATA / name).is_file():
            out.append(name)
    return out


def parse_result(text: str, port: int) -> list[tuple[str, str]]:
    """(cache key as an absolute URL, "valid"|"error") per block of a LinkChecker .result file."""
    base = f"http://127.0.0.1:{port}"
    text = text.replace("localhost:%(port)d", f"127.0.0.1:{port}")
    text = text.replace("file://%(curdir)s/%(datadir)s/", base + PREFIX).replace("%(datadir)s", PREFIX.strip("/"))
    text = text.replace("%%", "%")
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip().splitlines()
        key = next((line[len("cache key "):] for line in lines if line.startswith("cache key ")), None)
        verdict = lines[-1].strip()
        if key and verdict in ("valid", "error"):
            out.append((key, verdict))
    return out


def _serve(tmp_path: Path, site_server, names: list[str]):  # noqa: ANN202
    from xunjian.demo.server import send

    # LinkChecker's test server answers redirect_newhost.html with a redirect to another host (www.example.com,
    # off this machine): here the other host is a second local server.
    other = site_server(routes={"/": lambda h: send(h, 200, b"<html><body>new host</body></html>")})
    routes = {PREFIX + "redirect_newhost.html": lambda h: send(h, 302, b"", headers={"Location": other.url})}
    root = tmp_path / "root"
    shutil.copytree(DATA, root / PREFIX.strip("/"))
    links = "".join(f'<a href="{PREFIX}{p}">{p}</a>' for p in names)
    # file.css is a style sheet: read as one (LinkChecker parses it for url() links)
    (root / "index.html").write_text(f'<html><head><link rel="stylesheet" href="{PREFIX}file.css"></head><body>'
                                     f"{links}</body></html>", encoding="utf-8")
    return site_server(root=root, routes=routes)


def _compare(names, results, port):  # noqa: ANN001, ANN202
    from xunjian.urls import normalize

    compared, agree, differ, known, unchecked = 0, [], [], [], []
    for page in names:
        expected = parse_result((DATA / f"{page}.result").read_text(encoding="utf-8"), port)
        for key, verdict in expected[1:]:  # the first block is the page itself
            if not key.startswith(("http://", "https://")) or key.split("?")[0].endswith(NOT_COPIED):
                continue
            try:
                target = normalize(key)
            except ValueError:
                target = key
            result = results.get(target) or results.get(key)
            if result is None and key in URL_FORMS:  # the same link, written as browsers send it
                result = results.get(URL_FORMS[key])
            if result is None and not key.startswith(f"http://127.0.0.1:{port}/") and "localhost" not in key:
                continue  # another host: never contacted in tests
            if result is not None and result.outcome == "skipped":
                continue  # off-machine host listed unchecked (offline mode)
            compared += 1
            ours = None if result is None else ("valid" if result.outcome == "ok" else "error")
            if ours == verdict:
                agree.append(key)
            elif any(key.endswith(suffix) for suffix in KNOWN_DIFFERENCES):
                known.append((page, key))
            else:
                differ.append((page, key, verdict, result and result.outcome, result and result.reason))
    return compared, agree, differ, known, unchecked


def test_verdicts_match_linkchecker(sqlite_url, tmp_path, site_server):
    names = pages()
    assert len(names) >= 30, names
    site = _serve(tmp_path, site_server, names)
    register(sqlite_url, tmp_path, "lc", site.url)
    proc = run_worker("lc", worker_env(sqlite_url, write_settings(tmp_path, max_depth=3)), timeout=170)
    assert proc.returncode == 0, proc.stderr
    results = results_by_target(sqlite_url, latest_scan(sqlite_url, "lc").id)
    compared, agree, differ, known, _ = _compare(names, results, site.port)
    print(f"\nLinkChecker fixtures: {len(agree)} of {compared} agree over {len(names)} pages "
          f"({len(known)} known differences)")
    for item in differ:
        print("  DIFFERS", *item)
    for page, key in known:
        print("  known difference", page, key)
    assert compared >= 55 and len(known) <= len(KNOWN_DIFFERENCES)
    assert differ == []
