"""TX001-TX004 and SC002 beyond the fixtures: evidence, grouping, templates, allow words, obfuscation.

The TX*.html / SC*.html fixtures themselves run in test_rule_fixtures.py through the harness of conftest.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path


from xunjian.checks.base import CheckContext, CheckOptions
from xunjian.checks.security import foreign_script_findings, hidden_link_findings, illicit_findings
from xunjian.checks.text import text_findings
from xunjian.records import PageRecord, SiteInfo

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
SITE = SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/")


def run_checks(html: str, url: str = "http://127.0.0.1:8000/a.html", ctx: CheckContext | None = None):
    page = PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")
    ctx = ctx or CheckContext(SITE, date(2026, 11, 22))
    return [*text_findings(page, ctx), *hidden_link_findings(page, ctx), *illicit_findings(page, ctx),
            *foreign_script_findings(page, ctx)]


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
    ctx = CheckContext(SITE, date(2026, 11, 22), options=CheckOptions(ignored_phrases=frozenset({"他一股作气完成"}),
                                                                allow_words=frozenset({"残废人"})))
    assert [f.rule for f in run_checks(html, ctx=ctx)] == []


def test_allow_words_do_not_silence_other_codes():
    ctx = CheckContext(SITE, date(2026, 11, 22), options=CheckOptions(allow_words=frozenset({"一股作气"})))
    html = "<html><body><p>他一股作气完成。</p></body></html>"
    assert [f.rule for f in run_checks(html, ctx=ctx)] == ["TX002"]


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
