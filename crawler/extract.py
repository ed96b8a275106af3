"""Turn a fetched HTML page into links (LinkRef) and a title: every a/area, img, script, stylesheet
link, iframe/frame target, resolved against ``<base href>``, normalised, and bounded in number."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from xunjian.records import LinkRef
from xunjian.urls import SKIP_SCHEMES, classify_href, normalize

if TYPE_CHECKING:
    import lxml.html

    from xunjian.records import SiteInfo

MAX_LINKS_PER_PAGE = 3000
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""", re.I)
_XPATH = (
    "//a[@href] | //area[@href] | //img[@src] | //script[@src] | //link[@href] | //iframe[@src] | //frame[@src]"
    " | //embed[@src] | //source[@src]"
)


def _kind(tag: str, el: lxml.html.HtmlElement, url: str) -> str | None:
    if tag in ("a", "area"):
        return classify_href(url)
    if tag in ("img", "source"):
        return "image"
    if tag == "script":
        return "script"
    if tag == "link":
        rel = (el.get("rel") or "").lower()
        if "stylesheet" in rel:
            return "stylesheet"
        if "icon" in rel:
            return "image"
        return None
    if tag in ("iframe", "frame", "embed"):
        return "iframe"
    return None


@lru_cache(maxsize=65536)
def resolve(base: str, raw: str, strip_params: frozenset[str] = frozenset()) -> str | None:
    """The normalised absolute http(s) URL of ``raw`` on a page at ``base``, or None (cached: nav and footer
    links repeat on every page of a site)."""
    if not raw or raw.startswith("#") or raw.lower().startswith(SKIP_SCHEMES):
        return None
    try:
        absolute = urljoin(base, raw)
        if urlsplit(absolute).scheme not in ("http", "https"):
            return None
        return normalize(absolute, strip_params)
    except ValueError:
        return None


def _candidates(tree: lxml.html.HtmlElement):  # noqa: ANN202 - generator of (element, tag, raw url)
    for el in tree.xpath(_XPATH):
        tag = el.tag if isinstance(el.tag, str) else ""
        yield el, tag, ((el.get("href") if tag in ("a", "area", "link") else el.get("src")) or "").strip()
    # CSS url(...) in style attributes and <style> blocks: background images, banners
    for el in tree.xpath("//*[@style][contains(@style, 'url(')]"):
        for match in _CSS_URL.finditer(el.get("style", "")):
            yield el, "css", match.group(1).strip()
    for style in tree.xpath("//style"):
        for match in _CSS_URL.finditer(style.text or ""):
            yield style, "css", match.group(1).strip()


def page_title(tree: lxml.html.HtmlElement | None) -> str:
    if tree is None:
        return ""
    title = tree.findtext(".//title") or ""
    return " ".join(title.split())[:500]


def extract_links(
    tree: lxml.html.HtmlElement | None, page_url: str, site: SiteInfo, strip_params: frozenset[str] = frozenset(),
    limit: int = MAX_LINKS_PER_PAGE,
) -> list[LinkRef]:
    """Links of a page in document order, normalised; duplicates of (url, kind) kept once; at most ``limit``
    (the caller records a cut: :func:`xunjian.crawler.bounds.links_beyond`)."""
    if tree is None:
        return []
    base = page_url
    base_el = tree.find(".//base[@href]")
    if base_el is not None:
        base = urljoin(page_url, base_el.get("href", "").strip())
    links: list[LinkRef] = []
    seen: set[tuple[str, str]] = set()
    for el, tag, raw in _candidates(tree):
        url = resolve(base, raw, strip_params)
        if url is None:
            continue
        kind = "image" if tag == "css" else _kind(tag, el, url)
        if kind is None or (url, kind) in seen:
            continue
        seen.add((url, kind))
        if tag in ("img", "source"):
            text = el.get("alt") or el.get("title") or ""
        else:
            text = el.text_content() if tag in ("a", "area") else ""
        links.append(
            LinkRef(url=url, kind=kind, tag=tag, anchor_text=" ".join((text or "").split())[:200],
                    internal=site.is_internal(url), raw=raw[:500])
        )
        if len(links) >= limit:
            break
    return links
