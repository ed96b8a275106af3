"""Service guides (办事指南): SV001 guide-missing-elements, one finding per guide page listing what it lacks.

The ten key element categories of the 2019 indicators (``rules/guides.yaml``: 事项名称, 设定依据, 申请条件,
申请材料, 办理流程, 办理时限, 收费标准, 办理地点, 咨询电话, 办理时间), each under any of its usual labels
(受理条件, 法定依据, 收费依据及标准, 办理地址, 联系电话...). Labels are read from the layouts guides use:
table rows (``<th>``/``<td>`` label then value), definition lists (``<dt>``/``<dd>``), ``标签：值`` text and
headings followed by a block ("一、设定依据" then a paragraph). A label whose value is empty counts as
missing; 办理地点 must give a street and door number (…路12号), else it is reported as incomplete.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from xunjian.checks import finding
from xunjian.checks.pagetype import in_menu
from xunjian.config import RULES_DIR

if TYPE_CHECKING:
    from collections.abc import Iterator

    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import PageRecord

_NUMBERING = re.compile(r"^[\s（(]*(?:[一二三四五六七八九十]+|\d+)[)）]?[、.．:：\s]*")
_SPACES = re.compile(r"[\s\u3000\xa0]+")
_LABEL_GAPS = re.compile(r"[\s\u3000\xa0]+|&(?:nbsp|ensp|emsp|#160|#12288|#x3000|#xa0);", re.I)
_COLON = re.compile(r"^(.{1,12}?)\s*[:：]\s*(.*)$", re.DOTALL)
_BLOCKS = ("p", "li", "div", "span", "h2", "h3", "h4", "h5", "strong", "b", "label")
ADDRESS_INCOMPLETE = "未精确到街道门牌号"


@cache
def guide_rules() -> dict[str, Any]:
    with open(RULES_DIR / "guides.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _label_index() -> dict[str, str]:
    """Every label (normalised) -> its element."""
    return {_norm(label): element for element, labels in guide_rules()["elements"].items() for label in labels}


def _norm(text: str) -> str:
    text = _SPACES.sub("", text or "")
    text = _NUMBERING.sub("", text)
    return text.strip("*＊:：【】[]")


def _text(el: Any) -> str:
    return " ".join((el.text_content() or "").split())


def _element_of(label_text: str) -> str | None:
    norm = _norm(label_text)
    return _label_index().get(norm) if 1 <= len(norm) <= 12 else None


def _pairs_table(tree: Any) -> Iterator[tuple[str, str]]:
    for tr in tree.iter("tr"):
        if in_menu(tr):
            continue
        cells = [c for c in tr if c.tag in ("th", "td")]
        for i, cell in enumerate(cells[:-1]):
            element = _element_of(_text(cell))
            if element:
                yield element, _text(cells[i + 1])
        if len(cells) == 1:  # a label row above a value row
            element = _element_of(_text(cells[0]))
            nxt = tr.getnext()
            if element and nxt is not None and nxt.tag == "tr":
                yield element, _text(nxt)


def _pairs_dl(tree: Any) -> Iterator[tuple[str, str]]:
    for dt in tree.iter("dt"):
        element = _element_of(_text(dt))
        dd = dt.getnext()
        if element and not in_menu(dt):
            yield element, _text(dd) if dd is not None and dd.tag == "dd" else ""


def _pairs_text(tree: Any) -> Iterator[tuple[str, str]]:
    """``标签：值`` in one block, and a heading-like block that is only a label, valued by its next sibling."""
    body = tree.find("body")
    for el in (body if body is not None else tree).iter(*_BLOCKS):
        if el.getparent() is not None and el.getparent().tag in ("th", "td", "dt", "dd"):
            continue
        text = _text(el)
        if not text or len(text) > 2000 or in_menu(el):
            continue
        nested = any(child.tag in ("p", "div", "li", "table", "ul", "dl", "tr") for child in el)
        m = None if nested else _COLON.match(text)
        if m and (element := _element_of(m.group(1))):
            yield element, m.group(2).strip()
            continue
        element = None if nested else _element_of(text)
        if element and len(el) == 0:
            nxt = el.getnext()
            yield element, _text(nxt) if nxt is not None else (el.tail or "").strip()


def guide_elements(tree: Any) -> dict[str, str]:
    """Element -> its (first non-empty) value on the page; elements not labelled are absent."""
    empties = set(guide_rules()["empty_values"])
    found: dict[str, str] = {}
    for source in (_pairs_table, _pairs_dl, _pairs_text):
        for element, value in source(tree):
            value = value.strip()
            if value.strip("：: ") in empties:
                found.setdefault(element, "")
            elif not found.get(element):
                found[element] = value[:200]
    return found


@cache
def _labels_re() -> re.Pattern[str]:
    labels = sorted({label for labels in guide_rules()["elements"].values() for label in labels}, key=len, reverse=True)
    return re.compile("|".join(re.escape(label) for label in labels))


def _may_be_guide(page: PageRecord) -> bool:
    """A cheap test before reading the labels: labels of enough different elements in the HTML, or a guide
    marker where :func:`is_guide` looks for one (title, heading, breadcrumb). A marker elsewhere, such as a
    办事指南 link in the menu of every page, does not make a page a guide without enough labels; on such a page
    the labels are counted with the spaces and ``&nbsp;`` that align a form's labels (办&nbsp;理&nbsp;时&nbsp;限)
    taken out."""
    html = page.html[:400_000]
    if any(m in html for m in guide_rules()["markers"]):
        return _marked(page) or _label_elements(_LABEL_GAPS.sub("", html)) >= int(guide_rules()["min_labels"])
    return _label_elements(html) >= int(guide_rules()["min_labels"])


def _label_elements(html: str) -> int:
    """How many different elements the labels in ``html`` name."""
    index = _label_index()
    return len({index.get(m.group(0)) for m in _labels_re().finditer(html)} - {None})


def _marked(page: PageRecord) -> bool:
    """A guide marker in the page's title, first heading or breadcrumb."""
    tree = page.tree
    h1 = tree.find(".//h1") if tree is not None else None
    where = f"{page.title} {_text(h1) if h1 is not None else ''}"
    crumbs = " ".join(_text(el) for el in tree.xpath("//*[contains(@class,'crumb') or contains(@class,'position')"
                                                      " or contains(@class,'location')]")[:2]) if tree is not None else ""
    return any(m in where or m in crumbs for m in guide_rules()["markers"])


