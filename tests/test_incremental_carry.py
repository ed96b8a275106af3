"""Incremental re-scans that carry unchanged pages (``incremental.revisit: lists``, SQLite and PostgreSQL):
column pages are requested conditionally, the articles of unchanged ones are not requested at all, and
both are copied from the previous scan in bulk; the findings, the score and the page set are those of a
full scan; new and changed pages are checked in full; `--full` requests everything again."""

from __future__ import annotations

import subprocess
import sys

import yaml
from sqlalchemy import select

from crawl_helpers import TEST_SETTINGS, findings, latest_scan, pages, register, results_by_target, worker_env
from xunjian.demo.server import send
from xunjian.storage.db import session_scope
from xunjian.storage.models import Link, Page, Score

TEXT = "市政府持续推进政务公开和优化营商环境工作，各地各部门要提高政治站位，压实工作责任，确保各项任务落地见效。" * 12
TYPO = "他一股作气完成了任务。"  # TX002 on whatever page carries it


def _article(h, state: dict, name: str) -> None:
    if name in state.get("gone", ()):
        send(h, 404, b"<html><head><title>404</title></head><body>Not Found</body></html>")
        return
    typo = TYPO if name in ("a1", "new") else ""
    body = (f'<html><head><title>文章{name}</title></head><body><div class="nav"><a href="/">首页</a>'
            f'<a href="/col/a/">政务动态</a><a href="/col/b/">通知公告</a></div><h1>文章{name}</h1>'
            f'<p>{TEXT}{typo}</p><a href="/files/{name}.pdf">附件</a>'
            f'{"<a href=/missing.html>旧链接</a>" if name == "a1" else ""}'
            f'{"<a href=/col/c/>专题</a>" if name == "a3" else ""}</body></html>')  # column c: linked only from a3
    send(h, 200, body.encode(), headers={"ETag": f'"{name}-v1"'})


def _column(h, state: dict, col: str) -> None:
    items = [f"{'a' if col == 'c' else col}{i}" for i in (1, 2, 3)] + (["new"] if col == "b" and state.get("changed") else [])
    lis = "".join(f'<li><a href="/art/{n}.html">关于{n}的通知文件标题</a><span>2026-11-{10 + i:02d}</span></li>'
                  for i, n in enumerate(items))
    typo = TYPO if col == "a" or (col == "b" and state.get("changed")) else ""
    body = (f'<html><head><title>栏目{col}</title></head><body><div class="nav"><a href="/">首页</a></div>'
            f'<h1>栏目{col}</h1><p>{typo}</p><ul class="list">{lis}</ul></body></html>').encode()
    etag = f'"{col}-{len(body)}"'
    if h.headers.get("If-None-Match") == etag:
        h.send_response(304)
        h.send_header("ETag", etag)
        h.end_headers()
        return
    send(h, 200, body, headers={"ETag": etag})


def _site(site_server, state: dict):
    routes = {"/": lambda h: send(h, 200, ('<html><head><title>示例市人民政府</title></head><body>'
                                           '<a href="/col/a/">政务动态</a><a href="/col/b/">通知公告</a></body></html>').encode()),
              "/col/a/": lambda h: _column(h, state, "a"), "/col/b/": lambda h: _column(h, state, "b"),
              "/col/c/": lambda h: _column(h, state, "c")}
    for name in ("a1", "a2", "a3", "b1", "b2", "b3", "new"):
        routes[f"/art/{name}.html"] = lambda h, n=name: _article(h, state, n)
        routes[f"/files/{name}.pdf"] = lambda h: send(h, 200, b"%PDF-1.4", ctype="application/pdf")
    return site_server(routes=routes)


def _scan(db_url, tmp_path, *flags, revisit: str = "lists"):
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump({**TEST_SETTINGS, "incremental": {"revisit": revisit}}), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "xunjian.worker", "carry", "--as-of", "2026-11-22", *flags],
                          env=worker_env(db_url, path), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return latest_scan(db_url, "carry")


def _article_hits(site) -> list[str]:
    return [p for p in site.hits if p.startswith("/art/")]


def _open(db_url) -> dict[str, object]:
    return {f.fingerprint: f for f in findings(db_url, "carry") if f.status == "open"}


def _score(db_url, scan_id):
    with session_scope(db_url) as s:
        return s.scalars(select(Score).where(Score.scan_id == scan_id)).one()


def _links(db_url, scan_id) -> set[tuple[str, str]]:
    with session_scope(db_url) as s:
        return set(s.execute(select(Page.url, Link.target).join(Page, Page.id == Link.page_id)
                             .where(Link.scan_id == scan_id)).all())


