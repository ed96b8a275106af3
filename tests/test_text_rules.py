"""Rule fixtures for TX001-TX004 and SC001/SC002: every `<!-- expect: CODE text -->` fires, nothing else does.

Each fixture file is named by the code it tests (``TX002_template.html`` tests TX002); only findings of
that code are compared, so a page written for SC001 may also carry SC002 spam without confusing the test.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from xunjian.checks.base import CheckContext
from xunjian.checks.security import foreign_script_findings, hidden_link_findings, illicit_findings
from xunjian.checks.text import text_findings
from xunjian.records import PageRecord, SiteInfo

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
EXPECT = re.compile(r"<!--\s*expect:\s*([A-Z]{2}\d{3})\s+(\S+)\s*-->")
FILES = sorted(p for p in FIXTURES.glob("*.html") if p.name[:2] in ("TX", "SC"))
SITE = SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/")


def run_checks(html: str, url: str = "http://127.0.0.1:8000/a.html", ctx: CheckContext | None = None):
    page = PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")
    ctx = ctx or CheckContext(SITE, date(2026, 11, 22))
    return [*text_findings(page, ctx), *hidden_link_findings(page, ctx), *illicit_findings(page, ctx),
            *foreign_script_findings(page, ctx)]


def label(f) -> str:
    return f.evidence.get("match") or f.target or f.key or ""


def test_fixtures_exist_for_every_code():
    codes = {p.name[:5] for p in FILES}
    assert {"TX001", "TX002", "TX003", "TX004", "SC001", "SC002", "SC003"} <= codes


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_rule_fixture(path: Path):
    code = path.name[:5]
    html = path.read_text(encoding="utf-8")
    expected = Counter((c, t) for c, t in EXPECT.findall(html) if c == code)
    assert expected, f"{path.name} has no expect marker"
    found = [f for f in run_checks(html) if f.rule == code]
    got = Counter()
    for f in found:
        text = label(f)
        match = next((t for c, t in expected if t in text), text)
        got[(code, match)] += 1
    assert got == expected


def test_evidence_has_match_suggestion_context_and_position():
    html = "<html><body><p>会议传达学习了习近凭总书记重要讲话精神，要求各单位抓好落实。</p></body></html>"
    (f,) = [f for f in run_checks(html) if f.rule == "TX001"]
    ev = f.evidence
    assert ev["match"] == "习近凭总书记" and ev["suggestion"] == "习近平总书记"
    assert ev["context"] == "会议传达学习了习近凭总书记重要讲话精神，要求各单位抓好落实。"
    assert ev["position"] == 7 and f.key == "习近凭总书记" and f.severity == "veto"
    assert "习近平总书记" in f.message


def test_same_typo_twice_is_one_finding_two_typos_are_two():
    html = "<html><body><p>他一股作气。</p><p>又一股作气。</p><p>设备按装。</p></body></html>"
    found = [f for f in run_checks(html) if f.rule == "TX002"]
    assert sorted(f.key for f in found) == ["一股作气", "按装"]
    assert next(f for f in found if f.key == "一股作气").evidence["count"] == 2


def test_template_typo_reported_once_per_site_on_homepage():
    html = (FIXTURES / "TX002_template.html").read_text(encoding="utf-8")
    ctx = CheckContext(SITE, date(2026, 11, 22))
    first = [f for f in run_checks(html, "http://127.0.0.1:8000/a.html", ctx) if f.rule == "TX002"]
    second = [f for f in run_checks(html, "http://127.0.0.1:8000/b.html", ctx) if f.rule == "TX002"]
    assert [f.page for f in first] == [SITE.url]
    assert second == []


def test_title_site_name_part_is_template():
    ctx = CheckContext(SiteInfo("d", "示例市工商局", "http://127.0.0.1:8000/"), date(2026, 11, 22))
    html = "<html><head><title>通知_示例市工商局</title></head><body><p>正文</p></body></html>"
    a = run_checks(html, "http://127.0.0.1:8000/a.html", ctx)
    b = run_checks(html, "http://127.0.0.1:8000/b.html", ctx)
    assert [f.rule for f in a] == ["TX004"] and b == []


def test_ignored_phrases():
    html = "<html><body><p>他一股作气完成。帮助残废人出行。</p></body></html>"
    base = {f.rule for f in run_checks(html)}
    assert {"TX002", "TX003"} <= base
    ctx = CheckContext(SITE, date(2026, 11, 22), options={"ignored_phrases": {"他一股作气完成", "残废人"}})
    assert [f.rule for f in run_checks(html, ctx=ctx)] == []


def test_hidden_text_is_not_visible_text():
    html = '<html><body><div style="display:none">他一股作气完成。</div><script>var s="一股作气";</script></body></html>'
    assert [f for f in run_checks(html) if f.rule.startswith("TX")] == []


def test_sensitive_category_severity_from_list():
    html = "<html><body><p>报道称台湾政府宣布。</p><p>帮助残废人。</p></body></html>"
    sev = {f.evidence["match"]: f.severity for f in run_checks(html) if f.rule == "TX003"}
    assert sev == {"台湾政府": "veto", "残废人": "deduct"}


def test_spam_in_meta_keywords_and_zero_width_obfuscation():
    html = ('<html><head><meta name="keywords" content="澳门新葡京,百家乐"><title>首页</title></head>'
            '<body><p>皇\u200b冠\u200b体\u200b育</p><p>严厉打击百家乐赌博。</p></body></html>')
    found = sorted(f.key for f in run_checks(html) if f.rule == "SC002")
    assert found == ["澳门新葡京", "皇冠体育"]
