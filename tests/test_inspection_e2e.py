"""Issue 3 end to end: `xunjian scan` of the columns fixture site reports exactly the planted UP/FT/MT findings.

The site (tests/fixtures/sites/columns, see its expected.yaml) has stale, blank, undated, paginated, GBK and
JS-filled columns, a date widget, a visit counter and a copyright year on its homepage, a sub-system template
without two footer identifiers and a column page without two labels. Served on 127.0.0.1, scanned by the real
worker at as_of 2026-11-22 with render: never (the JS-filled column is skipped, never reported blank).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from crawl_helpers import findings, latest_scan, register, run_worker, worker_env, write_settings
from xunjian.storage.db import session_scope
from xunjian.storage.models import SiteColumn

SITE = Path(__file__).parent / "fixtures" / "sites" / "columns"


def test_columns_site_reports_exactly_the_planted_findings(db_url, tmp_path, site_server):
    expected = yaml.safe_load((SITE / "expected.yaml").read_text(encoding="utf-8"))
    server = site_server(root=SITE)
    register(db_url, tmp_path, "county", server.url, site_code="1199000002")
    proc = run_worker("county", worker_env(db_url, write_settings(tmp_path)), as_of=str(expected["as_of"]))
    assert proc.returncode == 0, proc.stderr
    scan = latest_scan(db_url, "county")
    assert scan.status == "complete"
    found = findings(db_url, "county")
    path = lambda f: urlsplit(f.page).path if f.page else None  # noqa: E731

    up = sorted((f.rule, path(f)) for f in found if f.rule.startswith("UP"))
    assert up == sorted((e["rule"], e["path"]) for e in expected["findings"])
    ft = sorted(f.rule for f in found if f.rule.startswith("FT"))
    assert ft == sorted(expected["footer_findings"])
    for f in (f for f in found if f.rule.startswith("FT")):
        assert f.page is None and f.evidence["failing"] and all("/xwfb/" in p for p in f.evidence["failing"]), f.evidence
    # label findings are per (page type, template): the template's failing pages are in the evidence
    mt = sorted((f.rule, tuple(sorted(urlsplit(p).path for p in f.evidence["pages"]))) for f in found
                if f.rule.startswith("MT"))
    assert mt == sorted((e["rule"], (e["path"],)) for e in expected["label_findings"])
    assert all(f.page is None and f.evidence["page_count"] == 1 for f in found if f.rule.startswith("MT"))
    assert not [f for f in found if f.rule.startswith(("LK", "TX", "SC"))], [(f.rule, f.target) for f in found]

    stale = next(f for f in found if f.rule == "UP002")
    assert stale.evidence["newest_date"] == "2026-10-15" and stale.evidence["column"] == "部门动态"
    with session_scope(db_url) as s:
        columns = {urlsplit(c.url).path: c for c in s.query(SiteColumn).filter_by(scan_id=scan.id)}
    assert columns["/zwdt/"].newest_date.isoformat() == "2026-11-20"  # merged over its two pages
    assert columns["/gsgg/"].item_count >= 1  # the GBK column was read
    assert columns["/bmdt/"].category == "news" and columns["/zcwj/"].category == "policy"


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Chromium not installed (apt-get install -y chromium)")
def test_columns_site_rendered_auto_same_findings_and_js_list_filled(sqlite_url, tmp_path, site_server):
    """render: auto: Chromium fills the script-fed list; the planted findings are still exactly the same."""
    expected = yaml.safe_load((SITE / "expected.yaml").read_text(encoding="utf-8"))
    server = site_server(root=SITE)
    register(sqlite_url, tmp_path, "county", server.url, site_code="1199000002", render="auto")
    proc = run_worker("county", worker_env(sqlite_url, write_settings(tmp_path)), as_of=str(expected["as_of"]))
    assert proc.returncode == 0, proc.stderr
    scan = latest_scan(sqlite_url, "county")
    found = findings(sqlite_url, "county")
    path = lambda f: urlsplit(f.page).path if f.page else None  # noqa: E731
    assert sorted((f.rule, path(f)) for f in found if f.rule.startswith("UP")) == \
        sorted((e["rule"], e["path"]) for e in expected["findings"])
    with session_scope(sqlite_url) as s:
        spxw = s.query(SiteColumn).filter_by(scan_id=scan.id).filter(SiteColumn.url.like("%/spxw/")).one()
        assert spxw.rendered and spxw.item_count == 3 and spxw.newest_date.isoformat() == "2026-11-19"