def test_unchanged_site_rescan_requests_no_article_and_matches_the_full_scan(db_url, tmp_path, site_server):
    state: dict = {}
    site = _site(site_server, state)
    register(db_url, tmp_path, "carry", site.url)
    full = _scan(db_url, tmp_path)
    assert full.status == "complete" and full.stats["incremental/mode"] == "full"
    full_pages = pages(db_url, full.id)
    assert full_pages[site.url + "art/a1.html"].page_type == "article"
    assert full_pages[site.url + "col/a/"].page_type == full_pages[site.url + "col/c/"].page_type == "column"
    before, hits = _open(db_url), len(_article_hits(site))
    assert len(_article_hits(site)) == 6 and {f.rule for f in before.values()} >= {"TX002", "LK002"}

    again = _scan(db_url, tmp_path)
    assert again.status == "complete" and again.stats["incremental/mode"] == "incremental"
    assert len(_article_hits(site)) == hits  # not one request for an article
    # every column page is requested (conditionally), c too (linked only from a carried article): all 304
    assert again.stats["incremental/lists_requested"] == 3 and again.stats["incremental/unchanged/304"] == 3
    assert again.stats["incremental/reused"] == 3
    assert again.stats["incremental/carried"] == 10  # 3 columns, 6 articles, and the 404 page only a1 links to
    now = _open(db_url)
    assert set(now) == set(before)  # none resolved, none new
    assert all(f.last_scan_id == again.id for f in now.values())
    assert not [f for f in findings(db_url, "carry") if f.resolved_scan_id == again.id]
    assert again.pages_count == full.pages_count and again.links_count == full.links_count
    assert again.targets_checked == full.targets_checked
    carried = pages(db_url, again.id)
    assert set(carried) == set(full_pages)
    assert carried[site.url + "art/a1.html"].facts == full_pages[site.url + "art/a1.html"].facts
    assert _links(db_url, again.id) == _links(db_url, full.id)
    results = results_by_target(db_url, again.id)
    assert results[site.url + "files/a1.pdf"].outcome == "ok" and results[site.url + "missing.html"].status == 404
    assert _score(db_url, again.id).score == _score(db_url, full.id).score

    forced = _scan(db_url, tmp_path, "--full")
    assert forced.stats["incremental/mode"] == "full" and not forced.stats.get("incremental/carried")
    assert len(_article_hits(site)) == hits + 6  # --full requests every page again
    assert set(_open(db_url)) == set(before)

    old_way = _scan(db_url, tmp_path, revisit="all")  # incremental.revisit: all — every known page, conditionally
    assert len(_article_hits(site)) == hits + 12 and old_way.stats["incremental/reused"] == 9
    assert not old_way.stats.get("incremental/carried") and set(_open(db_url)) == set(before)


def test_changed_column_new_article_and_a_removed_article(db_url, tmp_path, site_server):
    state: dict = {}
    site = _site(site_server, state)
    register(db_url, tmp_path, "carry", site.url)
    first = _scan(db_url, tmp_path)
    typo_pages = {f.page for f in findings(db_url, "carry") if f.rule == "TX002"}
    assert typo_pages == {site.url + "art/a1.html", site.url + "col/a/"}

    # column b changes (a typo, a new article), b1 is removed but still listed on b, a2 is removed but a is unchanged
    state.update(changed=True, gone={"b1", "a2"})
    hits = len(site.hits)
    second = _scan(db_url, tmp_path)
    new_hits = site.hits[hits:]
    assert second.status == "complete"
    assert "/art/new.html" in new_hits and "/art/b1.html" in new_hits  # listed on the changed column
    assert "/art/a2.html" not in new_hits and "/art/a1.html" not in new_hits  # listed on the 304 column
    typos = {f.page: f for f in findings(db_url, "carry") if f.rule == "TX002" and f.status == "open"}
    assert typos[site.url + "art/new.html"].first_scan_id == second.id  # new article: fetched and checked
    assert typos[site.url + "col/b/"].first_scan_id == second.id  # changed column: new finding
    assert typos[site.url + "col/a/"].last_scan_id == second.id  # 304 column: its finding kept
    assert typos[site.url + "art/a1.html"].last_scan_id == second.id  # carried article: its finding kept
    scanned = pages(db_url, second.id)
    assert scanned[site.url + "art/b1.html"].status == 404  # fetched again: not carried, a broken link on b
    broken = {(f.page, f.target) for f in findings(db_url, "carry") if f.rule == "LK002" and f.status == "open"}
    assert (site.url + "col/b/", site.url + "art/b1.html") in broken
    # a2 is gone too, but only listed on the unchanged column: carried as it was until the next full scan
    assert scanned[site.url + "art/a2.html"].status == 200
    assert (site.url + "col/a/", site.url + "art/a2.html") not in broken
    # columns a, c (304), a1, a2, a3 (not requested), a1's dead link /missing.html, b2, b3 (requested: 304);
    # not b1 (404), not the new article (fetched)
    assert second.stats["incremental/carried"] == 8
    full = _scan(db_url, tmp_path, "--full")
    broken = {(f.page, f.target) for f in findings(db_url, "carry") if f.rule == "LK002" and f.status == "open"}
    assert (site.url + "col/a/", site.url + "art/a2.html") in broken and pages(db_url, full.id)[site.url + "art/a2.html"].status == 404
