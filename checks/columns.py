"""Columns (栏目): per-page facts about lists, menus and trails, and column discovery at the end of a scan.

The extractors keep small facts per page (counts and dates, never item lists):
``list`` (homepage and column pages), ``nav`` and ``more_links`` (homepage and column pages),
``breadcrumb`` and ``column_meta`` (column and article pages), ``pagination`` (column pages),
``pubdate`` (article pages) and ``sitemap`` (the site map page). :func:`discover_columns` turns the
facts of a whole scan into the site's columns (:class:`~xunjian.records.ColumnInfo`); the crawler stores
them and assigns ``view.columns`` before the site checks (:mod:`xunjian.checks.freshness`) run.

Discovery needs no configuration: the homepage's menus and "更多" links, the site map page,
breadcrumbs and the list structure of crawled pages. Pagination pages merge into their column (newest
= the newest over its pages). Registry entries (``ctx.site.columns``) override or add.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from xunjian.checks.dates import article_pubdate, column_rules
from xunjian.checks.pagetype import (
    categorize,
    column_key,
    empty_list_container,
    in_menu,
    list_blocks,
    main_list,
    placeholder_phrase,
    script_fed_container,
)
from xunjian.records import ColumnInfo
from xunjian.urls import join

if TYPE_CHECKING:
    import lxml.html

    from xunjian.checks.base import CheckContext
    from xunjian.records import PageRecord, PageSummary, ScanView

_SKIP_EXT = re.compile(r"\.(pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|mp4|wps|txt|xml)$", re.I)
_PAGE_JS = re.compile(r"createPage(?:HTML)?\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,"
                      r"\s*['\"](\w+)['\"]\s*,\s*['\"](\w+)['\"]")
MAX_LINKS = 120


def _lists(rule_key: str) -> tuple[str, ...]:
    return tuple(column_rules()[rule_key])


def _link(page: PageRecord, ctx: CheckContext, a: Any) -> str | None:
    """The absolute URL of a column-like link, or None (external, file, script, anchor, homepage)."""
    href = (a.get("href") or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
        return None
    url = join(page.final_url or page.url, href).split("#", 1)[0]
    parts = urlsplit(url)
    if not url.startswith(("http://", "https://")) or not ctx.site.is_internal(url) or _SKIP_EXT.search(parts.path):
        return None
    if parts.path in ("", "/", "/index.html", "/index.htm", "/index.shtml") and not parts.query:
        return None
    return url


def _text(el: Any) -> str:
    if not isinstance(el.tag, str):  # a comment or a processing instruction has no text content
        return ""
    return " ".join((el.text_content() or "").split())


def extract_list(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``list``: items, dated items, newest date, placeholder, script-fed flag (homepage: all its lists)."""
    if page.page_type not in ("homepage", "column") or page.tree is None:
        return {}
    tree = page.tree
    if page.page_type == "homepage":
        blocks = [b for b in list_blocks(tree, ctx.as_of) if b.is_content]
    else:
        main = main_list(tree, ctx.as_of)
        blocks = [main] if main else []
    items = sum(b.items for b in blocks)
    dates = [d for b in blocks for d in b.dates if d <= ctx.as_of]
    facts = {"items": items, "dated": sum(b.dated for b in blocks),
             "newest": max(dates).isoformat() if dates else None,
             "placeholder": None, "script_fed": False}
    if items == 0:  # blank only with a sign of a list: single-page columns (机构职能, 联系我们) have none
        facts.update(placeholder=placeholder_phrase(tree, page.html), empty_list=empty_list_container(tree),
                     script_fed=script_fed_container(tree) is not None)
    return {"list": facts}


@cache
def _nav_xpath() -> str:
    return ("//nav | //*[contains(@class,'nav') or contains(@id,'nav') or contains(@class,'menu') "
            "or contains(@id,'menu') or contains(@class,'daohang')]")


