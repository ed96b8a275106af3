"""SC001's style-rule matching skips selectors naming a class or id the page lacks: same elements as cssselect."""

from __future__ import annotations

import lxml.html
from lxml.cssselect import CSSSelector

from conftest import REAL_PAGES
from xunjian.checks.security_hidden import _RULE, _needed, _select, page_names

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
