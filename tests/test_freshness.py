"""UP001–UP006: the fixture site's planted findings exactly, and each rule's must-fire / must-stay-silent cases."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
import yaml
from test_columns import AS_OF, BASE, SITE, SITE_DIR, build_view

from xunjian.checks import site_checks
from xunjian.checks.base import CheckContext
from xunjian.checks.freshness import column_blank, columns_not_updated, column_undated, cutoff, homepage_not_updated
from xunjian.records import ColumnInfo, PageSummary, ScanView

EXPECTED = yaml.safe_load((SITE_DIR / "expected.yaml").read_text(encoding="utf-8"))


def up_findings(view, ctx) -> list:
    return [f for check in site_checks() for f in check(view, ctx) if f.rule.startswith("UP")]


@pytest.mark.parametrize("rendered_js", [False, True], ids=["static", "rendered"])
def test_fixture_site_reports_exactly_expected(rendered_js):
    view, ctx = build_view(rendered_js=rendered_js)
    assert str(EXPECTED["as_of"]) == AS_OF.isoformat()
    got = sorted((f.rule, urlsplit(f.page).path) for f in up_findings(view, ctx))
    assert got == sorted((e["rule"], e["path"]) for e in EXPECTED["findings"])


def test_fixture_findings_carry_evidence_and_stable_keys():
    view, ctx = build_view()
    by_rule = {f.rule + urlsplit(f.page).path: f for f in up_findings(view, ctx)}
    stale = by_rule["UP002/bmdt/"]
    assert stale.key == "/bmdt/" and stale.page == BASE + "bmdt/" and stale.severity == "deduct"
    assert stale.evidence["column"] == "部门动态" and stale.evidence["newest_date"] == "2026-10-15"
    assert stale.evidence["items"] == 3 and "部门动态" in stale.message
    assert by_rule["UP005/zwgk/ghjh/"].evidence["placeholder"] == "暂无信息"
    assert by_rule["UP006/xwfb/"].evidence["undated_items"] == 4
    again = {f.fingerprint("columns") for f in up_findings(*build_view())}
    assert again == {f.fingerprint("columns") for f in by_rule.values()}


def test_fixture_site_later_as_of_makes_more_columns_stale():
    view, ctx = build_view(as_of=date(2027, 6, 1))
    rules = {(f.rule, urlsplit(f.page).path) for f in up_findings(view, ctx)}
    assert ("UP001", "/") in rules and ("UP002", "/zwdt/") in rules and ("UP003", "/tzgg/") in rules


# -------------------------------------------------------------- unit cases on hand-made views

CTX = CheckContext(site=SITE, as_of=AS_OF)


def page(path: str, page_type: str = "column", depth: int = 1, rendered: bool = False, **lst) -> PageSummary:
    facts = {"list": {"items": 0, "dated": 0, "newest": None, "placeholder": None, "script_fed": False, **lst}}
    return PageSummary(url=BASE + path, final_url=BASE + path, status=200, page_type=page_type, depth=depth,
                       rendered=rendered, facts=facts)


def col(path: str, category: str = "news", items: int = 3, undated: int = 0, newest: date | None = None,
        **kw) -> ColumnInfo:
    return ColumnInfo(url=BASE + path, name=path.strip("/"), category=category, item_count=items,
                      undated_count=undated, newest_date=newest, **kw)


def view_of(pages, columns=()) -> ScanView:
    return ScanView(site=SITE, pages=list(pages), columns=list(columns))


@pytest.mark.parametrize(("home", "extra", "fires"), [
    (dict(items=10, dated=10, newest="2026-11-20"), [], False),
    (dict(items=10, dated=10, newest="2026-11-08"), [], False),   # exactly 14 days
    (dict(items=10, dated=10, newest="2026-11-07"), [], True),    # 15 days
    (dict(items=6, dated=0), [], True),                           # undated items count as not updated
    (dict(items=0), [page("zwdt/", newest="2026-11-19", items=3, dated=3)], False),        # gateway, fresh below
    (dict(items=0), [page("zwdt/", newest="2026-10-01", items=3, dated=3)], True),         # gateway, stale below
    (dict(items=0, script_fed=True), [], False),                  # script-fed homepage not rendered: unknown
])
@pytest.mark.rule_case("UP001", fires=True, silent=True)
def test_up001(home, extra, fires):
    view = view_of([page("", "homepage", depth=0, **home), *extra])
    found = list(homepage_not_updated(view, CTX))
    assert bool(found) == fires
    if found:
        assert found[0].rule == "UP001" and found[0].severity == "veto" and found[0].key == "/"


def test_up001_widget_does_not_make_a_stale_homepage_fresh():
    from xunjian.checks.columns import extract_list
    from xunjian.records import PageRecord

    html = ("<html><body><div class='top'>今天是2026年11月22日 星期日 <a href='/wzdt/'>网站地图</a></div>"
            "<ul class='list'><li><a href='/zwdt/1.html'>县政府召开常务会议研究部署工作</a><span>2026-10-01</span></li>"
            "<li><a href='/zwdt/2.html'>县政府召开专题会议研究部署工作</a><span>2026-09-20</span></li></ul>"
            "<div>您是第20261122位访客</div><div class='footer'>版权所有 2026年 示例县人民政府 <a href='/lx/'>联系我们</a></div>"
            "</body></html>")
    rec = PageRecord(url=BASE, final_url=BASE, status=200, html=html, page_type="homepage")
    facts = extract_list(rec, CTX)
    assert facts["list"]["newest"] == "2026-10-01"
    home = PageSummary(url=BASE, final_url=BASE, status=200, page_type="homepage", depth=0, facts=facts)
    assert [f.rule for f in homepage_not_updated(view_of([home]), CTX)] == ["UP001"]


@pytest.mark.parametrize(("category", "newest", "rule"), [
    ("news", date(2026, 11, 8), None), ("news", date(2026, 11, 7), "UP002"),
    ("notice", date(2026, 5, 22), None), ("notice", date(2026, 5, 21), "UP003"),
    ("policy", date(2026, 5, 21), "UP003"),
    ("longterm", date(2025, 11, 22), None), ("longterm", date(2025, 11, 21), "UP004"),
    ("other", date(2020, 1, 1), None), ("interaction", date(2020, 1, 1), None), ("service", date(2020, 1, 1), None),
])
@pytest.mark.rule_case("UP002", "UP003", "UP004", fires=True, silent=True)
def test_stale_columns_by_category(category, newest, rule):
    view = view_of([page("c/")], [col("c/", category, newest=newest)])
    assert [f.rule for f in columns_not_updated(view, CTX)] == ([rule] if rule else [])


def test_columns_not_crawled_or_not_lists_are_not_judged():
    cols = [col("gone/", newest=date(2020, 1, 1)), col("about/", items=0), col("art/", items=0)]
    pages = [page("about/", "other"), page("art/", "article")]
    view = view_of(pages, cols)
    assert not list(columns_not_updated(view, CTX)) and not list(column_blank(view, CTX))


@pytest.mark.rule_case("UP005", fires=True, silent=True)
def test_up005_blank_and_script_fed():
    pages = [page("a/", placeholder="暂无数据"), page("b/", empty_list=True), page("js/", script_fed=True),
             page("jsr/", script_fed=True, rendered=True), page("reg/", "other"), page("jgzn/")]
    cols = [col("a/", items=0, placeholder="暂无数据"), col("b/", "other", items=0), col("js/", items=0),
            col("jsr/", items=0, rendered=True), col("reg/", items=0, discovered_by="registry"),
            col("jgzn/", "other", items=0)]  # 机构职能: a single page without any list is not blank
    found = {urlsplit(f.page).path: f for f in column_blank(view_of(pages, cols), CTX)}
    assert set(found) == {"/a/", "/b/", "/jsr/", "/reg/"}
    assert "暂无数据" in found["/a/"].message


@pytest.mark.rule_case("UP006", fires=True, silent=True)
def test_up006_only_when_no_item_is_dated_and_the_column_should_update():
    pages = [page(p) for p in ("a/", "b/", "c/")]
    cols = [col("a/", items=4, undated=4), col("b/", items=4, undated=2, newest=date(2026, 11, 20)),
            col("c/", "other", items=4, undated=4)]
    assert [urlsplit(f.page).path for f in column_undated(view_of(pages, cols), CTX)] == ["/a/"]


def test_cutoff_months_clamps_day():
    assert cutoff(date(2026, 8, 31), {"months": 6}) == date(2026, 2, 28)
    assert cutoff(date(2026, 11, 22), {"months": 12}) == date(2025, 11, 22)
    assert cutoff(date(2026, 11, 22), {"days": 14}) == date(2026, 11, 8)


@pytest.mark.parametrize(("as_of", "months", "expected"), [
    (date(2028, 8, 31), 6, date(2028, 2, 29)),  # a leap year's February has 29 days
    (date(2028, 2, 29), 12, date(2027, 2, 28)),
    (date(2028, 2, 29), 6, date(2027, 8, 29)),
    (date(2028, 3, 31), 1, date(2028, 2, 29)),
    (date(2027, 3, 31), 1, date(2027, 2, 28)),
    (date(2028, 12, 31), 6, date(2028, 6, 30)),
    (date(2029, 1, 15), 12, date(2028, 1, 15)),
])
def test_cutoff_months_calendar(as_of, months, expected):
    assert cutoff(as_of, {"months": months}) == expected


@pytest.mark.rule_case("UP005", fires=True, silent=True)
def test_up005_gridview_empty_data_text():
    """An ASP.NET GridView EmptyDataTemplate (没有找到相关记录) is a placeholder; the same words in an article
    sentence, or in a footer, are not (issue 10, session 3b: the aspx held-out site)."""
    from lxml import html as lh

    from xunjian.checks.pagetype import placeholder_phrase

    grid = ("<html><body><table id='GridView1'><tr><td colspan='2'><div class='empty'>没有找到相关记录！</div>"
            "</td></tr></table><div class='footer'>版权所有 信丰县人民政府</div></body></html>")
    assert placeholder_phrase(lh.fromstring(grid), grid) == "没有找到相关记录"
    ok = ("<html><body><table id='GridView1'><tr><td><a href='/a.aspx?ID=1'>关于开展统计执法检查的通知</a></td>"
          "<td>2026/11/20</td></tr></table><p>全县安全生产形势平稳。</p></body></html>")
    assert placeholder_phrase(lh.fromstring(ok), ok) is None


@pytest.mark.rule_case("UP004", fires=True, silent=True)
@pytest.mark.parametrize(("name", "newest", "rule"), [
    ("财政预决算", date(2025, 3, 20), "UP004"), ("部门预决算", date(2026, 3, 20), None),
    ("财政预决算", date(2025, 11, 22), None),
])
def test_up004_budget_columns_have_a_yearly_cycle(name, newest, rule):
    from xunjian.checks.pagetype import categorize

    category = categorize(name)
    assert category == "longterm"
    view = view_of([page("c/")], [col("c/", category, newest=newest)])
    assert [f.rule for f in columns_not_updated(view, CTX)] == ([rule] if rule else [])