def extract_nav(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``nav``: menu entries ``{url, text, level}`` (level 1 = top menu, 2 = its sub-menu)."""
    if page.page_type not in ("homepage", "column") or page.tree is None:
        return {}
    ignore = set(_lists("nav_ignore"))
    limit = MAX_LINKS if page.page_type == "homepage" else MAX_LINKS // 3
    containers = [el for el in page.tree.xpath(_nav_xpath()) if "foot" not in (el.get("class") or "").lower()]
    chosen = set(containers)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for box in containers:
        if any(anc in chosen for anc in box.iterancestors()):
            continue  # nested in a menu already read
        for a in box.iter("a"):
            text, url = _text(a), _link(page, ctx, a)
            if not url or url in seen or text in ignore or not 2 <= len(text) <= 16:
                continue
            depth = sum(1 for anc in a.iterancestors() if anc.tag == "li" and _inside(anc, box))
            seen.add(url)
            out.append({"url": url, "text": text, "level": min(max(depth, 1), 3)})
            if len(out) >= limit:
                return {"nav": out}
    return {"nav": out} if out else {}


def _inside(el: Any, box: Any) -> bool:
    return any(anc is box for anc in el.iterancestors())


def extract_more_links(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``more_links``: the "更多" link of each homepage block with the block's heading as name."""
    if page.page_type not in ("homepage", "column") or page.tree is None:
        return {}
    more = set(_lists("more_texts"))
    found: list[tuple[str, Any]] = []
    headings: list[tuple[str, Any]] = []
    for a in page.tree.iter("a"):
        text = _text(a) or (a.get("title") or "").strip()
        if text in more or text.startswith("更多"):
            if url := _link(page, ctx, a):
                found.append((url, a))
        elif 2 <= len(text) <= 12:
            headings.append((text, a))
    if not found:
        return {}
    titled: dict[str, str] = {}  # the block's heading often links to the same column
    for text, a in headings:
        if url := _link(page, ctx, a):
            titled.setdefault(url, text)
    out: list[dict[str, str]] = []
    for url, a in found:
        if all(o["url"] != url for o in out) and len(out) < 60:
            out.append({"url": url, "name": titled.get(url) or _block_heading(a, more)})
    return {"more_links": out} if out else {}


def _block_heading(a: Any, more: set[str]) -> str:
    """The heading of the block a "更多" link belongs to (its siblings' or ancestors' short text)."""
    el = a
    for _ in range(3):
        parent = el.getparent()
        if parent is None:
            break
        for child in parent:
            if child is el or child.tag in ("script", "style", "ul", "ol", "table"):
                continue
            words = [w for w in (_text(child) or "").split() if w not in more and not w.startswith("更多")]
            text = " ".join(words).strip(" >+»")
            if 2 <= len(text) <= 12:
                return text
        el = parent
    return (a.get("title") or "").replace("更多", "").strip()


def extract_breadcrumb(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``breadcrumb``: the trail's links after 首页, as ``{url, text}``."""
    if page.page_type not in ("column", "article") or page.tree is None:
        return {}
    if (box := _breadcrumb_box(page.tree, page.html)) is None:
        return {}
    crumbs = []
    for a in box.iter("a"):
        url, text = _link(page, ctx, a), _text(a)
        if url and text and text not in ("首页", "网站首页", "主页"):
            crumbs.append({"url": url, "text": text[:30]})
    return {"breadcrumb": crumbs[:6]} if crumbs else {}


def _breadcrumb_box(tree: lxml.html.HtmlElement, html: str) -> Any:
    texts = [t for t in _lists("breadcrumb_texts") if t in html]  # a string search first: XPath is slower
    cond = " or ".join(f"contains(., '{t}')" for t in texts)
    for node in tree.xpath(f"//body//text()[{cond}]")[:3] if texts else ():
        el = node.getparent()
        for _ in range(3):
            if el is None:
                break
            if el.find(".//a") is not None:
                return el
            el = el.getparent()
    pattern = _crumb_class_re()
    for el in tree.iter("div", "p", "span", "ul", "ol", "nav", "td"):
        marker = el.get("class") or el.get("id")
        if marker and pattern.search(marker) and el.find(".//a") is not None:
            return el
    return None


@cache
def _crumb_class_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(c) for c in _lists("breadcrumb_classes")), re.I)


