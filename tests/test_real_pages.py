"""The real-page regression set: fields the checks read from real government pages, against hand-checked truth.

tests/fixtures/real/truth.yaml holds, per page (saved byte for byte under tests/fixtures/real/govpages_*/), its
page type, publication date, footer identifiers and missing required labels. The reader is the one
``python benchmarks/eval_quality.py`` prints the accuracy of.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from eval_corpus.realpages import FIELDS, REAL, field_accuracy  # noqa: E402


def test_at_least_98_percent_of_the_fields_are_read_right():
    right, total, wrong = field_accuracy()
    assert total >= 250, "the truth file lost pages"
    assert right / total >= 0.98, "\n".join(wrong)


def test_every_truth_page_exists_and_every_field_is_known():
    import yaml

    truth = yaml.safe_load((REAL / "truth.yaml").read_text(encoding="utf-8"))
    for name, fields in truth["pages"].items():
        assert (REAL / name).is_file(), name
        assert set(fields) - {"url", "note"} <= set(FIELDS), name


def _footer_facts(footer_html: str) -> dict:
    """Footer facts of a homepage whose only content is ``footer_html`` inside a marked footer."""
    from datetime import date

    from xunjian.checks.base import CheckContext
    from xunjian.checks.footer_facts import extract_footer
    from xunjian.records import PageRecord, SiteInfo

    url = "http://www.example.gov.cn/"
    html = f"<html><head><title>示例</title></head><body><div class='footer'>{footer_html}</div></body></html>"
    rec = PageRecord(url=url, final_url=url, status=200, content_type="text/html", html=html, page_type="homepage")
    ctx = CheckContext(site=SiteInfo(id="t", name="t", url=url), as_of=date(2026, 11, 22))
    return extract_footer(rec, ctx)["footer"]


FILLER = "主办单位：示例市人民政府办公室　网站标识码：3609000002　赣ICP备06000141号"


def test_labelled_phone_with_bracketed_area_code_or_short_service_line_is_contact():
    # real footers: 中国河北政府采购网 (technical-support line, full-width brackets), 云南省人民政府 (service line)
    for text in ("技术支持电话：（0311）66651000", "联系电话：(0311)66651000", "政务信息专线：0871-96128"):
        assert _footer_facts(f"<p>{FILLER}</p><p>{text}</p>")["contact"]["phone"], text


def test_postcodes_years_and_unlabelled_short_numbers_are_not_phones():
    for text in ("邮编：050051　地址：中华南大街48号", "专线运输服务 2018 年开通", "（2021）第96128号决定"):
        contact = _footer_facts(f"<p>{FILLER}</p><p>{text}</p>")["contact"]
        assert not (contact or {}).get("phone"), text


def test_provincial_police_filing_badge_link_gives_the_record_number():
    link = "<a href='http://61.159.214.200:81/RecValidate/RecView.aspx?RecordID=53011203202042'><img src='BA.jpg'></a>"
    assert _footer_facts(f"<p>{FILLER}</p>{link}")["police"]["link"] == "53011203202042"


def test_other_record_ids_in_links_are_not_police_records():
    for href in ("http://example.gov.cn/RecView.aspx?RecordID=53011203202042",  # not the filing system's path
                 "http://61.159.214.200:81/RecValidate/RecView.aspx?RecordID=530112032020421"):  # 15 digits
        assert _footer_facts(f"<p>{FILLER}</p><a href='{href}'>查看</a>")["police"] is None, href


def test_new_real_pages_fields_that_needed_the_fixes_are_read_right():
    """Truth-backed: the fields of the 2026-12-01 pages that the phone and police-link fixes made right."""
    import yaml

    from eval_corpus.realpages import read_fields

    truth = yaml.safe_load((REAL / "truth.yaml").read_text(encoding="utf-8"))["pages"]
    for name, field in (("govpages_jscryptominer/yn_gov_cn_homepage.html", "police"),
                        ("govpages_jscryptominer/yn_gov_cn_homepage.html", "phone"),
                        ("govpages_jscryptominer/court_gov_cn_homepage.html", "phone"),
                        ("govpages_ccgp/ccgp_hebei_gov_cn_article_zbgg_2021_weichang.html", "phone"),
                        ("govpages_jscryptominer/chinatax_gov_cn_homepage.html", "phone")):
        want = truth[name]
        got = read_fields(REAL / name, want["url"], want["page_type"] == "homepage")
        assert got[field] == want[field], (name, field, got[field])


def test_icp_number_is_reported_as_printed_with_or_without_the_hao_mark():
    # 云南省人民政府 and 科学技术部 print their ICP numbers without 号
    assert _footer_facts("<p>主办单位：示例市人民政府办公室</p><p>滇ICP备05000002</p>")["icp"]["value"] == "滇ICP备05000002"
    for printed, value in (("京ICP备 04000001号", "京ICP备04000001号"), ("冀ICP备13016076号-2", "冀ICP备13016076号-2"),
                           ("皖ICP备12345678-2号", "皖ICP备12345678号-2")):
        assert _footer_facts(f"<p>主办单位：示例市人民政府办公室</p><p>{printed}</p>")["icp"]["value"] == value
