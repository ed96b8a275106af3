"""SV001: guide elements under their synonyms, in table, dl, "标签：值" and heading layouts; address to door number."""

from __future__ import annotations

from datetime import date

import pytest

from xunjian.checks.base import CheckContext
from xunjian.checks.guides import check_guide, guide_elements, missing_elements
from xunjian.records import PageRecord, SiteInfo

CTX = CheckContext(site=SiteInfo(id="s", name="s", url="http://127.0.0.1/"), as_of=date(2026, 11, 22))
FULL = [("事项名称", "食品经营许可"), ("法定依据", "《食品安全法》第三十五条"), ("受理条件", "有固定经营场所"),
        ("申请材料", "申请书"), ("办理程序", "申请—审查—决定"), ("承诺时限", "5个工作日"),
        ("收费依据及标准", "不收费"), ("办理地址", "测试市中山路100号"), ("联系电话", "0791-1234567"),
        ("办公时间", "工作日9:00-17:00")]


def page(body: str, title: str = "办事指南") -> PageRecord:
    html = f"<html><head><title>{title}</title></head><body>{body}<div class='footer'>联系电话：010-1</div></body></html>"
    return PageRecord(url="http://127.0.0.1/g.html", final_url="http://127.0.0.1/g.html", status=200, html=html,
                      title=title, page_type="article")


LAYOUTS = {
    "th_td": lambda rows: "<table>" + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>",
    "td_td": lambda rows: "<table>" + "".join(f"<tr><td>{k}：</td><td>{v}</td></tr>" for k, v in rows) + "</table>",
    "dl": lambda rows: "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>",
    "colon": lambda rows: "".join(f"<p>{k}：{v}</p>" for k, v in rows),
    "headings": lambda rows: "".join(f"<h4>{i}、{k}</h4><p>{v}</p>" for i, (k, v) in
                                     zip("一二三四五六七八九十", rows)),
    "spaced": lambda rows: "".join(f"<p><b>{' '.join(k)}</b>：<span>{v}</span></p>" for k, v in rows),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_complete_guides_in_every_layout_have_no_finding(layout):
    record = page(LAYOUTS[layout](FULL))
    assert len(guide_elements(record.tree)) == 10, guide_elements(record.tree)
    assert list(check_guide(record, CTX)) == []


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_missing_and_empty_elements_are_listed_in_one_finding(layout):
    rows = [(k, "" if k == "承诺时限" else v) for k, v in FULL if k not in ("法定依据", "联系电话")]
    found = list(check_guide(page(LAYOUTS[layout](rows)), CTX))
    assert len(found) == 1
    assert found[0].rule == "SV001" and found[0].evidence["missing"] == ["设定依据", "办理时限", "咨询电话"]
    assert "食品经营许可" in found[0].message


@pytest.mark.parametrize("address,complete", [
    ("测试市中山路100号", True), ("和平街12号", True), ("人民大道8号政务中心", True), ("建设巷3号", True),
    ("市政务服务中心一楼", False), ("中山路政务中心", False), ("测试市100号", False),
])
def test_address_must_reach_street_and_number(address, complete):
    found = {k: v for k, v in FULL} | {"办理地点": address}
    assert ("办理地点(未精确到街道门牌号)" not in missing_elements(found)) == complete


def test_pages_that_are_not_guides_are_left_alone():
    news = page("<p>会议时间：2026-11-01</p><p>地点：会议室</p><p>联系电话：123</p>", title="工作动态")
    listing = page("<ul><li><a href='g1.html'>食品经营许可办事指南</a></li></ul>", title="办事指南")
    assert list(check_guide(news, CTX)) == [] and list(check_guide(listing, CTX)) == []


def test_menu_link_to_guides_does_not_make_every_page_a_guide_candidate():
    """A 办事指南 link in the menu of every page is not a guide marker: the page is not read for labels (the
    scan did so on every page), while a marker in the title, or enough labels, still is."""
    from xunjian.checks.guides import _may_be_guide

    menu = '<div class="nav"><a href="/bszn/">办事指南</a></div><h1>关于开展安全生产检查的通知</h1><p>正文</p>'
    assert not _may_be_guide(page(menu, title="关于开展安全生产检查的通知"))
    assert _may_be_guide(page(menu + "<p>受理条件：无</p>", title="食品经营许可办事指南"))
    spaced = "".join(f"<tr><td>{'&nbsp;'.join(k)}</td><td>{v}</td></tr>" for k, v in FULL[:6])
    record = page(menu + f"<table>{spaced}</table>", title="食品经营许可")
    assert _may_be_guide(record)  # 受&nbsp;理&nbsp;条&nbsp;件: labels spaced to align the form
    found = list(check_guide(record, CTX))
    assert [f.rule for f in found] == ["SV001"] and "申请条件" in found[0].evidence["present"]
