"""Page types: column list pages, articles and other pages, from structure alone and on real pages."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from xunjian.checks.base import CheckContext
from xunjian.checks.pagetype import categorize, classify, column_key, list_blocks, main_list
from xunjian.records import PageRecord, SiteInfo

AS_OF = date(2026, 11, 22)
REAL_DIR = Path(__file__).parent / "fixtures" / "real"  # real government pages (govpages_* folders)
CTX = CheckContext(SiteInfo(id="t", name="测试", url="http://t.example.gov.cn/"), AS_OF)

NAV = ('<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwdt/">政务动态</a></li>'
       '<li><a href="/tzgg/">通知公告</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>')
FOOT = '<div class="footer"><p>© 2026 测试县人民政府 版权所有 <a href="/wzdt/">网站地图</a></p></div>'


def record(body: str, head: str = "", url: str = "http://t.example.gov.cn/x/") -> PageRecord:
    html = f"<html><head><meta charset='utf-8'>{head}</head><body>{NAV}{body}{FOOT}</body></html>"
    return PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")


def dated_list(n: int, fmt: str = "2026-11-{:02d}") -> str:
    items = "".join(f'<li><a href="/zwdt/{i}.html">县政府召开第{i}次常务会议研究部署工作</a><span>{fmt.format(i)}</span></li>'
                    for i in range(1, n + 1))
    return f'<ul class="list">{items}</ul>'


ARTICLE_TEXT = "<p>" + "为深入贯彻落实上级决策部署，进一步推动各项工作落地见效。" * 20 + "</p>"


@pytest.mark.parametrize(("body", "head", "expected"), [
    # Errors-style table: the page, and what it must be classified as
    (dated_list(10), "", "column"),
    (dated_list(3, "[11-{:02d}]"), "", "column"),
    (dated_list(2, "2026.11.{:02d}"), "", "column"),
    ('<ul class="list">' + "".join(f'<li><a href="/a{i}.html">关于开展第{i}批安全生产专项检查工作的通知</a></li>'
                                   for i in range(6)) + "</ul>", "", "column"),        # long undated titles
    ('<h1>县政府召开常务会议</h1><div>发布时间：2026-11-03</div>' + ARTICLE_TEXT, "", "article"),
    ('<h1>县政府召开常务会议</h1><div>发布时间：2026-11-03</div><p>短讯。</p>', "", "article"),
    ("<h1>标题</h1><p>正文</p>", '<meta name="ArticleTitle" content="标题"><meta name="PubDate" content="2026-11-03">', "article"),
    (ARTICLE_TEXT + dated_list(4), "", "article"),                                        # related-articles box
    ('<h2>规划计划</h2><ul class="list"></ul><p>暂无信息</p>', "", "column"),                # placeholder
    ('<h2>工作总结</h2><p>正在建设中</p>', "", "column"),
    ('<h2>工作总结</h2><ul class="list"></ul>', "", "column"),                             # empty list
    ('<ul id="list"></ul><script>var d=[];document.getElementById("list").innerHTML="";</script>', "", "column"),
    ("<h2>栏目</h2>", '<meta name="ColumnName" content="要闻"><meta name="ColumnDescription" content="要闻">', "column"),
    ("<h2>联系我们</h2><p>电话：0999-7654321</p>", "", "other"),                           # ordinary page
    ('<h2>机构职能</h2><div class="footer">承办：数字政府建设中心 暂无信息</div>', "", "other"),  # footer words
    ("", "", "other"),                                                                     # menus only
])
def test_classify(body, head, expected):
    assert classify(record(body, head), CTX) == expected


def test_classify_empty_page():
    assert classify(PageRecord(url="http://t/", final_url="http://t/", status=200, html=""), CTX) == "other"


def test_menus_and_footer_are_not_content_lists():
    page = record(dated_list(3))
    main = main_list(page.tree, AS_OF)
    assert main is not None and main.items == 3 and main.dated == 3 and main.newest == date(2026, 11, 3)
    menus = [b for b in list_blocks(page.tree, AS_OF) if not b.is_content]
    assert menus and all(b.in_menu for b in menus)


def test_widget_in_a_list_is_not_dated():
    body = ('<ul class="top"><li>今天是2026年11月22日 星期日</li><li><a href="/wzdt/">网站地图</a></li>'
            '<li><a href="/en/">English</a></li></ul>' + dated_list(2, "2026-10-{:02d}"))
    blocks = list_blocks(record(body).tree, AS_OF)
    assert max(d for b in blocks for d in b.dates) == date(2026, 10, 2)


REAL = sorted(REAL_DIR.glob("govpages_*/*article*.html"))


def test_real_articles_are_articles_and_classify_is_fast():
    elapsed, kinds = 0.0, {}
    for path in REAL:
        page = PageRecord(url="http://x/a", final_url="http://x/a", status=200, html=path.read_text(encoding="utf-8"),
                          content_type="text/html")
        page.tree  # parsing is the crawler's cost, not classify's
        start = time.perf_counter()
        kinds[path.name] = classify(page, CTX)
        elapsed += time.perf_counter() - start
    assert set(kinds.values()) == {"article"}, kinds
    assert elapsed / len(REAL) < 0.05  # about 1-3 ms a page on one core; generous bound for shared CI cores


def test_real_homepage_lists_and_widget():
    html = (REAL_DIR / "govpages_jiangxi_yichun/yichun_gov_cn_homepage.html").read_text(encoding="utf-8")
    page = PageRecord(url="https://www.yichun.gov.cn/", final_url="https://www.yichun.gov.cn/", status=200, html=html)
    blocks = [b for b in list_blocks(page.tree, date(2023, 10, 12)) if b.is_content]
    newest = max(d for b in blocks for d in b.dates)
    assert newest == date(2023, 10, 11)  # the saved homepage's newest item; its header widget shows no date here
    assert sum(b.dated for b in blocks) >= 38  # of 41 dates printed on the page (measured: 39)


@pytest.mark.parametrize(("url", "key"), [
    ("http://h/zwdt/", "h/zwdt/"),
    ("http://h/zwdt/index.html", "h/zwdt/"),
    ("http://h/zwdt/index_1.html", "h/zwdt/"),
    ("http://H/zwdt", "h/zwdt/"),
    ("http://h/col/list_3.shtml", "h/col/"),
    ("http://h/list.jsp?cid=3&page=2", "h/?cid=3"),
    ("http://h/zwdt/t20261120_1.html", "h/zwdt/t20261120_1.html"),
])
def test_column_key(url, key):
    assert column_key(url) == key


@pytest.mark.parametrize(("name", "meta", "category"), [
    ("政务动态", None, "news"), ("部门动态", None, "news"), ("图片新闻", None, "news"), ("今日要闻", None, "news"),
    ("通知公告", None, "notice"), ("公示公告", None, "notice"),
    ("政策文件", None, "policy"), ("规范性文件", None, "policy"),
    ("人事信息", None, "longterm"), ("规划计划", None, "longterm"), ("招考录用", None, "longterm"),
    ("领导信箱", None, "interaction"), ("办事指南", None, "service"),
    ("政务公开", None, "other"), ("机构职能", None, "other"),
    ("专栏", {"type": "工作动态"}, "news"),  # from the ColumnType page label
])
def test_categorize(name, meta, category):
    assert categorize(name, meta) == category


# --- issue 10 classes: search results, 相关推荐 blocks, the homepage's /index.html ---------------------------

RESULTS = "".join(f'<div class="result"><h3><a href="/zwdt/{i}.html">县政府召开第{i}次常务会议</a></h3>'
                  f'<p>{"为深入贯彻落实上级决策部署，进一步推动各项工作落地见效。" * 4}</p><span>2026-11-{i:02d}</span></div>'
                  for i in range(1, 7))


@pytest.mark.parametrize("url", ["http://t.example.gov.cn/search/result.html?searchword=%E6%94%BF%E5%8A%A1",
                                 "http://t.example.gov.cn/site/search/5560001?keywords=x",
                                 "http://t.example.gov.cn/jsearch/search.jsp?q=x"])
def test_site_search_result_pages_are_other(url):
    rec = record(f"<p>共找到 6 条相关结果</p>{RESULTS}", "<title>搜索结果</title>", url=url)
    assert classify(rec, CTX) == "other"


def test_a_search_column_is_still_judged_without_results_wording():
    """Must stay a column: a news column whose URL happens to hold 'search' but shows no results wording."""
    rec = record(dated_list(10), "<title>政务动态</title>", url="http://t.example.gov.cn/research/zwdt/")
    assert classify(rec, CTX) == "column"


def test_article_with_a_related_block_is_an_article():
    related = "".join(f'<li><a href="/zwdt/{i}.html">县政府召开第{i}次常务会议研究部署工作</a><span>2026-11-{i:02d}</span></li>'
                      for i in range(1, 7))
    body = (f'<div class="article"><h1>县政府召开常务会议</h1><div class="info">发布时间：2026-11-20</div>'
            f'<p>会议研究部署近期重点工作。</p></div><div class="xgtj"><h4>相关推荐</h4><ul>{related}</ul></div>')
    assert classify(record(body), CTX) == "article"
    # must still fire: the same list without the 相关推荐 heading is a column's list
    assert classify(record(f'<div class="list"><h4>政务动态</h4><ul>{related}</ul></div>'), CTX) == "column"


def test_root_index_page_is_the_homepage_not_a_column():
    rec = record(dated_list(10), url="http://t.example.gov.cn/index.html")
    assert classify(rec, CTX) == "other"
    assert classify(record(dated_list(10), url="http://t.example.gov.cn/zwdt/index.html"), CTX) == "column"
