"""A scan stopped by the page budget is `partial`: said so by `scan`, `findings` and the reports, never scored,
and it resolves nothing it did not see (SQLite and PostgreSQL). The budget is settable per site in the registry."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from crawl_helpers import findings, latest_scan, pages, register, worker_env, write_settings
from xunjian.demo.server import send
from xunjian.storage.db import session_scope
from xunjian.storage.models import Score, Site
from xunjian.storage.registry import RegistryError, parse_registry


def _site(site_server):
    links = "".join(f'<a href="/p{i}.html">第{i}页</a>' for i in range(30))
    routes = {"/": lambda h: send(h, 200, f"<html><head><title>首页</title></head><body>{links}</body></html>".encode())}
    for i in range(30):
        extra = '<a href="/missing.html">旧文件</a>' if i == 25 else ""
        routes[f"/p{i}.html"] = (lambda h, e=extra: send(h, 200, f"<html><body><p>正文</p>{e}</body></html>".encode()))
    return site_server(routes=routes)


def _scan(db_url, tmp_path):
    return subprocess.run([sys.executable, "-m", "xunjian.cli", "scan", "budget"], capture_output=True, text=True,
                          timeout=180, env=worker_env(db_url, write_settings(tmp_path)))


def test_budget_cut_scan_is_partial_everywhere(db_url, tmp_path, site_server):
    site = _site(site_server)
    register(db_url, tmp_path, "budget", site.url)  # default budget (100,000 pages): the whole site
    first = _scan(db_url, tmp_path)
    assert first.returncode == 0, first.stderr
    assert latest_scan(db_url, "budget").status == "complete"
    broken = [f for f in findings(db_url, "budget") if f.target == site.url + "missing.html"]
    assert broken and all(f.status == "open" for f in broken)

    register(db_url, tmp_path, "budget", site.url, max_pages=10)  # the registry's per-site budget
    second = _scan(db_url, tmp_path)
    assert second.returncode == 0, second.stderr
    scan = latest_scan(db_url, "budget")
    assert scan.status == "partial" and len(pages(db_url, scan.id)) == 10
    assert "页面上限 10" in scan.message and "部分完成" in second.stderr
    # p25 was not crawled: its broken link was not seen, and a partial scan resolves nothing
    assert all(f.status == "open" for f in findings(db_url, "budget") if f.target == site.url + "missing.html")
    with session_scope(db_url) as s:
        scored = {row.scan_id for row in s.scalars(select(Score).where(Score.site_id == "budget"))}
        assert scan.id not in scored and len(scored) == 1  # only the complete scan is scored
        assert s.get(Site, "budget").extra["max_pages"] == 10

    env = worker_env(db_url, write_settings(tmp_path))
    shown = subprocess.run([sys.executable, "-m", "xunjian.cli", "findings", "budget", "--format", "json"],
                           capture_output=True, text=True, timeout=60, env=env)
    assert shown.returncode == 0 and "部分扫描" in shown.stderr
    from xunjian.reports.data import build_site_report

    with session_scope(db_url) as s:
        assert "部分扫描" in build_site_report(s, "budget").scan_note
    from xunjian.reports.html import render_html

    with session_scope(db_url) as s:
        assert "部分扫描" in render_html(build_site_report(s, "budget"))


def test_registry_max_pages_is_validated(tmp_path):
    path = tmp_path / "sites.yaml"
    path.write_text("sites:\n  - {id: a, name: 甲, url: 'http://127.0.0.1:1/', max_pages: 0}\n", encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        parse_registry(path)
    assert "max_pages" in err.value.lines()[0]
    csv = tmp_path / "sites.csv"
    csv.write_text("id,name,url,max_pages\nb,乙,http://127.0.0.1:2/,2500\n", encoding="utf-8")
    assert parse_registry(csv)[0].max_pages == 2500


def test_default_budget_covers_whole_sites():
    from xunjian.config import load_settings

    assert load_settings(env={}).crawl.max_pages >= 100_000
