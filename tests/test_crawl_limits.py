"""Crawl limits: spider traps, robots.txt policy, response size cap, page limit, concurrent workers on one database."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import select

from crawl_helpers import latest_scan, pages, register, results_by_target, run_worker, worker_env, write_settings
from xunjian.demo.server import send
from xunjian.storage.db import session_scope
from xunjian.storage.models import Scan


def test_calendar_trap_and_session_ids_are_bounded(sqlite_url, tmp_path, site_server):
    def calendar(h):
        from urllib.parse import parse_qs, urlsplit

        day = int(parse_qs(urlsplit(h.path).query).get("d", ["0"])[0])
        body = (f'<html><body><a href="/cal?d={day + 1}">下一天</a> <a href="/cal?d={day - 1}">上一天</a>'
                f'<a href="/page.html;jsessionid=S{day}">会话</a><a href="/page.html?sid=X{day}">会话2</a></body></html>')
        send(h, 200, body.encode())

    site = site_server(routes={"/": lambda h: send(h, 200, b'<html><body><a href="/cal?d=0">calendar</a></body></html>'),
                               "/cal": calendar, "/page.html": lambda h: send(h, 200, b"<html><body>p</body></html>")})
    register(sqlite_url, tmp_path, "trap", site.url)
    proc = run_worker("trap", worker_env(sqlite_url, write_settings(tmp_path, max_query_variants=15, max_depth=100)))
    assert proc.returncode == 0, proc.stderr
    crawled = pages(sqlite_url, latest_scan(sqlite_url, "trap").id)
    calendar_pages = [u for u in crawled if "/cal?" in u]
    assert 10 <= len(calendar_pages) <= 15  # the query-variant cap stops the endless calendar
    assert [u for u in crawled if "page.html" in u] == [site.url + "page.html"]  # session ids stripped: one page


def test_robots_policy(sqlite_url, tmp_path, site_server):
    site = site_server(routes={
        "/robots.txt": lambda h: send(h, 200, b"User-agent: *\nDisallow: /private/\n", ctype="text/plain"),
        "/": lambda h: send(h, 200, b'<html><body><a href="/private/a.html">a</a><a href="/open.html">b</a></body></html>'),
        "/private/a.html": lambda h: send(h, 200, b"<html><body>secret</body></html>"),
        "/open.html": lambda h: send(h, 200, b"<html><body>open</body></html>"),
    })
    register(sqlite_url, tmp_path, "robots", site.url)
    assert run_worker("robots", worker_env(sqlite_url, write_settings(tmp_path, robots="obey"))).returncode == 0
    assert "/open.html" in site.hits and "/private/a.html" not in site.hits  # never requested
    result = results_by_target(sqlite_url, latest_scan(sqlite_url, "robots").id)[site.url + "private/a.html"]
    assert result.outcome == "skipped" and "robots" in result.reason.lower()
    assert run_worker("robots", worker_env(sqlite_url, write_settings(tmp_path, robots="ignore"))).returncode == 0
    assert "/private/a.html" in site.hits
    assert pages(sqlite_url, latest_scan(sqlite_url, "robots").id)[site.url + "private/a.html"].status == 200


def test_large_page_is_cut_at_the_size_limit(sqlite_url, tmp_path, site_server):
    big = b"<html><body>" + "政务公开".encode() * 200000 + b"</body></html>"  # 2.4 MB
    site = site_server(routes={"/": lambda h: send(h, 200, b'<html><body><a href="/big.html">big</a></body></html>'),
                               "/big.html": lambda h: send(h, 200, big)})
    register(sqlite_url, tmp_path, "big", site.url)
    proc = run_worker("big", worker_env(sqlite_url, write_settings(tmp_path, max_response_bytes=100000)))
    assert proc.returncode == 0, proc.stderr
    page = pages(sqlite_url, latest_scan(sqlite_url, "big").id)[site.url + "big.html"]
    assert page.status == 200 and 100000 <= page.bytes < 400000


def test_page_limit_checks_the_rest(sqlite_url, tmp_path, site_server):
    links = "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(30))
    routes = {"/": lambda h: send(h, 200, f"<html><body>{links}</body></html>".encode())}
    routes.update({f"/p{i}.html": (lambda h: send(h, 200, b"<html><body>x</body></html>")) for i in range(30)})
    site = site_server(routes=routes)
    register(sqlite_url, tmp_path, "limit", site.url)
    assert run_worker("limit", worker_env(sqlite_url, write_settings(tmp_path, max_pages=10))).returncode == 0
    scan = latest_scan(sqlite_url, "limit")
    assert len(pages(sqlite_url, scan.id)) == 10
    results = results_by_target(sqlite_url, scan.id)
    assert len(results) == 31 and all(r.outcome == "ok" for r in results.values())  # beyond the limit: verified


def test_two_workers_scan_two_sites_at_once(db_url, tmp_path, site_server):
    sites = []
    for name in ("one", "two"):
        links = "".join(f'<a href="/_delay/0.2?p={i}">{i}</a>' for i in range(20))
        site = site_server(routes={"/": lambda h, links=links: send(h, 200, f"<html><body>{links}</body></html>".encode())})
        register(db_url, tmp_path, name, site.url)
        sites.append(name)
    env = worker_env(db_url, write_settings(tmp_path))
    procs = [subprocess.Popen([sys.executable, "-m", "xunjian.worker", n, "--as-of", "2026-11-22"], env=env,
                              stderr=subprocess.PIPE, text=True) for n in sites]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with session_scope(db_url) as s:
        scans = {x.site_id: (x.status, x.pages_count) for x in s.scalars(select(Scan))}
    assert scans == {"one": ("complete", 21), "two": ("complete", 21)}