def extract_pagination(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``pagination``: next and last page URLs, and the page count when the page states it."""
    if page.page_type != "column" or page.tree is None:
        return {}
    nexts, lasts = set(_lists("next_texts")), set(_lists("last_texts"))
    facts: dict[str, Any] = {}
    for a in page.tree.iter("a"):
        text = _text(a)
        key = "next" if text in nexts else "last" if text in lasts else None
        if key and key not in facts:
            url = _link(page, ctx, a)
            if url:
                facts[key] = url
    for script in page.tree.iter("script"):
        m = _PAGE_JS.search(script.text or "")
        if m:  # TRS-style createPageHTML(total, current, "index", "html")
            total, current, stem, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
            facts["pages"] = total
            if current + 1 < total and "next" not in facts:
                facts["next"] = urljoin(page.final_url or page.url, f"{stem}_{current + 1}.{ext}")
            break
    return {"pagination": facts} if facts else {}


def extract_pubdate(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``pubdate`` of an article (visible 发布时间, else the PubDate label, else htmldate) and its source."""
    if page.page_type != "article" or page.tree is None:
        return {}
    use_library = ctx.options.htmldate and len(page.html) <= 600_000
    value, source, meta = article_pubdate(page.tree, page.html, ctx.as_of, use_library=use_library)
    if value is None:
        return {"pubdate": None}
    facts: dict[str, Any] = {"pubdate": value.isoformat(), "pubdate_source": source}
    if meta and meta != value:
        facts["pubdate_meta"] = meta.isoformat()
    return facts


def extract_column_meta(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``column_meta``: the ColumnName / ColumnType page labels of column and article pages."""
    if page.page_type not in ("column", "article") or page.tree is None:
        return {}
    head = page.tree.find("head")
    if head is None:
        return {}
    found = {}
    for meta in head.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name in ("columnname", "columntype") and (meta.get("content") or "").strip():
            found[name[6:]] = meta.get("content").strip()[:40]
    return {"column_meta": found} if found else {}


def extract_sitemap(page: PageRecord, ctx: CheckContext) -> dict[str, Any]:
    """``sitemap``: on the site map page, its entries ``{url, text, level}`` (headings are level 1)."""
    markers = _lists("sitemap_markers")
    where = f"{page.final_url or page.url} {page.title}".lower()
    if page.page_type == "homepage" or page.tree is None or not any(m.lower() in where for m in markers):
        return {}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    anchors = [a for a in page.tree.iter("a") if not in_menu(a)] or list(page.tree.iter("a"))
    for a in anchors:
        url, text = _link(page, ctx, a), _text(a)
        if not url or url in seen or not 2 <= len(text) <= 20 or text in _lists("nav_ignore"):
            continue
        heading = any(anc.tag in ("h1", "h2", "h3", "h4", "dt", "strong", "b") for anc in a.iterancestors())
        seen.add(url)
        out.append({"url": url, "text": text, "level": 1 if heading else 2})
        if len(out) >= 300:
            break
    if out and not any(o["level"] == 1 for o in out):
        for o in out:
            o["level"] = 1
    return {"sitemap": out} if out else {}


# ---------------------------------------------------------------- discovery (end of scan)

#: Sources in order of trust for a column's name and level; the first one that saw it is ``discovered_by``.
_SOURCES = ("registry", "nav", "sitemap", "more", "breadcrumb", "subnav", "list")


def _candidates(view: ScanView) -> dict[str, dict[str, Any]]:
    """Column candidates by column key: ``{url, names: {source: name}, levels: {source: level}}``."""
    cands: dict[str, dict[str, Any]] = {}

    def add(url: str, name: str, level: int | None, source: str) -> None:
        cand = cands.setdefault(column_key(url), {"url": url, "names": {}, "levels": {}})
        cand["names"].setdefault(source, name)
        if level is not None:
            cand["levels"].setdefault(source, level)

    for page in view.pages:
        facts = page.facts or {}
        own = "nav" if page.page_type == "homepage" else "subnav"
        for entry in facts.get("nav") or ():
            add(entry["url"], entry["text"], entry.get("level", 1) + (own == "subnav"), own)
        for entry in facts.get("more_links") or ():
            add(entry["url"], entry.get("name") or "", 1 if own == "nav" else 2, "more")
        for entry in facts.get("sitemap") or ():
            add(entry["url"], entry["text"], entry.get("level", 1), "sitemap")
        for depth, entry in enumerate(facts.get("breadcrumb") or (), start=1):
            add(entry["url"], entry["text"], depth, "breadcrumb")
        if page.page_type == "column":
            meta = facts.get("column_meta") or {}
            add(page.final_url or page.url, meta.get("name") or page.title, None, "list")
    return cands


@dataclass
class _Group:
    """What discovery keeps of the crawled pages of one column (its list pages), not the pages themselves."""

    title: str = ""  # the first page title
    meta: dict[str, Any] | None = None  # the first column_meta
    items: int = 0
    undated: int = 0
    newest: str | None = None
    rendered: bool = False
    placeholder: str | None = None

    def add(self, page: PageSummary) -> None:
        facts = page.facts or {}
        if not self.title and page.title:
            self.title = page.title.split("_")[0].split("-")[0].strip()
        if self.meta is None and facts.get("column_meta"):
            self.meta = facts["column_meta"]
        lst = facts.get("list") or {}
        self.items += lst.get("items") or 0
        self.undated += (lst.get("items") or 0) - (lst.get("dated") or 0)
        if lst.get("newest") and (self.newest is None or lst["newest"] > self.newest):
            self.newest = lst["newest"]
        self.rendered = self.rendered or page.rendered
        if self.placeholder is None and not lst.get("items"):
            self.placeholder = lst.get("placeholder")

    def fill(self, col: ColumnInfo) -> None:
        """Item counts and newest date of a column over its crawled pages."""
        col.item_count, col.undated_count = self.items, self.undated
        col.rendered, col.placeholder = self.rendered, self.placeholder
        if self.newest:
            col.newest_date = date.fromisoformat(self.newest)


def _page_groups(view: ScanView, keys: set[str]) -> dict[str, _Group]:
    """The pages of each column key in ``keys``; pagination pages (``index_1.html``, ``?page=2``, next/last)
    join their column. Two passes over the stored pages; nothing is kept per page but a pagination alias."""
    alias: dict[str, str] = {}
    for page in view.pages:
        pag = (page.facts or {}).get("pagination") or {}
        for target in (pag.get("next"), pag.get("last")):
            if target:
                alias.setdefault(column_key(target), column_key(page.final_url or page.url))
    groups: dict[str, _Group] = {}
    for page in view.pages:
        key = column_key(page.final_url or page.url)
        for _ in range(20):  # follow next-page chains to the first page
            if key not in alias or alias[key] == key:
                break
            key = alias[key]
        if key in keys:
            groups.setdefault(key, _Group()).add(page)
    return groups


def discover_columns(view: ScanView, ctx: CheckContext) -> list[ColumnInfo]:
    """The site's columns from the scan's page facts, with the registry's entries applied."""
    cands = _candidates(view)
    home = view.homepage
    home_key = column_key(home.final_url or home.url) if home else column_key(ctx.site.url)
    registry = {column_key(e["url"]): e for e in ctx.site.columns if e.get("url")}
    for key, entry in registry.items():
        cand = cands.setdefault(key, {"url": entry["url"], "names": {}, "levels": {}})
        cand["names"]["registry"] = entry.get("name") or ""
        if entry.get("level"):
            cand["levels"]["registry"] = int(entry["level"])
    groups = _page_groups(view, set(cands))
    out = []
    for key, cand in cands.items():
        if key == home_key:
            continue
        group = groups.get(key) or _Group()
        sources = [s for s in _SOURCES if s in cand["names"] or s in cand["levels"]]
        name = next((cand["names"][s] for s in _SOURCES if cand["names"].get(s)), "") or group.title
        name = name or urlsplit(cand["url"]).path
        level = next((cand["levels"][s] for s in _SOURCES if s in cand["levels"]), None)
        meta = group.meta or {}
        found_by = next(s for s in sources if s != "registry") if len(sources) > 1 else sources[0]
        col = ColumnInfo(url=cand["url"], name=name[:200], level=level or _path_level(cand["url"]),
                         discovered_by=found_by)
        col.category = categorize(name, meta or {})
        if key in registry:
            col.category = registry[key].get("category") or col.category
            col.discovered_by = "registry" if found_by == "registry" else f"{found_by}+registry"
        group.fill(col)
        out.append(col)
    out.sort(key=lambda c: (c.level, c.url))
    return out


def _path_level(url: str) -> int:
    parts = [p for p in urlsplit(url).path.split("/") if p and "." not in p]
    return min(max(len(parts), 1), 5)


EXTRACTORS = [extract_list, extract_nav, extract_more_links, extract_breadcrumb, extract_pagination,
              extract_pubdate, extract_column_meta, extract_sitemap]

__all__ = ["EXTRACTORS", "discover_columns"]
