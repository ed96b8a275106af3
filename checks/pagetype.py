"""Page types: tell a column list page from an article from anything else, and find the lists on a page.

The crawler sets ``homepage`` itself and calls :func:`classify` for every other HTML page before the
extractors and page checks run. :func:`list_blocks` finds the repeated item structures of a page
(``<ul><li><a>标题</a><span>2026-11-03</span></li>…``, table rows, ``<dl>``), which both the
classification and the column extractors use; its result is cached per parsed tree.

Rules of thumb, cheapest first:
- page labels: ``ArticleTitle`` / ``PubDate`` → article; ``ColumnDescription`` / ``ColumnKeywords``
  without them → column;
- a long main text (≥ 500 characters in ``<p>``) with few dated list items → article;
- a list with dated items, or ≥ 5 long undated titles → column;
- a visible ``发布时间：`` label → article;
- an empty list: a placeholder (暂无信息…), an empty container filled by an inline script, or an
  empty ``<ul class="list">`` → column (so that blank columns are found at all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from xunjian.checks.dates import column_rules, item_date, label_date

if TYPE_CHECKING:
    import lxml.html

    from xunjian.checks.base import CheckContext
    from xunjian.records import PageRecord

ClassifiedType = Literal["column", "article", "other"]

_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "article"})  # <article>: HTML5 post lists (WordPress)
_ARTICLE_TEXT = 500
_CACHE: dict[int, tuple[Any, date, list[ListBlock]]] = {}


@dataclass
class ListBlock:
    """One repeated item structure: its container, item count, dated items and their dates."""

    container: Any
    items: int
    dated: int
    dates: list[date] = field(default_factory=list)
    title_chars: int = 0
    in_menu: bool = False
    related: bool = False

    @property
    def newest(self) -> date | None:
        return max(self.dates) if self.dates else None

    @property
    def is_content(self) -> bool:
        """A list of information items (dated, or long undated titles), not a menu."""
        if self.related or (self.in_menu and not self.dated):
            return False
        if self.dated:
            return True
        return self.items >= 3 and self.title_chars / self.items >= 8


@cache
def _menu_re() -> re.Pattern[str]:
    words = "|".join(re.escape(w) for w in column_rules()["menu_classes"])
    return re.compile(f"(?<![a-z])(?:{words})", re.I)


def in_menu(el: Any) -> bool:
    """True when ``el`` sits in a menu, header or footer (by tag, or the ``menu_classes`` words)."""
    pattern = _menu_re()
    for anc in (el, *el.iterancestors()):
        if anc.tag in ("nav", "footer", "header"):
            return True
        marker = f"{anc.get('class') or ''} {anc.get('id') or ''}"
        if marker.strip() and pattern.search(marker):
            return True
    return False


def _item_of(a: Any) -> Any:
    el = a.getparent()
    for _ in range(3):
        if el is None:
            return None
        if el.tag in _ITEM_TAGS:
            return el
        el = el.getparent()
    parent = a.getparent()
    if parent is None or parent.tag in ("body", "html") or parent.find(".//li") is not None:
        return None  # a block holding a whole list (a "更多" link beside its <ul>) is not an item
    return parent


def list_blocks(tree: lxml.html.HtmlElement, as_of: date) -> list[ListBlock]:
    """The repeated item structures of a page (content lists and menus), biggest first."""
    cached = _CACHE.get(id(tree))
    if cached and cached[0] is tree and cached[1] == as_of:
        return cached[2]
    groups: dict[Any, dict[Any, int]] = {}
    for a in tree.iter("a"):
        if not a.get("href"):
            continue
        item = _item_of(a)
        if item is None:
            continue
        container = item.getparent()
        if container is None:
            continue
        items = groups.setdefault(container, {})
        items[item] = items.get(item, 0) + len((a.text_content() or "").strip())
    blocks = []
    for container, items in groups.items():
        dates = [d for d in (item_date(item, as_of) for item in items) if d is not None]
        if len(items) < 2 and not dates:
            continue
        blocks.append(ListBlock(container, len(items), len(dates), dates, sum(items.values()),
                                in_menu(container), _related(container)))
    blocks.sort(key=lambda b: (b.is_content, b.items, b.dated), reverse=True)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(tree)] = (tree, as_of, blocks)
    return blocks


def _related(container: Any) -> bool:
    """True for a 相关推荐 / 相关阅读 block: the heading just before the list (or its box) names it."""
    words = column_rules()["related_words"]
    el = container
    for _ in range(2):
        parent = el.getparent()
        if parent is None:
            return False
        heads = [(sib.text_content() or "")[:40] for sib in (el.getprevious(), parent[0])
                 if sib is not None and sib is not el and isinstance(sib.tag, str)]
        if any(w in h for h in heads for w in words):
            return True
        el = parent
    return False


def is_search_page(page: PageRecord) -> bool:
    """A site-search result page: a search URL and a results wording (title, heading or summary line)."""
    rules = column_rules()
    url = (page.final_url or page.url).lower()
    if not any(m in url for m in rules["search_url_markers"]):
        return False
    head = f"{page.title} {page.html[:200_000]}"
    return any(w in head for w in rules["search_words"])


_ROOT_INDEX = re.compile(r"^/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.I)


def _homepage_alias(url: str, site_url: str) -> bool:
    """``/index.html`` of a site whose homepage is ``/``: the homepage itself, not a column or an article."""
    page, home = urlsplit(url), urlsplit(site_url)
    return page.netloc == home.netloc and home.path in ("", "/") and bool(_ROOT_INDEX.match(page.path)) \
        and not page.query


def main_list(tree: lxml.html.HtmlElement, as_of: date) -> ListBlock | None:
    """The page's main content list (the biggest one that is not a menu), or None."""
    for block in list_blocks(tree, as_of):
        if block.is_content:
            return block
    return None


