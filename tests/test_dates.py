"""Publication dates: the formats real sites print, the traps real homepages carry, and real article pages."""

from __future__ import annotations

from datetime import date

import lxml.html
import pytest

from conftest import REAL_PAGES
from xunjian.checks.dates import article_pubdate, find_dates, infer_year, item_date, label_date, parse_date, parse_meta_date

AS_OF = date(2026, 11, 22)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-03", date(2026, 11, 3)),
    ("2026-11-3", date(2026, 11, 3)),
    ("2026年11月3日", date(2026, 11, 3)),
    ("2026年 11月 03日", date(2026, 11, 3)),
    ("2026/11/03", date(2026, 11, 3)),
    ("2026.11.03", date(2026, 11, 3)),
    ("[11-03]", date(2026, 11, 3)),
    ("(11-03)", date(2026, 11, 3)),
    ("11-03", date(2026, 11, 3)),
    ("11/03", date(2026, 11, 3)),
    ("11月03日", date(2026, 11, 3)),
    ("【2026-11-03】", date(2026, 11, 3)),
    ("发布时间：2026-11-03 10:30", date(2026, 11, 3)),
    ("发布日期: 2026年11月03日", date(2026, 11, 3)),
    ("2026-11-03 10:30:00", date(2026, 11, 3)),
    ("[12-28]", date(2025, 12, 28)),  # after as_of's month-day: last year
])
def test_parse_date_formats(text, expected):
    assert parse_date(text, AS_OF) == expected


@pytest.mark.parametrize("text", [
    "今天是2026年11月22日 星期日",       # header date widget
    "2026年11月22日 星期日 农历十月初四",
    "© 2026 示例县人民政府 版权所有",     # copyright year
    "版权所有 2026年 示例县人民政府办公室",
    "Copyright © 2006-2026",
    "您是第123456位访客",                # visit counter
    "您是第20261122位访客",              # a counter that looks like a date
    "访问量：20261103",
    "20261103",
    "2026年",
    "2026-13-45",                       # not a date
    "关于做好冬季安全生产工作的通知",
])
def test_parse_date_traps(text):
    assert parse_date(text, AS_OF) is None


def test_year_less_dates_need_as_of():
    assert parse_date("[11-03]") is None
    assert infer_year(11, 23, AS_OF) == date(2026, 11, 23)  # one day of slack (time zones)
    assert infer_year(11, 25, AS_OF) == date(2025, 11, 25)
    assert infer_year(2, 29, date(2027, 3, 1)) is not None


def test_find_dates_keeps_order_and_skips_short_forms_without_as_of():
    assert find_dates("自2026年12月1日起施行 2026-11-03") == [date(2026, 12, 1), date(2026, 11, 3)]
    assert find_dates("[11-03] 标题", AS_OF) == [date(2026, 11, 3)]
    assert find_dates("[11-03] 标题") == []


def _el(html: str):
    return lxml.html.fragment_fromstring(html)


@pytest.mark.parametrize(("html", "expected"), [
    ('<li><a href="/a">关于2026年12月1日起施行新规定的通知</a><span>2026-11-03</span></li>', date(2026, 11, 3)),
    ('<li><span>[11-18]</span><a href="/a">城关镇开展冬季消防安全大排查</a></li>', date(2026, 11, 18)),
    ('<tr><td><a href="/a">县政府常务会议</a></td><td>2026.11.03</td></tr>', date(2026, 11, 3)),
    ('<li><a href="/a">县政府常务会议<span>2026年11月3日</span></a></li>', date(2026, 11, 3)),
    ('<li><a href="/a">县政府召开2026年11月3日常务会议</a></li>', date(2026, 11, 3)),
    ('<li><a href="/a">县政府召开常务会议</a></li>', None),
    ('<li>今天是2026年11月22日 星期日 <a href="/map">网站地图</a></li>', None),
    ('<p>© 2026 示例县人民政府 <a href="/map">网站地图</a></p>', None),
    ('<li><a href="/a">您是第20261122位访客</a></li>', None),
])
def test_item_date(html, expected):
    assert item_date(_el(html), AS_OF) == expected


