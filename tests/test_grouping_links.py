"""Granularity: one broken target linked from 30 pages is ONE finding, the same everywhere it is shown.

A real scan (the worker subprocess) of a local site on 127.0.0.1, on SQLite and PostgreSQL: the findings table,
``xunjian findings --format json``, the CSV/JSON/Excel/HTML reports and the score deductions all show one LK002 with
``evidence.page_count == 30`` and 20 example pages, while the links table keeps all 30 (page, link) observations.
A second scan keeps the finding (same fingerprint, same first_seen) although nothing about the pages changed order.
"""

from __future__ import annotations

import csv
import json

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from crawl_helpers import findings, latest_scan, register, run_worker, worker_env, write_settings
from xunjian.checks import finding
from xunjian.storage.db import session_scope
from xunjian.storage.models import Link

N_PAGES = 30


def _site(tmp_path):
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    items = "".join(f'<li><a href="/news/{i:02d}.html">通知 {i}</a></li>' for i in range(N_PAGES))
    (root / "index.html").write_text(
        f'<html><head><meta charset="utf-8"><title>首页</title></head><body><ul>{items}</ul></body></html>',
        encoding="utf-8")
    for i in range(N_PAGES):
        (root / "news" / f"{i:02d}.html").write_text(
            f'<html><head><meta charset="utf-8"><title>通知 {i}</title></head><body><p>正文 {i}</p>'
            '<a href="/files/gone.pdf">附件: 实施方案.pdf</a><a href="/index.html">返回首页</a></body></html>',
            encoding="utf-8")
    return root


def test_one_broken_target_on_30_pages_is_one_finding(db_url, tmp_path, site_server, monkeypatch):
    from xunjian.config import load_settings
    from xunjian.reports.build import write_reports
    from xunjian.scoring import compute_site_score

    site = site_server(root=_site(tmp_path))
    register(db_url, tmp_path, "grp", site.url)
    env = worker_env(db_url, write_settings(tmp_path))
    assert (proc := run_worker("grp", env)).returncode == 0, proc.stderr
    target = site.url + "files/gone.pdf"
    expected_pages = sorted(f"{site.url}news/{i:02d}.html" for i in range(N_PAGES))[:20]

    rows = [f for f in findings(db_url, "grp") if f.rule.startswith("LK")]
    assert [(f.rule, f.target) for f in rows] == [("LK002", target)]
    lk = rows[0]
    assert lk.evidence["page_count"] == N_PAGES and lk.evidence["pages"] == expected_pages
    assert lk.page == expected_pages[0] and "30 个页面" in lk.message
    with session_scope(db_url) as s:  # every observation is still stored
        assert s.scalar(select(func.count()).select_from(Link).where(Link.target == target)) == N_PAGES

    # the same finding through the CLI (findings --format json)
    monkeypatch.setenv("XUNJIAN_DATABASE_URL", db_url)
    monkeypatch.delenv("XUNJIAN_CONFIG", raising=False)
    from xunjian.cli import app

    result = CliRunner().invoke(app, ["findings", "grp", "--format", "json"])
    assert result.exit_code == 0, result.output
    cli_lk = [f for f in json.loads(result.stdout) if f["rule"].startswith("LK")]
    assert len(cli_lk) == 1 and cli_lk[0]["evidence"]["page_count"] == N_PAGES
    assert cli_lk[0]["evidence"]["pages"] == expected_pages and cli_lk[0]["page"] == expected_pages[0]
    from xunjian.cli.common import out as console

    monkeypatch.setattr(console, "_width", 400)  # the table's page column at full width, not wrapped
    table = CliRunner().invoke(app, ["findings", "grp"])
    assert f"{expected_pages[0]} (共 30 个页面)" in table.stdout

    # reports: CSV, JSON, Excel, HTML
    out = tmp_path / "out"
    out.mkdir()
    with session_scope(db_url) as s:
        write_reports(s, load_settings(env={}), out, ["grp"], screenshots=False)
        score = compute_site_score(s, "grp").to_json()
    with (out / "grp-findings.csv").open(encoding="utf-8-sig") as fh:
        csv_rows = [r for r in csv.DictReader(fh) if r["规则"].startswith("LK")]
    assert len(csv_rows) == 1 and csv_rows[0]["涉及页面数"] == str(N_PAGES)
    assert csv_rows[0]["示例页面"].split("\n") == expected_pages
    json_lk = [f for f in json.loads((out / "grp-findings.json").read_text(encoding="utf-8"))
               if f["rule"].startswith("LK")]
    assert len(json_lk) == 1 and json_lk[0]["page_count"] == N_PAGES and json_lk[0]["example_pages"] == expected_pages
    ws = load_workbook(out / "grp.xlsx")["问题清单"]
    header = [c.value for c in ws[1]]
    xl = [r for r in ws.iter_rows(min_row=2, values_only=True) if str(r[header.index("规则")]).startswith("LK")]
    assert len(xl) == 1 and xl[0][header.index("涉及页面数")] == N_PAGES
    html = (out / "grp.html").read_text(encoding="utf-8")
    assert "共 30 个页面，示例 20 个" in html and html.count(f'href="{expected_pages[19]}"') == 1

    # scoring: one deduction for the target, not 30
    links = next(d for d in score["deductions"] if d["indicator"] == "links_other")
    assert [(f["rule"], f["target"], f["page_count"]) for f in links["findings"]] == [("LK002", target, N_PAGES)]
    assert links["raw_points"] == 0.1

    # a second scan: the same finding (fingerprint without the example page), first_seen kept
    assert (proc := run_worker("grp", env)).returncode == 0, proc.stderr
    again = [f for f in findings(db_url, "grp") if f.rule.startswith("LK")]
    assert [(f.id, f.first_seen, f.status) for f in again] == [(lk.id, lk.first_seen, "open")]
    assert again[0].last_scan_id == latest_scan(db_url, "grp").id != lk.last_scan_id


