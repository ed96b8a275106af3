"""Publication dates: parse the formats real government sites print, and find an article's date.

Helpers for the column family (``pagetype``, ``columns``, ``freshness``); no rule of its own.

Formats read (with an optional time after them): ``2026-11-03``, ``2026/11/03``, ``2026.11.03``,
``2026年11月3日``, ``2026-11-3``; and without a year ``[11-03]``, ``11-03``, ``11/03``, ``11月03日``,
whose year is inferred from ``as_of`` (the latest such day not after ``as_of``). Never read as a
publication date: an 8-digit number (visit counters), a bare year (copyright lines), or any text that
carries a :data:`not_pubdate_words` word (``今天是2026年11月22日 星期日`` widgets, ``© 2026``, 访客).

Also holds :func:`column_rules`, the ``rules/columns.yaml`` data shared by the column modules.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from xunjian.config import RULES_DIR

if TYPE_CHECKING:
    import lxml.html

_SEP = r"[-/.]"
_FULL = re.compile(
    r"(?<![\d.])((?:19|20)\d{2})\s*"
    r"(?:年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?|" + _SEP + r"(\d{1,2})" + _SEP + r"(\d{1,2}))(?!\d)"
)
_SHORT = re.compile(r"(?<![\d./\-:年])(\d{1,2})\s*(?:月\s*(\d{1,2})\s*日|[-/](\d{1,2}))(?![\d/\-:])")
_BRACKETS = "[]()（）【】〔〕 \t\r\n\xa0\u3000|·"
_TIME_TAIL = re.compile(r"^\s*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_LABEL = re.compile(r"(时间|日期)\s*[:：]?\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LEAD_LABEL = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:时间|日期)\s*[:：]?\s*")
# A date printed over two elements: <b>21</b><span>2024年02月</span> (day + year-month, either order).
_YEAR_MONTH = re.compile(r"^((?:19|20)\d{2})\s*(?:年\s*(\d{1,2})\s*月?|[-/.](\d{1,2}))$")
_DAY = re.compile(r"^(\d{1,2})\s*日?$")


@cache
def column_rules() -> dict[str, Any]:
    """The data of ``rules/columns.yaml`` (categories, cycles, placeholders, widget words...)."""
    with open(RULES_DIR / "columns.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def _not_pubdate_re() -> re.Pattern[str]:
    words = column_rules()["not_pubdate_words"]
    return re.compile("|".join(re.escape(w) for w in words))


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def infer_year(month: int, day: int, as_of: date) -> date | None:
    """The date ``month-day`` in the latest year that does not put it after ``as_of`` (1 day of slack)."""
    this = _make(as_of.year, month, day)
    if this is None and (month, day) == (2, 29):
        this = _make(as_of.year - 1, 2, 28)  # leap day of an earlier year: close enough for freshness
    if this is None:
        return None
    if this > as_of + timedelta(days=1):
        return _make(as_of.year - 1, month, day) or this.replace(year=as_of.year - 1, day=28)
    return this


def is_widget_text(text: str) -> bool:
    """True when ``text`` is a date widget, copyright line or counter (never a publication date)."""
    return bool(_not_pubdate_re().search(text))


def find_dates(text: str, as_of: date | None = None) -> list[date]:
    """Every full date in ``text`` (and year-less ones when ``as_of`` is given), in order."""
    found: list[tuple[int, date]] = []
    for m in _FULL.finditer(text):
        y = int(m.group(1))
        mo, d = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        value = _make(y, int(mo), int(d))
        if value:
            found.append((m.start(), value))
    if as_of is not None:
        masked = _FULL.sub(lambda m: "#" * len(m.group(0)), text)
        for m in _SHORT.finditer(masked):
            day = m.group(2) or m.group(3)
            value = infer_year(int(m.group(1)), int(day), as_of) if int(m.group(1)) <= 12 else None
            if value:
                found.append((m.start(), value))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


def parse_date(text: str, as_of: date | None = None) -> date | None:
    """The date when ``text`` is just a date (brackets, a 发布时间 label and a time allowed), else None.

    ``as_of`` lets year-less forms (``[11-03]``) through, with the year inferred.
    """
    s = text.strip(_BRACKETS)
    if not s or len(s) > 40 or is_widget_text(s):
        return None
    s = _LEAD_LABEL.sub("", s, count=1)
    s = s.strip(_BRACKETS + ":：")
    for pattern in (_FULL, _SHORT) if as_of else (_FULL,):
        m = pattern.match(s)
        if m and _TIME_TAIL.match(s[m.end():].strip(_BRACKETS)):
            dates = find_dates(m.group(0), as_of)
            return dates[0] if dates else None
    return None


def parse_meta_date(value: str) -> date | None:
    """A page label's date (``2022-04-17 14:46:00``, ``2026/02/11 09:30``, ``2007-08-20-23:59:59``)."""
    return _leading_date(value.strip())