@pytest.mark.parametrize(("html", "expected"), [
    ('<div>发布时间：2026-11-03 10:00　来源：县政府办</div>', date(2026, 11, 3)),
    ('<div><span>发布日期：</span><span>2026年11月03日</span></div>', date(2026, 11, 3)),
    ('<div><span><i>时间：</i>2026-11-03 06:23</span></div>', date(2026, 11, 3)),
    ('<div>成文日期：2026-10-01</div>', None),                                     # document date
    ('<ul><li><span>留言时间：</span>2026-11-20</li></ul>', None),                 # message time
    ('<div><label>成文日期：</label>2026-10-01 <span>发布日期：2026-11-03</span></div>', date(2026, 11, 3)),
])
def test_label_date(html, expected):
    tree = lxml.html.document_fromstring(f"<html><body>{html}</body></html>")
    assert label_date(tree)[0] == expected


def test_meta_date_formats():
    assert parse_meta_date("2022-04-17 14:46:00") == date(2022, 4, 17)
    assert parse_meta_date("2026/02/11 09:30") == date(2026, 2, 11)
    assert parse_meta_date("2007-08-20-23:59:59") == date(2007, 8, 20)
    assert parse_meta_date("") is None


# Ground truth: the visible 发布时间/发布日期 where the page shows one, else the PubDate page label (see
# docs/columns-freshness.md for how each was established).
REAL_ARTICLES = {
    "govpages_gne/cmse_gov_cn_article_press_conference.html": "2012-06-24",
    "govpages_gne/cmse_gov_cn_article_space_station.html": "2021-01-05",
    "govpages_gne/shanxi_gov_cn_article_shanxiyaowen_2019.html": "2019-09-18",
    "govpages_gne/www_gov_cn_article_npc_decision.html": "2007-08-20",
    "govpages_gne/zjdpc_fgw_zj_gov_cn_article_touziyunxing_2016.html": "2016-11-22",
    "govpages_jiangxi_yichun/wanzai_gov_cn_article_tjgb_2015.html": "2017-05-15",
    "govpages_jiangxi_yichun/wanzai_gov_cn_article_tjsja_2022.html": "2023-08-16",
    "govpages_jiangxi_yichun/yichun_gov_cn_article_tjgb_2022_yichun.html": "2023-05-16",
    "govpages_jiangxi_yichun/yichun_gov_cn_article_tjgb_2022_jiangxi.html": "2023-05-16",
    "govpages_magichtml/kepu_gov_cn_article_politics_2023.html": "2023-12-01",
    "govpages_magichtml/theorychina_org_cn_article_2024.html": "2024-05-05",
    "govpages_magichtml/en_theorychina_org_cn_article_2012.html": "2012-09-26",
    "govpages_nfra/nfra_gov_cn_article_xzcf_2024_36_rendered.html": "2024-07-12",
    "govpages_nfra/nfra_gov_cn_article_xzcf_zhejiang_2024_52_rendered.html": "2025-06-03",
}


def _real(name: str) -> tuple[lxml.html.HtmlElement, str]:
    html = (REAL_PAGES / name).read_text(encoding="utf-8")
    return lxml.html.document_fromstring(html), html


@pytest.mark.parametrize(("name", "truth"), sorted(REAL_ARTICLES.items()))
def test_real_article_pubdate(name, truth):
    tree, html = _real(name)
    value, source, _meta = article_pubdate(tree, html, AS_OF)
    assert value == date.fromisoformat(truth), source


def test_real_article_accuracy_without_library():
    """Our own rules alone (labels + page labels): 12 of 14; htmldate fills the 2 unlabelled pages."""
    right = 0
    for name, truth in REAL_ARTICLES.items():
        tree, html = _real(name)
        right += article_pubdate(tree, html, AS_OF, use_library=False)[0] == date.fromisoformat(truth)
    assert right >= 12


