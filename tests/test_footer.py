"""Footer identifiers FT001-FT009: real pages, template sampling (the FT*.html fixtures run in test_rule_fixtures.py)."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from datetime import date
from pathlib import Path

from conftest import real_page
from xunjian import checks
from xunjian.checks.base import CheckContext, CheckOptions
from xunjian.checks.footer import check_footer, extract_footer, sample_pages
from xunjian.records import PageRecord, PageSummary, ScanView, SiteInfo

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 22)


def site(url: str = "http://www.example.gov.cn/", site_code: str | None = "3609000002") -> SiteInfo:
    return SiteInfo(id="demo", name="示例市人民政府", url=url, site_code=site_code)


def record(html: str, url: str, page_type: str = "homepage") -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=html, page_type=page_type)


def summary(rec: PageRecord, ctx: CheckContext, depth: int = 0) -> PageSummary:
    return PageSummary(rec.url, rec.final_url, rec.status, rec.page_type, depth, facts=extract_footer(rec, ctx))


def run_homepage(html: str, url: str, ctx: CheckContext) -> tuple[dict, list]:
    page = summary(record(html, url), ctx)
    return page.facts, list(check_footer(ScanView(site=ctx.site, pages=[page]), ctx))


def test_family_is_registered():
    assert extract_footer in checks.extractors()
    assert check_footer in checks.site_checks()


# --- real pages ------------------------------------------------------------------------------------


def real(name: str, url: str, page_type: str = "article") -> PageRecord:
    return record(real_page(name).read_text(encoding="utf-8"), url, page_type)


YICHUN = "https://www.yichun.gov.cn/"


def test_yichun_homepage_identifiers_are_read_exactly():
    ctx = CheckContext(site=site(YICHUN, "3609000002"), as_of=AS_OF)
    page = summary(real("yichun_gov_cn_homepage.html", YICHUN, "homepage"), ctx)
    footer = page.facts["footer"]
    assert footer["site_code"]["value"] == "3609000002" and footer["site_code"]["in_footer"]
    assert footer["icp"]["value"] == "赣ICP备06000141号"
    assert footer["police"] == {"value": "36090202000004", "match": "赣公网安备 36090202000004号", "link": "36090202000004"}
    assert footer["conac"]["form"] == "link"
    assert "0ADCC2E0BA270DA2E053012819ACECB2" in footer["conac"]["match"]
    assert footer["jiucuo"] == {"form": "script", "hosts": ["zfwzgl.www.gov.cn"], "sitecode": "3609000002", "legacy": False}
    assert footer["sponsor"]["value"] == "宜春市人民政府"
    assert footer["undertaker"] == "宜春市人民政府办公室"
    assert footer["sitemap"]["href"] == "/ycsrmzf/wzdt/wzdt.shtml"
    assert footer["meta_site_code"] == "3609000002"
    # The 宜春 footer really gives no phone or e-mail (only a QQ link and a webmail login): FT008 only.
    assert footer["contact"] is None
    found = list(check_footer(ScanView(site=ctx.site, pages=[page]), ctx))
    assert [(f.rule, f.page) for f in found] == [("FT008", YICHUN)]


def test_yichun_homepage_against_another_registered_code_is_ft003():
    ctx = CheckContext(site=site(YICHUN, "3609000001"), as_of=AS_OF)
    page = summary(real("yichun_gov_cn_homepage.html", YICHUN, "homepage"), ctx)
    found = {f.rule: f for f in check_footer(ScanView(site=ctx.site, pages=[page]), ctx)}
    assert set(found) == {"FT003", "FT008"}
    assert found["FT003"].evidence["found"] == {"footer": "3609000002", "jiucuo": "3609000002", "meta": "3609000002"}


def test_zjdpc_legacy_jiucuo_and_missing_sponsor():
    url = "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"
    ctx = CheckContext(site=site("http://fgw.zj.gov.cn/", "3300000020"), as_of=AS_OF)
    facts, found = run_homepage(real("zjdpc_fgw_zj_gov_cn_article_touziyunxing_2016.html", url).html, url, ctx)
    footer = facts["footer"]
    assert footer["site_code"]["value"] == "3300000020"
    assert footer["icp"]["value"] == "浙ICP备05018911号"
    assert footer["police"]["value"] == footer["police"]["link"] == "33010602009328"
    assert footer["jiucuo"]["hosts"] == ["121.43.68.40"] and footer["jiucuo"]["sitecode"] == "3300000020"
    assert footer["meta_site_code"] is None  # <meta name="SiteIDCode" content="">
    codes = {f.rule: f for f in found}
    assert set(codes) == {"FT006", "FT007", "FT008"}  # footer says only "版权所有", no 主办 label
    assert codes["FT006"].evidence["legacy_hosts"] == ["121.43.68.40"]
    assert codes["FT008"].evidence["contact_page"] == "/col/col1629310/index.html"


def test_www_gov_cn_footer_after_a_stray_html_end_tag():
    url = "https://www.gov.cn/gongbao/content/2007/content_692213.htm"
    rec = real("www_gov_cn_article_npc_decision.html", url)
    assert rec.html.lower().index("</html>") < rec.html.index("网站标识码")  # the header closes </html> early
    assert "网站标识码" in rec.tree.text_content()  # PageRecord.tree still parses what follows
    ctx = CheckContext(site=site("https://www.gov.cn/", "bm01000001"), as_of=AS_OF)
    facts, found = run_homepage(rec.html, url, ctx)
    footer = facts["footer"]
    assert footer["site_code"]["value"] == "bm01000001"
    assert footer["icp"]["value"] == "京ICP备05070218号"
    assert footer["police"]["value"] == "11010202000001"
    assert footer["sponsor"]["value"] == "国务院办公厅"
    assert {f.rule for f in found} == {"FT008", "FT009"}


def test_kepu_escaped_conac_script_and_email():
    url = "http://www.kepu.gov.cn/politics/2023-12/01/content_1755244.html"
    ctx = CheckContext(site=site("http://www.kepu.gov.cn/", "bm06000004"), as_of=AS_OF)
    facts, found = run_homepage(real("kepu_gov_cn_article_politics_2023.html", url).html, url, ctx)
    footer = facts["footer"]
    assert footer["conac"] == {"form": "script", "match": "dcs.conac.cn/js/33/000/0000/60477468/CA330000000604774680005.js"}
    assert footer["site_code"]["value"] == "bm06000004"
    assert footer["jiucuo"]["sitecode"] == "bm06000004"
    assert "kepu@kepu.gov.cn" in footer["contact"]["email"]
    assert {f.rule for f in found} == {"FT005", "FT007", "FT009"}


def test_shanxi_legacy_script_and_cmse_negative():
    ctx = CheckContext(site=site("http://www.shanxi.gov.cn/", "1400000045"), as_of=AS_OF)
    url = "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml"
    _, found = run_homepage(real("shanxi_gov_cn_article_shanxiyaowen_2019.html", url).html, url, ctx)
    assert {f.rule for f in found} == {"FT006", "FT008"}
    ctx = CheckContext(site=site("http://www.cmse.gov.cn/", None), as_of=AS_OF)
    url = "http://www.cmse.gov.cn/xwzx/zhxw/202101/t20210106_47506.html"
    facts, found = run_homepage(real("cmse_gov_cn_article_space_station.html", url).html, url, ctx)
    assert facts["footer"]["icp"]["value"] == "京ICP备20027467号-1"
    assert {f.rule for f in found} == {"FT001", "FT002", "FT005", "FT006", "FT008", "FT009"}


# --- templates and sampling ------------------------------------------------------------------------


def test_same_template_same_signature_on_real_pages():
    ctx = CheckContext(site=site(YICHUN), as_of=AS_OF)
    a = extract_footer(real("yichun_gov_cn_article_tjgb_2022_yichun.html", YICHUN + "a.shtml"), ctx)
    b = extract_footer(real("yichun_gov_cn_article_tjgb_2022_jiangxi.html", YICHUN + "b.shtml"), ctx)
    home = extract_footer(real("yichun_gov_cn_homepage.html", YICHUN, "homepage"), ctx)
    assert a["template"] == b["template"] != home["template"]
    assert re.fullmatch(r"[0-9a-f]{10}", a["template"])


def fake_page(url: str, template: str, depth: int = 1, **missing: bool) -> PageSummary:
    footer = {
        "conac": {"form": "link", "match": "bszs.conac.cn"}, "site_code": {"value": "3609000002"},
        "icp": {"value": "赣ICP备06000141号"}, "police": {"value": "36090202000004", "link": None},
        "jiucuo": {"form": "script", "hosts": [], "sitecode": None, "legacy": False},
        "sponsor": {"value": "示例市人民政府"}, "undertaker": None,
        "contact": {"phone": ["0795-3999000"], "email": []}, "sitemap": {"href": "/wzdt/"}, "meta_site_code": None,
    }
    for name in missing:
        footer[name] = None
    return PageSummary(url, url, 200, "article", depth, facts={"footer": footer, "template": template})


def test_inner_pages_sampled_per_template_one_finding_per_rule_and_template():
    home = "http://www.example.gov.cn/"
    pages = [
        PageSummary(home, home, 200, "homepage", 0, facts={"footer": fake_page(home, "h").facts["footer"], "template": "h"}),
        fake_page(home + "a/1.html", "aaaaaaaaaa", depth=1),
        fake_page(home + "a/2.html", "aaaaaaaaaa", depth=2, conac=True),
        fake_page(home + "a/3.html", "aaaaaaaaaa", depth=3, conac=True, icp=True),
        fake_page(home + "sub/1.html", "bbbbbbbbbb", depth=2, conac=True),
        fake_page(home + "sub/2.html", "bbbbbbbbbb", depth=2, conac=True),
        PageSummary(home + "x.pdf", home + "x.pdf", 200, "other", 1, facts={}),
    ]
    view = ScanView(site=site(home), pages=pages)
    one = CheckContext(site=view.site, as_of=AS_OF, options=CheckOptions(footer_sample_per_template=1))
    assert [(f.rule, f.key) for f in check_footer(view, one)] == [("FT001", "article/template=bbbbbbbbbb")]
    three = CheckContext(site=view.site, as_of=AS_OF, options=CheckOptions(footer_sample_per_template=3))
    found = list(check_footer(view, three))
    assert Counter((f.rule, f.key) for f in found) == Counter(
        {("FT001", "article/template=aaaaaaaaaa"): 1, ("FT004", "article/template=aaaaaaaaaa"): 1, ("FT001", "article/template=bbbbbbbbbb"): 1}
    )
    ft001 = next(f for f in found if f.key == "article/template=aaaaaaaaaa" and f.rule == "FT001")
    assert ft001.page is None  # the key names the template, so the fingerprint survives a changed sample
    assert ft001.evidence["sampled"] == [home + "a/1.html", home + "a/2.html", home + "a/3.html"]
    assert ft001.evidence["failing"] == [home + "a/2.html", home + "a/3.html"]
    assert ft001.fingerprint("demo") == next(iter(check_footer(view, three))).fingerprint("demo")
    zero = CheckContext(site=view.site, as_of=AS_OF, options=CheckOptions(footer_sample_per_template=0))
    assert list(check_footer(view, zero)) == [] and sample_pages(view, 0) == {}


def test_homepage_findings_are_separate_from_inner_templates():
    home = "http://www.example.gov.cn/"
    homepage = fake_page(home, "h", depth=0, sitemap=True)
    homepage.page_type = "homepage"
    view = ScanView(site=site(home), pages=[homepage, fake_page(home + "a.html", "t", sitemap=True)])
    ctx = CheckContext(site=view.site, as_of=AS_OF)
    found = [(f.rule, f.page, f.key) for f in check_footer(view, ctx)]
    assert found == [("FT009", home, None), ("FT009", None, "article/template=t")]


def test_non_html_and_error_pages_have_no_footer_facts():
    ctx = CheckContext(site=site(), as_of=AS_OF)
    assert extract_footer(PageRecord(url="u", final_url="u", status=200, content_type="application/pdf"), ctx) == {}
    err = record("<html><body><p>404 页面不存在</p></body></html>", "http://www.example.gov.cn/x")
    err.status = 404
    assert extract_footer(err, ctx) == {}


def test_hostile_page_is_bounded():
    """Many footer-like blocks, a long unterminated <script, thousands of links: still fast and small."""
    blocks = "".join(f'<div class="footer-item"><a href="/p{i}">链接{i}</a></div>' for i in range(5000))
    html = f"<html><body>{blocks}<div class='foot'>主办单位：示例市人民政府</div><script " + "x" * 200_000
    ctx = CheckContext(site=site(), as_of=AS_OF)
    start = time.perf_counter()
    facts = extract_footer(record(html, "http://www.example.gov.cn/"), ctx)
    assert time.perf_counter() - start < 5
    assert facts["footer"]["sponsor"]["value"] == "示例市人民政府"
    assert len(json.dumps(facts, ensure_ascii=False)) < 4000


# --- end to end: the real scan worker against a local site -------------------------------------------

GOOD_FOOTER = """<div class="footer"><p><a href="/wzdt/">网站地图</a></p>
<p>主办单位：示例市人民政府办公室　电话：0795-3999000</p>
<p>网站标识码：3609000002　赣ICP备06000141号　赣公网安备 36090202000004号</p>
<a href="https://bszs.conac.cn/sitename?method=show&id=0ADCC2E0BA270DA2E053012819ACECB2"><img src="/red.png"></a>
<script id="_jiucuo_" sitecode="3609000002" src="/exposure/jiucuo.js"></script></div>"""
SUB_FOOTER = """<div class="sub-bottom"><p>示例市某局网站　主办单位：示例市某局　电话：0795-3888888</p>
<p>网站标识码：3609000002　赣ICP备06000141号　赣公网安备 36090202000004号　<a href="/wzdt/">网站地图</a></p></div>"""


def article(title: str, footer: str, site_code: str = "3609000002", main: str = "main") -> str:
    labels = "".join(
        f'<meta name="{k}" content="{v}">' for k, v in {
            "SiteName": "示例市人民政府", "SiteDomain": "127.0.0.1", "SiteIDCode": site_code,
            "ColumnName": "政务动态", "ColumnType": "政务动态", "ArticleTitle": title,
            "PubDate": "2026-11-20 09:00", "ContentSource": "办公室", "Keywords": "动态", "Author": "办公室",
            "Url": "/a.html",
        }.items()
    )
    body = "<p>" + "示例市召开全市政务公开工作会议，部署下一阶段重点工作。" * 20 + "</p>"
    return (f"<html><head><title>{title}</title>{labels}</head><body><div class='{main}'><h1>{title}</h1>"
            f"{body}</div>{footer}</body></html>")


def test_scan_reports_footer_per_template_and_labels(sqlite_url, tmp_path, site_server):
    from crawl_helpers import findings, latest_scan, pages, register, run_worker, worker_env, write_settings

    root = tmp_path / "site"
    (root / "a").mkdir(parents=True)
    (root / "sub").mkdir()
    (root / "index.html").write_text(
        '<html><head><title>示例市人民政府</title><meta name="SiteName" content="示例市人民政府">'
        '<meta name="SiteDomain" content="127.0.0.1"><meta name="SiteIDCode" content="3609000002"></head>'
        '<body><div class="nav"><a href="/a/1.html">动态一</a><a href="/a/2.html">动态二</a>'
        f'<a href="/sub/1.html">某局动态</a></div>{GOOD_FOOTER}</body></html>', encoding="utf-8")
    (root / "a" / "1.html").write_text(article("动态一", GOOD_FOOTER), encoding="utf-8")
    (root / "a" / "2.html").write_text(article("动态二", GOOD_FOOTER), encoding="utf-8")
    (root / "sub" / "1.html").write_text(article("某局动态", SUB_FOOTER, site_code="", main="sub-main"), encoding="utf-8")
    site = site_server(root=root)
    register(sqlite_url, tmp_path, "ft", site.url, site_code="3609000002")
    proc = run_worker("ft", worker_env(sqlite_url, write_settings(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    stored = pages(sqlite_url, latest_scan(sqlite_url, "ft").id)
    sub_template = stored[site.url + "sub/1.html"].facts["template"]
    assert stored[site.url + "a/1.html"].facts["template"] == stored[site.url + "a/2.html"].facts["template"]
    assert sub_template != stored[site.url + "a/1.html"].facts["template"]
    found = sorted((f.rule, f.page, (f.evidence or {}).get("template")) for f in findings(sqlite_url, "ft")
                   if f.rule[:2] in ("FT", "MT"))
    assert found == [
        ("FT001", None, sub_template),
        ("FT006", None, sub_template),
        ("MT001", None, sub_template),
    ]
    mt001 = next(f for f in findings(sqlite_url, "ft") if f.rule == "MT001")
    assert mt001.evidence["pages"] == [site.url + "sub/1.html"] and mt001.evidence["page_count"] == 1


def test_footer_facts_are_extracted_for_a_budget_of_pages_per_template():
    """On a large site only the first pages of a template get full footer facts; all get the signature."""
    from xunjian.checks.footer_facts import FACTS_PER_TEMPLATE_FACTOR
    from xunjian.records import PageRecord, SiteInfo

    ctx = CheckContext(site=SiteInfo(id="s", name="s", url="http://127.0.0.1:1/"), as_of=AS_OF,
                       options=CheckOptions(footer_sample_per_template=2))
    html = ('<html><body><div class="main"><p>正文 {i}</p></div><div class="footer">主办单位：示例市人民政府办公室 '
            '网站标识码：1199000001</div></body></html>')
    facts = [extract_footer(PageRecord(url=f"http://127.0.0.1:1/{i}.html", final_url=f"http://127.0.0.1:1/{i}.html",
                                       status=200, html=html.format(i=i), page_type="article"), ctx) for i in range(20)]
    assert sum("footer" in f for f in facts) == 2 * FACTS_PER_TEMPLATE_FACTOR
    assert len({f["template"] for f in facts}) == 1
    assert facts[0]["footer"]["site_code"]


FRAMED_FOOTER = """<html><head><title>页脚</title></head><body><footer><p><a href="/wzdt/">网站地图</a></p>
<p>主办单位：示例市人民政府办公室　电话：0795-3999000　网站标识码：3609000002</p>
<p>赣ICP备06000141号　赣公网安备 36090202000004号</p>
<a href="https://bszs.conac.cn/sitename?method=show&id=0ADCC2E0BA270DA2E053012819ACECB2"><img src="/red.png"></a>
<script id="_jiucuo_" sitecode="3609000002" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js"></script>
</footer></body></html>"""
FRAMING_ARTICLE = """<html><head><title>文章</title></head><body><div class="nav"><a href="/lxwm/">联系我们</a></div>
<div class="article"><h1>标题</h1><p>正文。</p></div>
<iframe src="{src}" width="100%" height="180" frameborder="0"></iframe></body></html>"""


def test_footer_shown_in_an_iframe_counts_for_the_page():
    """Issue 10 (held-out WordPress-style site): articles show the footer in <iframe src="/footer.html">."""
    home = "http://www.example.gov.cn/"
    ctx = CheckContext(site=site(home), as_of=AS_OF)
    art = summary(record(FRAMING_ARTICLE.format(src="/footer.html"), home + "a/1.html", "article"), ctx, 1)
    frame = summary(record(FRAMED_FOOTER, home + "footer.html", "other"), ctx, 2)
    assert art.facts["footer"]["frames"] == [home + "footer.html"]
    assert list(check_footer(ScanView(site=ctx.site, pages=[art, frame]), ctx)) == []
    # must fire: the framed page was not crawled (or is another page), so the article's own footer is judged
    lonely = summary(record(FRAMING_ARTICLE.format(src="/gone.html"), home + "a/2.html", "article"), ctx, 1)
    rules = {f.rule for f in check_footer(ScanView(site=ctx.site, pages=[lonely, frame]), ctx)}
    assert {"FT001", "FT002", "FT004", "FT005", "FT006", "FT007", "FT008"} <= rules
    # a framed include lacking an identifier is reported on the framing template, not as a page of its own
    bare = summary(record(FRAMED_FOOTER.replace("赣公网安备 36090202000004号", ""), home + "footer.html", "other"), ctx, 2)
    found = list(check_footer(ScanView(site=ctx.site, pages=[art, bare]), ctx))
    assert [(f.rule, f.evidence["page_type"]) for f in found] == [("FT005", "article")]


def test_template_signature_ignores_the_number_of_listed_posts():
    """Issue 10 (held-out WordPress-style site): category pages listing 1, 3 or 4 <article> posts directly
    under <main> are one template; a page with another layout is another."""
    import lxml.html

    from xunjian.checks.footer_facts import template_signature

    def sig(n: int, box: str = "article") -> str:
        posts = "".join(f'<{box} class="post"><h2><a href="/p{i}/">标题{i}</a></h2></{box}>' for i in range(n))
        html = (f'<html><body><header class="site-header"><nav class="menu">首页</nav></header>'
                f'<main class="site-main"><h1>分类</h1>{posts or "<section class=no-results>暂无文章</section>"}</main>'
                '<footer class="ft">主办单位：示例县人民政府</footer></body></html>')
        return template_signature(lxml.html.fromstring(html).find("body"), "主办单位：示例县人民政府")

    assert sig(0) == sig(1) == sig(3) == sig(4)  # an empty category is the same template

    def platform(middle: str) -> str:  # a 信息公开 platform: channel page with boxes, column page with a table
        html = (f'<html><body><div class="xxgk-top">信息公开平台</div>{middle}'
                '<div class="xxgk-foot"><p>主办单位：示例县人民政府</p></div></body></html>')
        return template_signature(lxml.html.fromstring(html).find("body"), "主办单位：示例县人民政府")

    boxes = '<div class="nav"><a href="/a/">a</a></div>' + '<div class="box"><ul><li>x</li></ul></div>' * 3
    assert platform(boxes) == platform('<div class="pos">位置</div><table class="list"><tr><td>x</td></tr></table>')
    other = lxml.html.fromstring('<html><body><div class="zt-banner"><img src="/b.png"></div><main class="site-main">'
                                 '<p>专题</p></main><footer class="ft">主办单位：示例县人民政府</footer></body></html>')
    assert template_signature(other.find("body"), "主办单位：示例县人民政府") != sig(3)  # must differ: another header
