"""IN001 / IN002 units: message layouts, registry hints, the 3-month and 1-year limits, channels, the V5 veto."""

from __future__ import annotations

from datetime import date

import pytest

from xunjian.checks.base import CheckContext
from xunjian.checks.interaction import check_channel, check_unanswered, extract_channel_links, extract_messages
from xunjian.records import BadLink, ColumnInfo, LinkRef, LinkResult, PageRecord, PageSummary, ScanView, SiteInfo

AS_OF = date(2026, 11, 22)
SITE = SiteInfo(id="s", name="s", url="http://127.0.0.1/")


def record(body: str, title: str = "领导信箱", url: str = "http://127.0.0.1/xx/") -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, title=title, page_type="column",
                      html=f"<html><head><title>{title}</title></head><body>{body}</body></html>")


def view_of(*records: PageRecord, site: SiteInfo = SITE, **kw) -> ScanView:
    ctx = CheckContext(site=site, as_of=AS_OF)
    pages = []
    for r in records:
        facts = {**extract_messages(r, ctx), **extract_channel_links(r, ctx)}
        pages.append(PageSummary(url=r.url, final_url=r.url, status=r.status, page_type=r.page_type, depth=1,
                                 title=r.title, facts=facts))
    return ScanView(site=site, pages=pages, **kw)


def unanswered(view: ScanView) -> list[str]:
    return sorted(f.evidence["submitted"] for f in check_unanswered(view, CheckContext(site=view.site, as_of=AS_OF)))


def table(rows) -> str:
    body = "".join(f"<tr><td><a href='/m{i}.html'>{t}</a></td><td>{d}</td><td>{s}</td></tr>" for i, (t, d, s) in enumerate(rows))
    return f"<table><tr><th>标题</th><th>留言时间</th><th>状态</th></tr>{body}</table>"


@pytest.mark.parametrize("submitted,reported", [
    ("2026-08-22", False),   # exactly 3 months: not yet overdue
    ("2026-08-21", True),
    ("2025-11-22", True),    # the first day of the year window
    ("2025-11-21", False),   # older than a year
    ("2026-11-23", False),   # after as_of (a wrong date): never overdue
])
def test_three_months_within_one_year(submitted, reported):
    view = view_of(record(table([("关于路灯的咨询", submitted, "未回复")])))
    assert unanswered(view) == ([submitted] if reported else [])


def test_answered_states_reply_dates_and_pinned_rows_are_not_reported():
    rows = [("【置顶】留言须知", "2026-01-01", "未回复"), ("关于公交的建议", "2026-01-05", "已办结"),
            ("关于学校的咨询", "2026-02-01", "已回复"), ("关于医保的咨询", "2026-03-01", "办理中")]
    assert unanswered(view_of(record(table(rows)))) == ["2026-03-01"]


def test_hanweb_list_with_spans_and_lonsun_detail_pages_merge():
    lst = record("<ul>"
                 "<li><a href='/d1.html'>关于供水的投诉</a><span>2026-05-01</span><span>未回复</span></li>"
                 "<li><a href='/d2.html'>关于供暖的投诉</a><span>2026-05-02</span></li>"
                 "<li><a href='/d3.html'>关于绿化的投诉</a><span>2026-05-03</span></li></ul>", title="投诉咨询")
    d1 = record("<p>来信时间：2026-05-01</p><p>回复单位：县水务局</p><p>回复时间：2026-11-01</p>",
                title="关于供水的投诉", url="http://127.0.0.1/d1.html")  # answered late: the detail page wins
    d2 = record("<table><tr><td>来信时间</td><td>2026-05-02</td></tr></table><p>回复内容：暂无回复</p>",
                title="关于供暖的投诉", url="http://127.0.0.1/d2.html")
    assert unanswered(view_of(lst, d1, d2)) == ["2026-05-02"]  # d3: no state anywhere -> not judged


def test_registry_hints_read_an_unusual_board():
    body = ("<div class='board'><div class='row'><b class='t'>关于停车的咨询</b><i class='s'>2026-04-01</i>"
            "<i class='r'></i><em>待办</em></div><div class='row'><b class='t'>关于噪音的投诉</b>"
            "<i class='s'>2026-04-02</i><i class='r'>2026-04-05</i></div></div>")
    plain = view_of(record(body, title="民意征询"))
    assert unanswered(plain) == []  # not a layout read without configuration
    hints = {"interaction": {"item": "div.row", "title": ".t", "submitted": ".s", "replied": ".r", "state": "em"}}
    site = SiteInfo(id="s", name="s", url="http://127.0.0.1/", hints=hints)
    messages = view_of(record(body, title="民意征询"), site=site).pages[0].facts["messages"]
    assert [(m["t"], m["rep"]) for m in messages] == [("关于停车的咨询", None), ("关于噪音的投诉", "2026-04-05")]


