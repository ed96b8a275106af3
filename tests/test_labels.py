"""Page labels MT001/MT002: real pages, PubDate parsing (the MT*.html fixtures run in test_rule_fixtures.py)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from conftest import real_page
from xunjian import checks
from xunjian.checks.base import CheckContext
from xunjian.checks.labels import missing_page_labels, page_label_mismatch, page_labels, parse_pubdate
from xunjian.records import PageRecord, SiteInfo

AS_OF = date(2026, 11, 22)


def run_labels(rec: PageRecord, ctx: CheckContext) -> list:
    return [*missing_page_labels(rec, ctx), *page_label_mismatch(rec, ctx)]


def record(html: str, url: str, page_type: str) -> PageRecord:
    return PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=html, page_type=page_type)


def ctx_for(url: str, site_code: str | None) -> CheckContext:
    return CheckContext(site=SiteInfo(id="demo", name="示例", url=url, site_code=site_code), as_of=AS_OF)


def test_family_is_registered():
    from xunjian.checks.labels import extract_labels, grouped_label_findings

    assert extract_labels in checks.extractors()
    assert grouped_label_findings in checks.site_checks()
    assert missing_page_labels not in checks.page_checks()  # per template, not per page


def test_one_mt001_per_page_lists_every_missing_label():
    rec = record("<html><head><title>t</title></head><body></body></html>", "http://www.example.gov.cn/a.html", "article")
    found = list(missing_page_labels(rec, ctx_for("http://www.example.gov.cn/", None)))
    assert len(found) == 1
    assert found[0].evidence["missing"] == [
        "SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle", "PubDate",
        "ContentSource",
    ]
    assert found[0].evidence["missing_optional"] == ["ColumnDescription", "ColumnKeywords", "Keywords", "Author",
                                                     "Description", "Image", "Url"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-04-17 14:46:00", datetime(2022, 4, 17, 14, 46)),
        ("2025-11-20", datetime(2025, 11, 20)),
        ("2026/02/11 09:30", datetime(2026, 2, 11, 9, 30)),
        ("2026-2-3", datetime(2026, 2, 3)),
        ("2023-02-30", None),
        ("2026年11月20日", None),
        ("", None),
        ("2022-04-17 25:00", None),
    ],
)
def test_parse_pubdate(value, expected):
    assert parse_pubdate(value) == expected


# --- real pages ------------------------------------------------------------------------------------


def real(name: str, url: str, page_type: str = "article") -> PageRecord:
    return record(real_page(name).read_text(encoding="utf-8"), url, page_type)


def test_yichun_homepage_labels_are_complete_and_consistent():
    url = "https://www.yichun.gov.cn/"
    rec = real("yichun_gov_cn_homepage.html", url, "homepage")
    labels = page_labels(rec)
    assert (labels["sitename"], labels["sitedomain"], labels["siteidcode"]) == ("中国宜春", "www.yichun.gov.cn", "3609000002")
    assert run_labels(rec, ctx_for(url, "3609000002")) == []
    wrong = run_labels(rec, ctx_for(url, "3609000001"))
    assert [(f.rule, f.evidence) for f in wrong] == [("MT002", {"label": "SiteIDCode", "value": "3609000002"})]


def test_zjdpc_empty_siteidcode_is_mt001():
    url = "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html"
    rec = real("zjdpc_fgw_zj_gov_cn_article_touziyunxing_2016.html", url)
    assert page_labels(rec)["siteidcode"] == ""
    found = run_labels(rec, ctx_for("http://fgw.zj.gov.cn/", "3300000020"))
    assert [f.rule for f in found] == ["MT001"]  # SiteDomain "fgw.zj.gov.cn,www.zjdpc.gov.cn" names the host
    assert "SiteIDCode" in found[0].evidence["missing"] and "SiteIDCode" in found[0].evidence["empty"]
    assert "SiteIDCode" in found[0].message


def test_yichun_article_labels_and_future_check():
    url = "https://www.yichun.gov.cn/ycsrmzf/tjgb/202305/36796cdc82d04268913f2884cf2fe579.shtml"
    rec = real("yichun_gov_cn_article_tjgb_2022_yichun.html", url)
    labels = page_labels(rec)
    assert parse_pubdate(labels["pubdate"]) == datetime(2023, 5, 16, 12, 34, 5)
    found = run_labels(rec, ctx_for("https://www.yichun.gov.cn/", "3609000002"))
    assert found == []  # Keywords, Author and Url are optional (indicators.md §5, corrected)
    early = CheckContext(site=SiteInfo(id="yc", name="宜春", url="https://www.yichun.gov.cn/"), as_of=date(2023, 1, 1))
    assert [f.evidence["label"] for f in page_label_mismatch(rec, early)] == ["PubDate"]


def test_pages_without_gov_labels():
    url = "http://www.cmse.gov.cn/xwzx/zhxw/202101/t20210106_47506.html"
    found = run_labels(real("cmse_gov_cn_article_space_station.html", url), ctx_for("http://www.cmse.gov.cn/", None))
    assert [f.rule for f in found] == ["MT001"]
    assert {"SiteName", "SiteIDCode", "PubDate"} <= set(found[0].evidence["missing"])


# --- granularity: one finding per (page type, template); one for a site without labels -------------------


def _summary(url: str, page_type: str, template: str, html_head: str, ctx: CheckContext):
    from xunjian.checks.labels import extract_labels
    from xunjian.records import PageSummary

    rec = record(f"<html><head>{html_head}</head><body><p>x</p></body></html>", url, page_type)
    return PageSummary(url, url, 200, page_type, 1, facts={**extract_labels(rec, ctx), "template": template})


SITE3 = ('<meta name="SiteName" content="示例"><meta name="SiteDomain" content="www.example.gov.cn">'
         '<meta name="SiteIDCode" content="3609000002">')
ART = SITE3 + ('<meta name="ColumnName" content="动态"><meta name="ColumnType" content="动态">'
               '<meta name="ArticleTitle" content="标题"><meta name="PubDate" content="2026-11-20 10:00">')


def test_label_findings_are_grouped_per_page_type_and_template():
    from xunjian.checks.labels import grouped_label_findings
    from xunjian.records import ScanView

    home = "http://www.example.gov.cn/"
    ctx = ctx_for(home, "3609000002")
    pages = [_summary(home, "homepage", "h", SITE3, ctx)]
    pages += [_summary(f"{home}a/{i}.html", "article", "aaaa", ART, ctx) for i in range(30)]  # no ContentSource
    pages += [_summary(f"{home}b/{i}.html", "article", "bbbb", ART + '<meta name="ContentSource" content="办公室">', ctx)
              for i in range(5)]  # complete (Keywords, Author, Url are optional)
    found = list(grouped_label_findings(ScanView(site=ctx.site, pages=pages), ctx))
    assert [(f.rule, f.key) for f in found] == [("MT001", "article/template=aaaa")]
    ev = found[0].evidence
    assert ev["page_count"] == 30 and len(ev["pages"]) == 20 and ev["missing"] == ["ContentSource"]
    assert found[0].page is None


def test_a_site_without_any_label_gets_one_finding():
    from xunjian.checks.labels import grouped_label_findings
    from xunjian.records import ScanView

    home = "http://www.example.gov.cn/"
    ctx = ctx_for(home, None)
    pages = [_summary(home, "homepage", "h", "", ctx)]
    pages += [_summary(f"{home}{k}/{i}.html", k, k, "", ctx) for k in ("column", "article") for i in range(8)]
    found = list(grouped_label_findings(ScanView(site=ctx.site, pages=pages), ctx))
    assert len(found) == 1 and found[0].rule == "MT001" and found[0].evidence["page_count"] == 17