def _meta_names(tree: lxml.html.HtmlElement) -> set[str]:
    head = tree.find("head")
    if head is None:
        return set()
    return {(m.get("name") or "").strip().lower() for m in head.iter("meta") if m.get("name")}


def _paragraph_chars(tree: lxml.html.HtmlElement) -> int:
    return sum(len(t.strip()) for t in tree.xpath("//p[not(.//a)]//text()[not(ancestor::script)]"))


def placeholder_phrase(tree: lxml.html.HtmlElement, html: str | None = None) -> str | None:
    """The placeholder (暂无信息, 正在建设中...) the page shows outside menus and footers, if any."""
    phrases = [p for p in column_rules()["placeholders"] if html is None or p in html]
    if not phrases:
        return None
    for node in tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")[:3000]:
        found = next((p for p in phrases if p in node), None)
        if found and not in_menu(node.getparent()):
            return found
    return None


def script_fed_container(tree: lxml.html.HtmlElement) -> str | None:
    """The id of an empty list container that an inline script fills (``<ul id="list"></ul>``), if any."""
    empties = [el.get("id") for el in tree.xpath("//body//*[@id][not(*)]")
               if el.tag in ("ul", "ol", "tbody", "table", "div", "dl") and not (el.text or "").strip()]
    if not empties:
        return None
    scripts = " ".join(s.text or "" for s in tree.iter("script") if not s.get("src"))
    for ident in empties:
        if ident and (f"'{ident}'" in scripts or f'"{ident}"' in scripts or f"#{ident}" in scripts):
            return ident
    return None


def empty_list_container(tree: lxml.html.HtmlElement) -> bool:
    """An empty list in the page body (``<ul class="list"></ul>``, a list table without rows, or an empty
    ``<ul>`` beside a placeholder): the page is a list page with nothing in it."""
    for el in tree.xpath("//body//ul[not(li)] | //body//ol[not(li)] | //body//tbody[not(tr)] | //body//table[not(.//tr)]"):
        marker = f"{el.get('class') or ''} {el.get('id') or ''} {(el.getparent().get('class') or '')}".lower()
        if ("list" in marker or "lb" in marker) and not in_menu(el):
            return True
    return False


def classify(page: PageRecord, ctx: CheckContext) -> ClassifiedType:
    """``column``, ``article`` or ``other`` for a non-homepage HTML page (see the module docstring)."""
    tree = page.tree
    if tree is None or is_search_page(page) or _homepage_alias(page.final_url or page.url, ctx.site.url):
        return "other"
    names = _meta_names(tree)
    if "articletitle" in names or names & set(column_rules()["pubdate_metas"]):
        return "article"
    main = main_list(tree, ctx.as_of)
    dated = main.dated if main else 0
    if dated < 8 and _paragraph_chars(tree) >= _ARTICLE_TEXT:
        return "article"
    if "columndescription" in names or "columnkeywords" in names:
        return "column"
    if main is not None and (dated >= 2 or main.items >= 5):
        return "column"
    if label_date(tree)[0] is not None:
        return "article"
    if main is not None and dated >= 1:
        return "column"
    if placeholder_phrase(tree, page.html) or script_fed_container(tree) or empty_list_container(tree):
        return "column"
    return "other"


# ---------------------------------------------------------------- column identity and category

_INDEX_PAGE = re.compile(r"/(?:index|default|list)(?:_\d+)?\.(?:s?html?|php|jsp|aspx?)$", re.I)
_PAGE_PARAMS = frozenset({"page", "pageno", "pageindex", "pagenum", "p", "pn", "curpage", "currentpage",
                          "pagesize"})


def column_key(url: str) -> str:
    """One key for all URLs of a column's list.

    ``/zwdt/``, ``/zwdt/index.html``, ``/zwdt/index_2.html`` and ``?page=2`` variants share a key.
    """
    parts = urlsplit(url)
    path = _INDEX_PAGE.sub("/", parts.path or "/")
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    kept = [q for q in parts.query.split("&") if q and q.split("=", 1)[0].lower() not in _PAGE_PARAMS]
    query = "&".join(kept)
    return f"{(parts.hostname or '').lower()}{path}" + (f"?{query}" if query else "")


def categorize(name: str, meta: dict[str, str] | None = None) -> str:
    """The column category from its name, else from its ColumnName / ColumnType page labels."""
    categories = column_rules()["categories"]
    for text in (name, (meta or {}).get("name", ""), (meta or {}).get("type", "")):
        if not text:
            continue
        for category, spec in categories.items():
            if any(word in text for word in spec.get("keywords") or ()):
                return category
    return "other"
