"""Incremental re-scans (SQLite and PostgreSQL): an unchanged page (304, or the same body) keeps its findings
without being checked again, a changed page gets new ones, external verdicts are shared through the cache, and
`--full` reuses nothing."""

from __future__ import annotations

import subprocess
import sys


from crawl_helpers import findings, latest_scan, pages, register, worker_env, write_settings
from xunjian.demo.server import send
from xunjian.storage.db import session_scope
from xunjian.storage.models import LinkVerdict


def _site(site_server, external: str, state: dict):
    def etag_page(h):  # answers 304 to a matching If-None-Match
        if h.headers.get("If-None-Match") == '"v1"':
            state["304"] = state.get("304", 0) + 1
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.end_headers()
            return
        send(h, 200, "<html><body><p>他一股作气完成了任务。</p></body></html>".encode(), headers={"ETag": '"v1"'})

    def changing(h):  # no validators: compared by its hash; the second version has a typo
        text = "设备按装完毕。" if state.get("changed") else "设备安装完毕。"
        send(h, 200, f"<html><body><p>{text}</p></body></html>".encode())

    routes = {"/": lambda h: send(h, 200, (f'<html><body><a href="/etag.html">甲</a><a href="/same.html">乙</a>'
                                           f'<a href="/change.html">丙</a><a href="{external}">外部</a></body></html>').encode()),
              "/etag.html": etag_page, "/change.html": changing,
              "/same.html": lambda h: send(h, 200, "<html><body><p>又一股作气。</p></body></html>".encode())}
    return site_server(routes=routes)


def _scan(db_url, tmp_path, *flags):
    proc = subprocess.run([sys.executable, "-m", "xunjian.worker", "inc", "--as-of", "2026-11-22", *flags],
                          env=worker_env(db_url, write_settings(tmp_path)), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return latest_scan(db_url, "inc")


def test_unchanged_pages_keep_findings_changed_pages_get_new_ones(db_url, tmp_path, site_server):
    other = site_server(routes={"/ext.html": lambda h: send(h, 200, b"<html><body>ok</body></html>")})
    state: dict = {}
    site = _site(site_server, other.url + "ext.html", state)
    register(db_url, tmp_path, "inc", site.url)
    first = _scan(db_url, tmp_path)
    assert first.status == "complete" and not first.stats.get("incremental/reused")
    typos = {f.page for f in findings(db_url, "inc") if f.rule == "TX002"}
    assert {site.url + "etag.html", site.url + "same.html"} <= typos
    with session_scope(db_url) as s:
        assert s.get(LinkVerdict, other.url + "ext.html").outcome == "ok"  # shared verdict cache
    assert pages(db_url, first.id)[site.url + "etag.html"].etag == '"v1"'

    state["changed"] = True
    second = _scan(db_url, tmp_path)
    assert second.status == "complete"
    assert state["304"] == 1 and second.stats["incremental/unchanged/304"] == 1
    assert second.stats["incremental/unchanged/hash"] == 1  # same.html: answered 200, same body
    assert second.stats["incremental/reused"] == 2 and second.stats["incremental/verdicts_from_cache"] == 1
    assert other.hits.count("/ext.html") == 1  # not requested again within the cache time
    open_typos = {f.page: f for f in findings(db_url, "inc") if f.rule == "TX002" and f.status == "open"}
    for url in (site.url + "etag.html", site.url + "same.html"):  # reused: findings kept, seen by this scan
        assert open_typos[url].last_scan_id == second.id
    assert open_typos[site.url + "change.html"].first_scan_id == second.id  # changed: checked again, new finding
    reused = pages(db_url, second.id)[site.url + "etag.html"]
    assert reused.status == 200 and reused.etag == '"v1"' and reused.facts.get("page_findings")

    third = _scan(db_url, tmp_path, "--full")
    assert not third.stats.get("incremental/reused") and third.stats["incremental/mode"] == "full"
    assert state["304"] == 1 and other.hits.count("/ext.html") == 2
    assert {f.page for f in findings(db_url, "inc") if f.rule == "TX002" and f.status == "open"} == set(open_typos)