def test_real_traps_widget_and_message_times():
    # 万载: header widget "2023年10月11日 星期三" and PubDate 2022-04-24 beside the visible 发布日期 2017-05-15
    tree, html = _real("govpages_jiangxi_yichun/wanzai_gov_cn_article_tjgb_2015.html")
    value, source, meta = article_pubdate(tree, html, AS_OF)
    assert (value, source, meta) == (date(2017, 5, 15), "label:发布日期", date(2022, 4, 24))
    # NFRA: a side bar of 留言时间 dates comes before the article's 发布时间
    tree, html = _real("govpages_nfra/nfra_gov_cn_article_xzcf_2024_36_rendered.html")
    assert label_date(tree) == (date(2024, 7, 12), "发布时间")


# --- issue 10 classes: split dates, no invented dates --------------------------------------------------


@pytest.mark.parametrize(("html", "expected"), [
    ('<li><a href="/a.html">标题</a><div class="date"><b>21</b><span>2024年02月</span></div></li>', date(2024, 2, 21)),
    ('<li><a href="/a.html">标题</a><span class="m">2026-10</span><span class="d">05</span></li>', date(2026, 10, 5)),
    ('<li><a href="/a.html">标题</a><em>09</em><i>2026/11</i></li>', date(2026, 11, 9)),
    # must stay silent: a number that is not a day, a year-month with no day
    ('<li><a href="/a.html">第21期</a><span>2024年02月</span></li>', None),
    ('<li><a href="/a.html">标题</a><span>45</span><span>2024年02月</span></li>', None),
])
def test_item_date_split_over_elements(html, expected):
    assert item_date(_el(html), date(2026, 11, 22)) == expected


@pytest.mark.parametrize("html", [
    "<html><body><div class='about'><p>关于我们：本网站由示例县人民政府主办。</p></div>"
    "<div class='footer'>Copyright © 1997-2026 示例县人民政府 版权所有</div></body></html>",
    "<html><body><h3>2022年第4期</h3><img src='/upload/resources/image/2022/09/29/1929993.jpg'>"
    "<p>目录</p></body></html>",
])
def test_undated_pages_get_no_invented_date(html):
    tree = lxml.html.document_fromstring(html)
    assert article_pubdate(tree, html, date(2026, 11, 22)) == (None, "", None)


def test_library_date_is_kept_when_printed():
    html = "<html><body><h1>标题</h1><p>正文内容。</p><p>2026-11-03</p></body></html>"
    tree = lxml.html.document_fromstring(html)
    assert article_pubdate(tree, html, date(2026, 11, 22))[0] == date(2026, 11, 3)
    # htmldate reads 2026年11月03日 as 2026-01-01: a day never printed is dropped
    html = "<html><body><h1>标题</h1><p>正文内容。</p><p>2026年11月03日</p></body></html>"
    assert article_pubdate(lxml.html.document_fromstring(html), html, date(2026, 11, 22))[0] is None


def test_library_date_skips_htmldate_when_the_text_prints_no_date():
    """Fast path: no full date in the text, so htmldate's guess (the image path's day) could not be kept."""
    from datetime import datetime

    from htmldate import find_date

    from xunjian.checks.dates import library_date

    html = ("<html><body><h3>2022年第4期</h3><img src='/upload/resources/image/2022/09/29/1929993.jpg'>"
            "<p>目录</p></body></html>")
    guess = find_date(html, extensive_search=True, original_date=True,
                      max_date=datetime(2026, 11, 22, 23, 59))
    assert guess == "2022-09-29"                                   # what the slow path would have dropped
    assert library_date(html, date(2026, 11, 22), lxml.html.document_fromstring(html)) is None
    assert library_date(html, date(2026, 11, 22)) == date(2022, 9, 29)  # without a tree: the raw guess
    printed = html.replace("<p>目录</p>", "<p>2022-09-29 目录</p>")
    printed_tree = lxml.html.document_fromstring(printed)
    assert library_date(printed, date(2026, 11, 22), printed_tree) == date(2022, 9, 29)