def item_date(item: lxml.html.HtmlElement, as_of: date) -> date | None:
    """The publication date of one list item (``<li><a>标题</a><span>2026-11-03</span></li>``).

    A text node that is only a date wins (the usual ``<span>`` beside the title); otherwise the last
    date in the item's text. Items that read like a widget or copyright line have no date.
    """
    chunks = [t for t in item.itertext() if t and t.strip()]
    if not chunks:
        return None
    whole = "".join(chunks)
    if len(whole) > 400 or is_widget_text(whole):
        return None
    for chunk in reversed(chunks):
        value = parse_date(chunk, as_of)
        if value:
            return value
    if not any(ch.isdigit() for ch in whole):
        return None
    split = _split_date([c.strip(_BRACKETS) for c in chunks])
    if split:
        return split
    dates = find_dates(whole)  # a full date inside the title text ("…2026年11月3日…")
    return dates[-1] if dates else None


def _split_date(chunks: list[str]) -> date | None:
    """The date of a day and a year-month printed in adjacent elements (``21`` + ``2024年02月``), if any."""
    for first, second in zip(chunks, chunks[1:]):
        for day, ym in ((first, second), (second, first)):
            d, m = _DAY.match(day), _YEAR_MONTH.match(ym)
            if d and m:
                value = _make(int(m.group(1)), int(m.group(2) or m.group(3)), int(d.group(1)))
                if value:
                    return value
    return None


def label_date(tree: lxml.html.HtmlElement) -> tuple[date | None, str]:
    """The visible ``发布时间：…`` / ``发布日期：…`` date of an article page, with its label."""
    prefixes = tuple(column_rules()["date_label_prefixes"])
    best: tuple[int, date, str] | None = None
    for node in tree.xpath("//body//text()[contains(., '时间') or contains(., '日期')]")[:60]:
        parent = node.getparent()
        if parent is None or parent.tag in ("script", "style", "option", "textarea"):
            continue
        for m in _LABEL.finditer(node):
            before = node[: m.start()].rstrip()
            prefix = next((p for p in prefixes if before.endswith(p)), None)
            if prefix is None and before and _CJK.match(before[-1]):
                continue  # 成文日期, 留言时间, 生成日期...: not a publication date
            rank = 0 if prefix in ("发布", "发稿", "发表") else 1 if prefix is None else 2
            if best is not None and rank >= best[0]:
                continue
            value = _date_after(node, m.end(), parent)
            if value:
                best = (rank, value, (prefix or "") + m.group(1))
    return (best[1], best[2]) if best else (None, "")


def _date_after(node: Any, offset: int, parent: lxml.html.HtmlElement) -> date | None:
    """The full date right after a label: in the same text node, or in the text of the next elements."""
    tail = str(node)[offset:].strip()
    if tail:
        return _leading_date(tail)
    label = str(node)[:offset]
    el: Any = parent
    for _ in range(3):  # <span>发布日期：</span><span>2026-11-03</span>: look one or two levels up
        text = "".join(el.itertext())
        pos = text.find(label)
        after = text[pos + len(label):].strip() if pos >= 0 else ""
        if after:
            return _leading_date(after[:40])
        el = el.getparent()
        if el is None:
            return None
    return None


def _leading_date(text: str) -> date | None:
    m = _FULL.match(text)
    if not m:
        return None
    dates = find_dates(m.group(0))
    return dates[0] if dates else None


def meta_date(tree: lxml.html.HtmlElement) -> tuple[date | None, str]:
    """The publication date from the page labels (``<meta name="PubDate">`` and kin), with its name."""
    wanted = column_rules()["pubdate_metas"]
    head = tree.find("head")
    metas: dict[str, str] = {}
    for meta in (head if head is not None else tree).iter("meta"):
        name = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if name in wanted and name not in metas:
            metas[name] = meta.get("content") or ""
    for name in wanted:
        value = parse_meta_date(metas.get(name, ""))
        if value:
            return value, name
    return None, ""


def library_date(html: str, as_of: date, tree: lxml.html.HtmlElement | None = None) -> date | None:
    """htmldate's guess (original publication date, never after ``as_of``); the last resort.

    htmldate falls back on copyright years (``© 1997-2026`` becomes 1997-01-01 or 2026-01-01) and on dates
    in image paths; its guess is kept only when that very day is printed as a full date in the page's text,
    so a page whose text prints no full date is not given to htmldate at all (its first extensive search
    costs seconds: dateparser compiles every language's patterns).
    """
    from datetime import datetime

    printed = None
    if tree is not None:
        nodes = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
        text = " ".join(nodes)[:300_000]
        printed = find_dates(text)
        if not printed:
            return None
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=True, original_date=True,
                          max_date=datetime(as_of.year, as_of.month, as_of.day, 23, 59))
    except Exception:  # the library raises on odd markup; no date then
        return None
    value = date.fromisoformat(found) if found else None
    if value is None or printed is None:
        return value
    return value if value in printed else None


def article_pubdate(tree: lxml.html.HtmlElement, html: str, as_of: date,
                    use_library: bool = True) -> tuple[date | None, str, date | None]:
    """(date, source, meta date) of an article: the visible labelled date first, then PubDate, then htmldate.

    ``source`` is ``label:发布日期``, ``meta:pubdate`` or ``htmldate``; the third value is the PubDate
    page label's date (for cross-checks), whatever won.
    """
    meta, meta_name = meta_date(tree)
    value, label = label_date(tree)
    if value and value <= as_of + timedelta(days=1):
        return value, f"label:{label}", meta
    if meta:
        return meta, f"meta:{meta_name}", meta
    if use_library:
        lib = library_date(html, as_of, tree)
        if lib:
            return lib, "htmldate", None
    return None, "", None