def test_homepage_target_is_one_lk001_with_every_page(sqlite_url, tmp_path, site_server):
    """A footer link broken everywhere: one LK001 (it is on the homepage), its pages the homepage first."""
    root = _site(tmp_path)
    index = (root / "index.html").read_text(encoding="utf-8")
    (root / "index.html").write_text(index.replace("</ul>", '</ul><a href="/files/gone.pdf">附件</a>'),
                                     encoding="utf-8")
    site = site_server(root=root)
    register(sqlite_url, tmp_path, "grp1", site.url)
    assert (proc := run_worker("grp1", worker_env(sqlite_url, write_settings(tmp_path)))).returncode == 0, proc.stderr
    rows = [f for f in findings(sqlite_url, "grp1") if f.rule.startswith("LK")]
    assert [(f.rule, f.page) for f in rows] == [("LK001", site.url)]
    from xunjian.storage.models import Page

    with session_scope(sqlite_url) as s:  # "/" and "/index.html" are both crawled: every page linking it counts
        linking = set(s.scalars(select(Page.url).join(Link, Link.page_id == Page.id)
                                .where(Link.target == site.url + "files/gone.pdf")))
    assert len(linking) >= N_PAGES + 1 and rows[0].evidence["page_count"] == len(linking)
    assert rows[0].evidence["pages"][0] == site.url and rows[0].evidence["pages"][1:] == sorted(linking - {site.url})[:19]


def test_scoring_counts_link_targets_not_pages():
    """Findings stored per (page, target) by an older scan still deduct once per target."""
    from xunjian.scoring import compute_score, load_profile, SiteFacts

    items = [finding("LK002", "附件不可用", page=f"http://h/p{i}.html", target="http://h/gone.pdf").to_dict()
             for i in range(30)]
    items += [finding("LK001", "首页附件不可用", page="http://h/", target="http://h/gone.pdf").to_dict(),
              finding("LK002", "另一个", page="http://h/p1.html", target="http://h/other.pdf").to_dict()]
    result = compute_score(items, None, load_profile(), SiteFacts(id="h"))
    by_ind = {d["indicator"]: d for d in result.deductions}
    assert [f["target"] for f in by_ind["links_home"]["findings"]] == ["http://h/gone.pdf"]
    assert [f["target"] for f in by_ind["links_other"]["findings"]] == ["http://h/other.pdf"]
    assert by_ind["links_other"]["raw_points"] == 0.1


def test_grouped_fingerprint_ignores_the_example_page():
    a = finding("LK002", "x", page="http://h/a.html", target="http://h/t.pdf", grouped=True)
    b = finding("LK002", "x", page="http://h/b.html", target="http://h/t.pdf", grouped=True)
    c = finding("LK002", "x", page="http://h/b.html", target="http://h/t.pdf")
    assert a.fingerprint("s") == b.fingerprint("s") != c.fingerprint("s")


def test_grouped_finding_keeps_its_row_when_examples_change(sqlite_url):
    from datetime import date

    from xunjian.storage.findings import merge_findings
    from xunjian.storage.models import Finding as Row
    from xunjian.storage.models import Scan, Site

    def grouped(pages):
        return finding("LK002", "附件不可用", page=pages[0], target="http://h/gone.pdf", grouped=True,
                       evidence={"page_count": len(pages), "pages": pages})

    with session_scope(sqlite_url) as s:
        s.add(Site(id="g", name="g", url="http://h/"))
        s.flush()
        for pages in (["http://h/a.html", "http://h/b.html"], ["http://h/b.html", "http://h/c.html", "http://h/d.html"]):
            scan = Scan(site_id="g", status="complete", as_of=date(2026, 11, 22))
            s.add(scan)
            s.flush()
            merge_findings(s, "g", [grouped(pages)], scan.id)
        rows = list(s.scalars(select(Row).where(Row.site_id == "g")))
        assert [(r.page, r.evidence["page_count"]) for r in rows] == [("http://h/b.html", 3)]
