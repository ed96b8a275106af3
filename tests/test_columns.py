"""Column facts and discovery on the columns fixture site (tests/fixtures/sites/columns, made by make_site.py).

:func:`build_view` turns the fixture's files into what the crawler would hand over: PageRecords decoded by
their own ``<meta charset>`` (one page is GBK bytes), classified by ``pagetype.classify``, their facts from
``xunjian.checks.extractors()``, then page summaries in a ScanView.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from conftest import real_page
from xunjian.checks import extractors
from xunjian.checks.base import CheckContext
from xunjian.checks.columns import discover_columns
from xunjian.checks.pagetype import classify
from xunjian.records import PageRecord, PageSummary, ScanView, SiteInfo

SITE_DIR = Path(__file__).parent / "fixtures" / "sites" / "columns"
BASE = "http://127.0.0.1:8080/"
AS_OF = date(2026, 11, 22)
SITE = SiteInfo(id="columns", name="示例县人民政府", url=BASE, site_code="1199000002")


def decode(raw: bytes) -> tuple[str, str]:
    m = re.search(rb"charset=[\"']?([\w-]+)", raw[:2048])
    encoding = m.group(1).decode("ascii").lower() if m else "utf-8"
    return raw.decode(encoding), encoding


def load_record(rel: str, rendered: bool = False) -> PageRecord:
    source = SITE_DIR / rel
    if rendered:
        source = source.with_name("list.rendered.html")
    html, encoding = decode(source.read_bytes())
    url = BASE + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
    page = PageRecord(url=url, final_url=url, status=200, content_type="text/html", encoding=encoding, html=html,
                      rendered=rendered, depth=0 if rel == "index.html" else rel.count("/"))
    page.title = (page.tree.findtext(".//title") or "").strip()
    return page


def run_page(page: PageRecord, ctx: CheckContext) -> PageSummary:
    if page.page_type != "homepage":  # the crawler sets homepage itself and classifies the rest
        page.page_type = "homepage" if page.url == BASE else classify(page, ctx)
    facts: dict = {}
    for extractor in extractors():
        facts.update(extractor(page, ctx) or {})
    return PageSummary(url=page.url, final_url=page.final_url, status=page.status, page_type=page.page_type,
                       depth=page.depth, title=page.title, rendered=page.rendered, facts=facts)


def build_view(rendered_js: bool = False, site: SiteInfo = SITE, as_of: date = AS_OF) -> tuple[ScanView, CheckContext]:
    """The scan of the fixture site; ``rendered_js`` feeds /spxw/ as Chromium renders it."""
    ctx = CheckContext(site=site, as_of=as_of)
    pages = []
    for path in sorted(SITE_DIR.rglob("*.html")):
        rel = path.relative_to(SITE_DIR).as_posix()
        if rel.endswith("list.rendered.html"):
            continue
        pages.append(run_page(load_record(rel, rendered=rendered_js and rel == "spxw/index.html"), ctx))
    view = ScanView(site=site, pages=pages)
    view.columns = discover_columns(view, ctx)
    return view, ctx


@pytest.fixture(scope="module")
def scan() -> tuple[ScanView, CheckContext]:
    return build_view()


def summary(view: ScanView, path: str) -> PageSummary:
    return next(p for p in view.pages if p.url == BASE + path.lstrip("/"))


def column(view: ScanView, path: str):
    return next(c for c in view.columns if c.url == BASE + path.lstrip("/"))


def test_page_types(scan):
    view, _ = scan
    kinds = {p.url[len(BASE) - 1:]: p.page_type for p in view.pages}
    assert kinds["/"] == "homepage"
    for path in ("/zwdt/", "/zwdt/index_1.html", "/gsgg/", "/jcdt/", "/spxw/", "/xwfb/", "/zwgk/ghjh/", "/zwgk/gzzj/"):
        assert kinds[path] == "column", path
    assert kinds["/wzdt/"] == "other"
    articles = [k for k in kinds if "/t20" in k]
    assert len(articles) >= 30 and all(kinds[a] == "article" for a in articles)


def test_facts_are_small_and_json(scan):
    view, _ = scan
    for page in view.pages:
        text = json.dumps(page.facts, ensure_ascii=False)
        assert len(text.encode()) < 8000, page.url


def test_homepage_facts_skip_widget_counter_and_copyright(scan):
    view, _ = scan
    home = summary(view, "/")
    assert home.facts["list"] == {"items": 10, "dated": 10, "newest": "2026-11-20", "placeholder": None,
                                  "script_fed": False}
    nav = {e["text"]: e["level"] for e in home.facts["nav"]}
    assert nav == {"政务动态": 1, "部门动态": 1, "基层动态": 1, "通知公告": 1, "公示公告": 1, "政策文件": 1,
                   "新闻发布": 1, "视频新闻": 1, "政务公开": 1, "人事信息": 2, "规划计划": 2}
    assert {m["name"] for m in home.facts["more_links"]} == {"政务动态", "部门动态", "通知公告"}


def test_gbk_page_is_decoded_and_dated(scan):
    view, _ = scan
    assert (SITE_DIR / "gsgg/index.html").read_bytes().decode("gbk")  # really GBK bytes
    with pytest.raises(UnicodeDecodeError):
        (SITE_DIR / "gsgg/index.html").read_bytes().decode("utf-8")
    assert summary(view, "/gsgg/").facts["list"]["newest"] == "2026-11-05"


def test_column_page_facts(scan):
    view, _ = scan
    zwdt = summary(view, "/zwdt/").facts
    assert zwdt["pagination"] == {"next": BASE + "zwdt/index_1.html", "last": BASE + "zwdt/index_1.html"}
    assert zwdt["column_meta"] == {"name": "政务动态", "type": "政务动态"}
    assert summary(view, "/jcdt/").facts["list"]["newest"] == "2026-11-18"      # [11-18]
    assert summary(view, "/tzgg/").facts["list"]["newest"] == "2026-11-03"      # 2026.11.03
    assert summary(view, "/spxw/").facts["list"]["script_fed"] is True
    assert summary(view, "/zwgk/ghjh/").facts["list"]["placeholder"] == "暂无信息"
    assert summary(view, "/zwgk/rsxx/").facts["breadcrumb"] == [{"url": BASE + "zwgk/", "text": "政务公开"}]


def test_article_facts(scan):
    view, _ = scan
    art = summary(view, "/zwdt/202611/t20261120_1.html").facts
    assert (art["pubdate"], art["pubdate_source"]) == ("2026-11-20", "label:发布时间")
    undated = summary(view, "/xwfb/202606/t20260601_1.html").facts
    assert (undated["pubdate"], undated["pubdate_source"]) == ("2026-06-01", "meta:pubdate")


def test_sitemap_facts(scan):
    view, _ = scan
    entries = {e["url"][len(BASE) - 1:]: e["level"] for e in summary(view, "/wzdt/").facts["sitemap"]}
    assert entries["/zwgk/"] == 1 and entries["/zwgk/gzzj/"] == 2 and "/" not in entries


def test_discovered_columns(scan):
    view, _ = scan
    found = {c.url[len(BASE) - 1:]: (c.name, c.category, c.level, c.discovered_by) for c in view.columns}
    assert found == {
        "/zwdt/": ("政务动态", "news", 1, "nav"), "/bmdt/": ("部门动态", "news", 1, "nav"),
        "/jcdt/": ("基层动态", "news", 1, "nav"), "/tzgg/": ("通知公告", "notice", 1, "nav"),
        "/gsgg/": ("公示公告", "notice", 1, "nav"), "/zcwj/": ("政策文件", "policy", 1, "nav"),
        "/xwfb/": ("新闻发布", "news", 1, "nav"), "/spxw/": ("视频新闻", "news", 1, "nav"),
        "/zwgk/": ("政务公开", "other", 1, "nav"), "/zwgk/rsxx/": ("人事信息", "longterm", 2, "nav"),
        "/zwgk/ghjh/": ("规划计划", "longterm", 2, "nav"), "/zwgk/gzzj/": ("工作总结", "longterm", 2, "sitemap"),
    }


def test_pagination_merges_into_its_column(scan):
    view, _ = scan
    zwdt = column(view, "/zwdt/")
    assert (zwdt.item_count, zwdt.undated_count, zwdt.newest_date) == (8, 0, date(2026, 11, 20))
    assert not any("index_1" in c.url for c in view.columns)


def test_undated_and_blank_columns(scan):
    view, _ = scan
    xwfb = column(view, "/xwfb/")
    assert (xwfb.item_count, xwfb.undated_count, xwfb.newest_date) == (4, 4, None)
    assert column(view, "/zwgk/ghjh/").placeholder == "暂无信息"
    assert column(view, "/zwgk/gzzj/").item_count == 0


def test_rendered_js_column():
    view, _ = build_view(rendered_js=True)
    spxw = column(view, "/spxw/")
    assert (spxw.item_count, spxw.newest_date, spxw.rendered) == (3, date(2026, 11, 19), True)


def test_registry_overrides_and_adds():
    site = replace(SITE, columns=(
        {"url": BASE + "zwgk/", "category": "policy", "name": "政府信息公开"},
        {"url": BASE + "zwdt/index.html", "category": "notice", "level": 2},
        {"url": BASE + "wzdt/", "category": "other", "name": "网站地图栏目"},
        {"url": BASE + "zt/", "category": "other"},  # neither found nor named: added, judged when crawled
    ))
    view, _ = build_view(site=site)
    zwgk, zwdt, wzdt = column(view, "/zwgk/"), column(view, "/zwdt/"), column(view, "/wzdt/")
    assert (zwgk.name, zwgk.category, zwgk.discovered_by) == ("政府信息公开", "policy", "nav+registry")
    assert (zwdt.name, zwdt.category, zwdt.level) == ("政务动态", "notice", 2)
    assert (wzdt.name, wzdt.discovered_by) == ("网站地图栏目", "registry")
    added = column(view, "/zt/")
    assert (added.name, added.discovered_by, added.level, added.item_count) == ("/zt/", "registry", 1, 0)
    assert len(view.columns) == 14


def test_discovery_without_homepage_menu_uses_breadcrumbs_and_lists():
    view, ctx = build_view()
    home = next(p for p in view.pages if p.page_type == "homepage")
    home.facts = {"list": home.facts["list"]}  # no nav, no 更多 links
    view.pages = [p for p in view.pages if "sitemap" not in p.facts]
    found = {c.url[len(BASE) - 1:]: c for c in discover_columns(view, ctx)}
    assert found["/zwgk/"].discovered_by == "breadcrumb" and found["/zwgk/"].level == 1
    assert found["/zwgk/gzzj/"].discovered_by == "list" and found["/zwgk/gzzj/"].name == "工作总结"
    assert found["/zwgk/gzzj/"].level == 2  # from its URL path
    assert found["/bmdt/"].category == "news"


YICHUN = real_page("yichun_gov_cn_homepage.html")


@pytest.mark.rule_case("UP001", fires=True, silent=True)
def test_real_homepage_menus_blocks_and_freshness():
    from xunjian.checks.freshness import homepage_not_updated

    site = SiteInfo(id="yc", name="中国宜春", url="https://www.yichun.gov.cn/")
    page = PageRecord(url=site.url, final_url=site.url, status=200, html=YICHUN.read_text(encoding="utf-8"),
                      page_type="homepage")
    ctx = CheckContext(site=site, as_of=date(2023, 10, 12))  # the page was generated 2023-10-11
    summ = run_page(page, ctx)
    more = {m["name"] for m in summ.facts["more_links"]}
    assert {"政务要闻", "政府文件", "政策解读", "县市区动态"} <= more
    nav = {n["text"] for n in summ.facts["nav"]}
    assert {"政务动态", "政府公告", "政策解读"} <= nav and "用户中心" not in nav
    assert summ.facts["list"]["newest"] == "2023-10-11"
    view = ScanView(site=site, pages=[summ])
    assert view.homepage is summ
    columns = {c.name: c.category for c in discover_columns(view, ctx)}
    assert columns["政务要闻"] == "news" and columns["政府文件"] == "policy" and columns["政府公告"] == "notice"
    assert not list(homepage_not_updated(view, ctx))
    later = CheckContext(site=site, as_of=date(2023, 11, 1))
    assert [f.rule for f in homepage_not_updated(view, later)] == ["UP001"]


WP_CATEGORY = """<html><head><title>县内要闻</title></head><body><main class="site-main"><h1>分类：县内要闻</h1>
<article class="post"><h2 class="entry-title"><a href="/2026/11/03/post-1/">全县冬季供暖保障工作部署会召开</a></h2>
<time class="entry-date" datetime="2026-11-03T09:12:00+08:00">2026年11月3日</time><div class="entry-summary"><p>会议指出。</p></div></article>
<article class="post"><h2 class="entry-title"><a href="/2026/10/28/post-2/">县领导赴重点项目现场调研</a></h2>
<time class="entry-date" datetime="2026-10-28T09:12:00+08:00">2026年10月28日</time></article>
<article class="post"><h2 class="entry-title"><a href="/2026/10/21/post-3/">全县统计工作会议召开</a></h2>
<div class="date"><p>21</p><p>2026.10</p></div></article>
</main></body></html>"""
WP_SINGLE = """<html><head><title>文章</title></head><body><main><article class="post single"><h1>全县统计工作会议召开</h1>
<time datetime="2026-10-21T09:12:00+08:00">2026年10月21日</time><div class="entry-content"><p>会议要求，详见
<a href="/2026/10/01/post-9/">此前报道</a>。</p></div></article></main></body></html>"""


def test_html5_article_elements_are_list_items():
    """Issue 10 (held-out WordPress-style site): posts listed as <article> blocks are the column's items."""
    import lxml.html

    from xunjian.checks.pagetype import main_list

    main = main_list(lxml.html.fromstring(WP_CATEGORY), date(2026, 11, 22))
    assert main is not None and main.items == 3 and main.dated == 3
    assert main.newest == date(2026, 11, 3)
    # must stay silent: a single post (one <article> with a link in its text) is no list of dated items
    single = main_list(lxml.html.fromstring(WP_SINGLE), date(2026, 11, 22))
    assert single is None or single.dated < 2


def test_more_link_beside_a_comment_names_its_block():
    """A comment node next to a "更多" link (common in CMS templates: <!-- 栏目 -->) has no text content; the
    block heading is read from the other siblings, and the extractor does not crash (it did on a real page)."""
    from xunjian.checks.columns import extract_more_links

    html = ('<html><body><div class="box"><!-- 通知公告 开始 --><h3>通知公告</h3>'
            '<a href="/tzgg/index.html">更多&gt;&gt;</a><ul><li><a href="/tzgg/1.html">关于春节放假的通知</a></li>'
            '</ul></div></body></html>')
    site = SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/")
    page = PageRecord(url=site.url, final_url=site.url, status=200, content_type="text/html", html=html,
                      page_type="homepage")
    out = extract_more_links(page, CheckContext(site, date(2026, 12, 1)))
    assert out["more_links"] == [{"url": "http://127.0.0.1:8000/tzgg/index.html", "name": "通知公告"}]