def test_excluded_channels_are_not_consultation_channels():
    xf = record(table([("反映拖欠工资", "2026-01-01", "未回复")]), title="网上信访")
    assert unanswered(view_of(xf)) == []
    found = list(check_channel(view_of(xf), CheckContext(site=SITE, as_of=AS_OF)))
    assert [f.evidence.get("pages_crawled") for f in found] == [1]  # the only channel is 信访: none counts


def test_channel_form_page_without_form_and_broken_link():
    ctx = CheckContext(site=SITE, as_of=AS_OF)
    column = record("<a href='/write.html'>我要写信</a><a href='/gone.html'>我要留言</a>", title="市长信箱")
    write = record("<p>请拨打电话</p>", title="我要写信", url="http://127.0.0.1/write.html")
    bad = BadLink("http://127.0.0.1/xx/", "column", LinkRef("http://127.0.0.1/gone.html", "page", "a"),
                  LinkResult("http://127.0.0.1/gone.html", "broken", 404, "HTTP 404"))
    found = list(check_channel(view_of(column, write, bad_links=[bad]), ctx))
    assert sorted((f.target, f.evidence["reason"]) for f in found) == [
        ("http://127.0.0.1/gone.html", "broken"), ("http://127.0.0.1/write.html", "no-form")]
    ok = record("<form><input name='a'><textarea name='c'></textarea><button>提交</button></form>",
                title="我要写信", url="http://127.0.0.1/write.html")
    assert [f.target for f in check_channel(view_of(column, ok, bad_links=[bad]), ctx)] == ["http://127.0.0.1/gone.html"]
    portal = record("<a href='https://12345.example.gov.cn/'>市长信箱</a><a href='/xf/'>网上信访</a>", title="首页")
    portal.page_type = "homepage"
    assert list(check_channel(view_of(portal), ctx)) == []  # a channel on the provincial platform counts
    petition = record("<a href='/xf/'>网上信访</a><a href='/jb/'>纪检举报</a>", title="首页")
    assert [f.key for f in check_channel(view_of(petition), ctx)] == ["no-channel"]  # these do not (V5a)
    cols = [ColumnInfo(url="http://127.0.0.1/hd/", name="在线咨询", category="interaction")]
    assert list(check_channel(ScanView(site=SITE, pages=[], columns=cols), ctx)) == []


def test_registry_hints_round_trip(sqlite_url, tmp_path):
    from crawl_helpers import register
    from xunjian.storage.db import session_scope
    from xunjian.storage.registry import get_site, site_info

    hints = {"interaction": {"item": "div.row", "submitted": ".s"}}
    register(sqlite_url, tmp_path, "hinted", "http://127.0.0.1:9/", hints=hints)
    with session_scope(sqlite_url) as s:
        site = get_site(s, "hinted")
        site.extra = {**site.extra, "allow_words": ["x"]}
    register(sqlite_url, tmp_path, "hinted", "http://127.0.0.1:9/")  # re-import without hints: removed, rest kept
    with session_scope(sqlite_url) as s:
        site = get_site(s, "hinted")
        assert site.extra == {"allow_words": ["x"]} and site_info(site).hints == {}
    register(sqlite_url, tmp_path, "hinted", "http://127.0.0.1:9/", hints=hints)
    with session_scope(sqlite_url) as s:
        assert site_info(get_site(s, "hinted")).hints == hints


def test_any_unanswered_message_vetoes_the_site():
    from xunjian.scoring import SiteFacts, compute_score, load_profile

    f = {"rule": "IN001", "severity": "veto", "page": "http://127.0.0.1/m.html", "target": None, "message": "m"}
    result = compute_score([f], None, load_profile(), SiteFacts(id="s"))
    assert result.verdict == "fail" and [v["id"] for v in result.veto] == ["V5"] and result.score == 0
    g = {"rule": "IN002", "severity": "deduct", "page": None, "target": None, "message": "m"}
    two = compute_score([g, dict(g)], None, load_profile(), SiteFacts(id="s"))
    assert two.verdict == "pass" and two.deduction_score == 97  # once per site, 3 points
