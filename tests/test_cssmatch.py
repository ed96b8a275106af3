"""SC001's style-rule matching skips selectors naming a class or id the page lacks (same elements as
cssselect); SC001 and SC002 share one matching per page (same findings as each alone)."""

from __future__ import annotations

from datetime import date

import lxml.html
from lxml.cssselect import CSSSelector

from conftest import REAL_PAGES
from xunjian.checks.base import CheckContext
from xunjian.checks.security import hidden_link_findings, illicit_findings
from xunjian.checks.cssmatch import _needed, page_names
from xunjian.checks.cssmatch import select as _select
from xunjian.checks.security_hidden import _RULE
from xunjian.records import PageRecord, SiteInfo

HTML = """<html><head><style>.menu a{display:none} #top .x{color:red} a:not(.gone){opacity:0} .gone{color:red}
div.Menu{display:none} [class~=gone] b{font-size:0}</style></head><body><div id="top" class="menu  x\tMenu">
<a class="x" href="/a">a</a><b>b</b></div></body></html>"""


def test_needed_names():
    assert _needed("div.a.b > #c span") == (frozenset({"a", "b"}), frozenset({"c"}))
    assert _needed("a:not(.x)") == (frozenset(), frozenset())       # what :not names is not required
    assert _needed("[class~=x] .y:nth-child(2n+1)") == (frozenset({"y"}), frozenset())
    assert _needed('a[title="(."]') is None and _needed(r".a\:b") is None


def test_select_agrees_with_cssselect_on_a_small_page():
    tree = lxml.html.document_fromstring(HTML)
    names = page_names(tree)
    assert "Menu" in names[0] and "menu" in names[0] and names[1] == {"top"}
    for sel in (".menu a", "#top .x", "a:not(.gone)", ".gone", "div.Menu", "div.menu", ".MENU", "#Top",
                "[class~=gone] b", "#top", "b"):
        assert _select(tree, sel, names) == CSSSelector(sel, translator="html")(tree), sel


def test_select_agrees_with_cssselect_on_the_real_pages():
    checked = skipped = 0
    for path in sorted(REAL_PAGES.rglob("*.htm*")):
        tree = lxml.html.document_fromstring(path.read_bytes())
        names = page_names(tree)
        for style in tree.iter("style"):
            for selectors, _body in _RULE.findall(style.text_content() or ""):
                for sel in (s.strip() for s in selectors.split(",")):
                    try:
                        want = CSSSelector(sel, translator="html")(tree)
                    except Exception:
                        continue
                    assert _select(tree, sel, names) == want, (path.name, sel)
                    checked += 1
                    skipped += not want
    assert checked > 500 and skipped > 100


SPAM = """<html><head><style>.h{display:none} .far{position:absolute;left:-9999px}</style></head><body>
<p>正文。</p><div class="h"><a href="http://bet.example/">百家乐</a></div><div class="far">
<a href="http://a.example/">澳门新葡京娱乐场</a><a href="http://b.example/">六合彩</a>
<a href="http://c.example/">x</a></div>
<a href="http://d.example/">百家乐在线 注册即送</a></body></html>"""


def _record(html: str) -> PageRecord:
    url = "http://127.0.0.1:8000/a.html"
    return PageRecord(url=url, final_url=url, status=200, html=html, content_type="text/html")


def _dicts(findings) -> list[dict]:
    return sorted((f.to_dict() for f in findings), key=repr)


def test_sc001_and_sc002_share_the_style_matching():
    def ctx():
        return CheckContext(SiteInfo("demo", "示例市人民政府", "http://127.0.0.1:8000/"), date(2026, 11, 22))

    alone_sc002 = _dicts(illicit_findings(_record(SPAM), ctx()))
    alone_sc001 = _dicts(hidden_link_findings(_record(SPAM), ctx()))
    page, shared = _record(SPAM), ctx()
    assert _dicts(hidden_link_findings(page, shared)) == alone_sc001 and alone_sc001
    assert "_style_verdicts" in page.__dict__
    assert _dicts(illicit_findings(page, shared)) == alone_sc002 and alone_sc002
