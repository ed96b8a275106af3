"""Finding lifecycle: stable fingerprints, resolve only after complete scans, reopen, ignore (SQLite + PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from xunjian.checks import finding
from xunjian.storage.db import session_scope
from xunjian.storage.findings import (
    current_findings, ignore_finding, ignore_phrase, ignored_phrases, merge_findings, resolve_unseen, resolved_since,
)
from xunjian.storage.models import Finding as FindingRow
from xunjian.storage.models import Scan, Site

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)
SITE = "demo-gov"
BROKEN = finding("LK002", "附件返回 HTTP 404", page="http://127.0.0.1:9/zwgk/index.html",
                 target="http://127.0.0.1:9/missing.pdf", evidence={"status": 404})
BLANK = finding("UP005", "空白栏目", page="http://127.0.0.1:9/", target="http://127.0.0.1:9/rsxx/")


def scan(db_url, found, status="complete", day=0):
    """Simulate one scan: merge what it found, finish with ``status``, resolve if complete."""
    now = T0 + timedelta(days=day)
    with session_scope(db_url) as s:
        if s.get(Site, SITE) is None:
            s.add(Site(id=SITE, name="示例市人民政府", url="http://127.0.0.1:9/"))
            s.flush()
        row = Scan(site_id=SITE, status="running", as_of=date(2026, 11, 1) + timedelta(days=day))
        s.add(row)
        s.flush()
        merge_findings(s, SITE, found, row.id, now=now)
        row.status = status
        resolved = resolve_unseen(s, SITE, row, now=now)
        return row.id, resolved


def rows(db_url):
    with session_scope(db_url) as s:
        return {r.rule: (r.status, r.first_seen, r.last_seen, r.reopened_count, r.id)
                for r in s.query(FindingRow).all()}


def test_same_problem_keeps_first_seen(db_url):
    scan(db_url, [BROKEN], day=0)
    # same problem, page URL spelled differently (index page, fragment): one finding
    again = finding("LK002", "附件返回 HTTP 404", page="http://127.0.0.1:9/zwgk/index.html#top",
                    target="http://127.0.0.1:9/missing.pdf")
    scan(db_url, [again], day=1)
    got = rows(db_url)
    assert len(got) == 1
    status, first, last, _, _ = got["LK002"]
    assert status == "open" and first == T0 and last == T0 + timedelta(days=1)


def test_fixed_finding_resolved_after_complete_scan_not_interrupted(db_url):
    scan(db_url, [BROKEN, BLANK], day=0)
    _, resolved = scan(db_url, [BLANK], status="interrupted", day=1)
    assert resolved == 0
    assert rows(db_url)["LK002"][0] == "open"
    _, resolved = scan(db_url, [], status="failed", day=2)
    assert resolved == 0 and rows(db_url)["LK002"][0] == "open"
    scan_id, resolved = scan(db_url, [BLANK], status="complete", day=3)
    assert resolved == 1
    got = rows(db_url)
    assert got["LK002"][0] == "resolved" and got["UP005"][0] == "open"
    with session_scope(db_url) as s:
        fixed = resolved_since(s, SITE, T0 + timedelta(days=2))
        assert [r.rule for r in fixed] == ["LK002"] and fixed[0].resolved_scan_id == scan_id
        assert resolved_since(s, SITE, T0 + timedelta(days=4)) == []


def test_resolved_finding_that_comes_back_is_reopened(db_url):
    scan(db_url, [BROKEN], day=0)
    scan(db_url, [], day=1)
    assert rows(db_url)["LK002"][0] == "resolved"
    scan(db_url, [BROKEN], day=2)
    status, first, _, reopened, _ = rows(db_url)["LK002"]
    assert status == "open" and reopened == 1 and first == T0


def test_ignored_finding_stays_ignored(db_url):
    scan(db_url, [BROKEN], day=0)
    fid = rows(db_url)["LK002"][4]
    with session_scope(db_url) as s:
        ignore_finding(s, fid, "附件已按要求下线")
    scan(db_url, [BROKEN], day=1)
    scan(db_url, [], day=2)
    scan(db_url, [BROKEN], day=3)
    got = rows(db_url)["LK002"]
    assert got[0] == "ignored"
    with session_scope(db_url) as s:
        assert current_findings(s, SITE, ("open",), now=T0 + timedelta(days=3)) == []
        assert [r.id for r in current_findings(s, SITE, ("ignored",))] == [fid]


def test_current_view_ignores_incomplete_scans(db_url):
    scan(db_url, [BROKEN], day=0)
    scan(db_url, [BROKEN, BLANK], status="interrupted", day=1)  # refreshes BROKEN, first sees BLANK
    with session_scope(db_url) as s:
        got = [r.rule for r in current_findings(s, SITE, ("open",), now=T0 + timedelta(days=1))]
    assert got == ["LK002"]


def test_probe_findings_stay_current_for_seven_days(db_url):
    scan(db_url, [], day=0)
    with session_scope(db_url) as s:
        merge_findings(s, SITE, [finding("AV001", "首页 15 秒内无响应", page="http://127.0.0.1:9/")], None,
                       now=T0, source="probe")
    with session_scope(db_url) as s:
        assert [r.rule for r in current_findings(s, SITE, now=T0 + timedelta(days=6))] == ["AV001"]
        assert current_findings(s, SITE, now=T0 + timedelta(days=8)) == []
    scan(db_url, [], day=1)  # a complete scan never resolves probe findings
    assert rows(db_url)["AV001"][0] == "open"


def test_ignore_phrase_is_listed_for_text_checks(db_url):
    scan(db_url, [], day=0)
    with session_scope(db_url) as s:
        ignore_phrase(s, SITE, "机构改革前名称", "历史文件原文", rule="TX004")
    with session_scope(db_url) as s:
        assert ignored_phrases(s, SITE) == ["机构改革前名称"]


def test_ignore_unknown_finding_raises(sqlite_url):
    with session_scope(sqlite_url) as s, pytest.raises(LookupError):
        ignore_finding(s, 12345, "x")
