"""Text extraction for the text checks: title, visible main text, template blocks, attachment names.

The template (header, navigation, footer, menus) repeats on every page of a site, so it is returned as
separate :class:`Segment` objects with a stable hash: the text checks check each template block once per
scan and report its errors once per site. Invisible markup (script, style, ``display:none`` inline,
``hidden``) is not visible text and is left to the hidden-link check.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from xunjian.records import PageRecord

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "object", "iframe",
                       "select"})
TEMPLATE_TAGS = frozenset({"header", "nav", "footer"})
BLOCK_TAGS = frozenset({
    "p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "br", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "header", "footer", "nav", "aside", "dd", "dt", "dl", "form", "option", "hr",
})
_TEMPLATE_ATTR = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|menu|header|head|top|topbar|footer|foot|bottom|copyright|banner|daohang|dh|"
    r"sitemap|breadcrumb|crumbs?|position|location|dqwz|wzdt)(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TITLE_SEP = re.compile(r"\s*[_|｜\-–—]+\s*")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPACE = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
#: Zero-width characters: spam hides keywords from filters by putting them between characters (澳\u200b门).
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of page text: ``kind`` is title, main, template or attachment; ``block`` hashes a template."""

    kind: str
    text: str
    block: str = ""


def _norm(text: str) -> str:
    text = _ZERO_WIDTH.sub("", text)
    return "\n".join(line for line in (_SPACE.sub(" ", x).strip() for x in text.split("\n")) if line)


def meta_text(page: PageRecord) -> str:
    """The page's ``keywords`` and ``description`` metas: not visible, but a favourite target of spam."""
    tree = page.tree
    if tree is None:
        return ""
    parts = [m.get("content") or "" for m in tree.iter("meta")
             if (m.get("name") or "").lower() in ("keywords", "description")]
    return _norm("\n".join(parts))


def _block_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def is_hidden_inline(el) -> bool:
    """The element hides itself by an inline style or the ``hidden`` attribute."""
    return el.get("hidden") is not None or bool(_HIDDEN_STYLE.search(el.get("style") or ""))


def is_template(el) -> bool:
    if el.tag in TEMPLATE_TAGS:
        return True
    attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
    return bool(attrs.strip()) and bool(_TEMPLATE_ATTR.search(attrs))


def _walk(el, out: list[str], blocks: list[str], in_template: bool) -> None:
    if el.text:
        out.append(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag and tag not in SKIP_TAGS and not is_hidden_inline(child):
            if not in_template and is_template(child):
                sub: list[str] = []
                _walk(child, sub, blocks, True)
                blocks.append("".join(sub))
            else:
                _walk(child, out, blocks, in_template)
            if tag in BLOCK_TAGS:
                out.append("\n")
        if child.tail:
            out.append(child.tail)


def page_title(page: PageRecord) -> str:
    if page.title:
        return page.title.strip()
    tree = page.tree
    if tree is None:
        return ""
    found = tree.find(".//title")
    return (found.text_content() if found is not None else "").strip()


def _title_segments(title: str, site_name: str) -> list[Segment]:
    """The article part of a title is page text; the site-name part repeats on every page (template)."""
    segs = []
    for part in _TITLE_SEP.split(title):
        part = part.strip()
        if not part:
            continue
        if site_name and (site_name in part or part in site_name):
            segs.append(Segment("template", part, _block_hash("title:" + part)))
        else:
            segs.append(Segment("title", part))
    return segs


def _attachment_segments(page: PageRecord) -> list[Segment]:
    segs = []
    for link in page.links:
        if link.kind == "attachment":
            name = unquote(urlsplit(link.url).path.rsplit("/", 1)[-1])
            if _CJK.search(name):
                segs.append(Segment("attachment", _norm(name)))
    return segs


def extract_segments(page: PageRecord, site_name: str = "") -> list[Segment]:
    """Title parts, visible main text, each template block, and attachment file names of one page."""
    segs = _title_segments(page_title(page), site_name)
    tree = page.tree
    if tree is not None:
        body = tree.find("body")
        root = body if body is not None else tree
        out: list[str] = []
        blocks: list[str] = []
        try:
            _walk(root, out, blocks, False)
        except RecursionError:  # absurdly deep markup: fall back to all text, no template split
            out, blocks = [root.text_content()], []
        main = _norm("".join(out))
        if main:
            segs.append(Segment("main", main))
        for block in blocks:
            text = _norm(block)
            if text:
                segs.append(Segment("template", text, _block_hash(text)))
    segs.extend(_attachment_segments(page))
    return segs