def is_guide(page: PageRecord, labels: int) -> bool:
    if _marked(page):
        return labels >= 2  # a guide column's list page names the markers too, but carries no labels
    return labels >= int(guide_rules()["min_labels"])


def missing_elements(found: dict[str, str]) -> list[str]:
    """The required elements a guide lacks (an address without street and number is listed as incomplete)."""
    rules = guide_rules()
    missing = [e for e in rules["elements"] if not found.get(e)]
    address = rules["address_element"]
    if found.get(address) and not re.search(rules["address_pattern"], found[address]):
        missing.append(f"{address}({ADDRESS_INCOMPLETE})")
    return missing


def check_guide(page: PageRecord, ctx: CheckContext) -> Iterator[Finding]:
    """SV001: one finding per guide page naming its missing elements."""
    if page.page_type == "homepage" or page.tree is None or not _may_be_guide(page):
        return
    found = guide_elements(page.tree)
    if not is_guide(page, len(found)):
        return
    missing = missing_elements(found)
    if not missing:
        return
    name = found.get("事项名称") or page.title or page.url
    yield finding(
        "SV001", f"办事指南“{name[:60]}”缺少要素: {'、'.join(missing)}", page=page.final_url or page.url,
        evidence={"guide": name[:100], "missing": missing, "present": sorted(e for e, v in found.items() if v),
                  "address": found.get(str(guide_rules()["address_element"])) or ""},
        key="guide",
    )


PAGE_CHECKS = [check_guide]

__all__ = ["PAGE_CHECKS", "check_guide", "guide_elements", "missing_elements"]
