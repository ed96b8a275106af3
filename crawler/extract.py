"""Turn a fetched HTML page into links (LinkRef) and a title: every resource a browser would load or a
visitor could follow (a/area, img and srcset candidates, picture/video/audio sources, script, stylesheet,
icon, iframe/frame/embed/object, video poster, track, input type=image, meta refresh, the legacy
``background`` of body/table/tr/td/th, CSS url() and @import), resolved against ``<base href>`` as a browser
resolves it (a backslash is a slash in an http(s) path; only C0 controls and space are stripped), normalised,
and bounded in number.

Not extracted: ``mailto:``/``tel:``/``javascript:``/``data:`` and other non-web schemes, fragments of the
page itself, and ``<link rel=stylesheet disabled>`` (a disabled style sheet is never loaded). An href whose
host is empty (``//////``, ``http://``) is kept as ``http:///`` so that it is reported as an invalid link.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from xunjian.records import LinkRef
from xunjian.urls import C0_SPACE, SKIP_SCHEMES, classify_href, normalize

if TYPE_CHECKING:
    import lxml.html

    from xunjian.records import SiteInfo

MAX_LINKS_PER_PAGE = 3000
INVALID_URL = "http:///"  # the target of an href with an empty host: invalid, reported broken
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^'")\s]+))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_REFRESH = re.compile(r"""^\s*\d*(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?['"]?([^'"\s][^'"]*?)['"]?\s*$""", re.I)
_SPECIAL_OR_RELATIVE = re.compile(r"^(?:https?:|[^:/\\?#]*(?:[/\\?#]|$))", re.I)  # no scheme, or http(s)
_SPECIAL = re.compile(r"^(?:(https?):)?[/\\]{2,}(.*)$", re.I | re.S)
#: (xpath, attribute) of every element that loads or links a URL, in document order by xpath union.
_XPATH = (
    "//a[@href] | //area[@href] | //img[@src] | //img[@srcset] | //img[@data-src] | //img[@data-original]"
    " | //script[@src] | //link[@href]"
    " | //iframe[@src] | //frame[@src] | //embed[@src] | //source[@src] | //source[@srcset] | //object[@data]"
    " | //video[@poster] | //video[@src] | //audio[@src] | //track[@src] | //input[@src]"
    " | //meta[@content][translate(@http-equiv, 'REFSH', 'refsh')='refresh']"
    " | //body[@background] | //table[@background] | //tr[@background] | //td[@background] | //th[@background]"
)
#: Tags whose legacy ``background`` attribute browsers still load as a background image (old table layouts).
_BACKGROUND_TAGS = ("body", "table", "tr", "td", "th")
_MEDIA_TAGS = ("video", "audio", "track")
LAZY_ATTRS = ("data-src", "data-original")


def srcset_urls(value: str) -> list[str]:
    """Every candidate URL of a ``srcset`` (HTML's parsing rules: URL, then an optional descriptor; a
    comma ends a candidate unless it is part of the URL, as in ``data:`` URLs or ``a,b.jpg 2x``)."""
    urls, pos, n = [], 0, len(value)
    while pos < n:
        while pos < n and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < n and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptor, up to the next comma outside parentheses
            depth = 0
            while pos < n and (value[pos] != "," or depth):
                depth += {"(": 1, ")": -1}.get(value[pos], 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


def css_urls(text: str) -> list[tuple[str, str]]:
    """(kind, URL) of a style sheet or style attribute: ``url(...)`` (an image, or a style sheet when it is
    imported or ends in .css) and ``@import "..."`` (a style sheet), in source order, comments ignored."""
    text = _CSS_COMMENT.sub("", text or "")
    found = []
    for m in _CSS_URL.finditer(text):
        url = next(g for g in m.groups() if g is not None).strip()
        imported = text[max(0, m.start() - 12):m.start()].rstrip().lower().endswith("@import")
        sheet = imported or urlsplit(url).path.lower().endswith(".css")
        found.append((m.start(), "stylesheet" if sheet else "image", url))
    for m in _CSS_IMPORT.finditer(text):
        found.append((m.start(), "stylesheet", (m.group(1) if m.group(1) is not None else m.group(2)).strip()))
    return [(kind, url) for _, kind, url in sorted(found) if url]


def _kind(tag: str, el: lxml.html.HtmlElement, url: str) -> str | None:
    if tag in ("a", "area", "meta"):
        return classify_href(url)
    if tag in ("img", "input", "poster", *_BACKGROUND_TAGS):
        return "image"
    if tag == "source":  # <picture><source srcset>: an image; <video>/<audio><source src>: a media file
        parent = el.getparent()
        return "image" if el.get("srcset") or (parent is not None and parent.tag == "picture") else "attachment"
    if tag in _MEDIA_TAGS:
        return "attachment"
    if tag == "script":
        return "script"
    if tag == "link":
        rel = (el.get("rel") or "").lower().split()
        if "stylesheet" in rel:
            return None if el.get("disabled") is not None else "stylesheet"  # a disabled sheet is never loaded
        if "icon" in rel or "apple-touch-icon" in rel:
            return "image"
        return None
    if tag in ("iframe", "frame", "embed", "object"):
        return "iframe"
    return None


def _empty_host(base: str, raw: str) -> bool | str:
    """Resolve ``//host`` forms as browsers do: any number of slashes (or backslashes) before the host.

    Returns True for an empty host (invalid), an absolute URL for the slash forms, False otherwise."""
    match = _SPECIAL.match(raw)
    if not match:
        return False
    scheme = (match.group(1) or urlsplit(base).scheme).lower()
    rest = match.group(2)
    if not rest or rest[0] in "/\\?#":
        return True
    return f"{scheme}://{rest}"


_ABSOLUTE = re.compile(r"https?://[^/\\\s]", re.I)


def resolve(base: str, raw: str, strip_params: frozenset[str] = frozenset()) -> str | None:
    """The normalised absolute http(s) URL of ``raw`` on a page at ``base``, :data:`INVALID_URL` for an href
    whose host is empty, or None for what is not a web link.

    Cached by what the answer depends on: an absolute URL alone, a root-relative path (``/a/b.html``) with the
    base's scheme and host, anything else with the whole base. So the site's menu and footer links, the same on
    every page, are resolved once per site, and the cache holds no per-page keys for them."""
    if raw[:1] == "/" and raw[1:2] not in ("/", "\\") and base.startswith(("http://", "https://")):
        base = "/".join(base.split("/", 3)[:3]) + "/"  # urljoin keeps only the scheme and host of the base
    elif _ABSOLUTE.match(raw):
        base = ""
    return _resolve(base, raw, strip_params)


@lru_cache(maxsize=16384)
def _resolve(base: str, raw: str, strip_params: frozenset[str]) -> str | None:
    if "\t" in raw or "\n" in raw or "\r" in raw:  # browsers drop tabs and newlines inside a URL (WHATWG URL)
        raw = raw.replace("\t", "").replace("\n", "").replace("\r", "")
    if not raw or raw.startswith("#") or raw.lower().startswith(SKIP_SCHEMES):
        return None
    if "\\" in raw and _SPECIAL_OR_RELATIVE.match(raw):  # http(s) URLs: a backslash before ? or # is a slash
        cut = min((i for i in (raw.find("?"), raw.find("#")) if i >= 0), default=len(raw))
        raw = raw[:cut].replace("\\", "/") + raw[cut:]
    slashes = _empty_host(base, raw)
    if slashes is True:
        return INVALID_URL
    try:
        absolute = slashes or urljoin(base, raw)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https"):
            return None
        if not parts.hostname:
            return INVALID_URL
        return normalize(absolute, strip_params)
    except ValueError:
        return INVALID_URL if raw.lower().startswith(("http:", "https:", "//")) else None


def _raw_urls(el: lxml.html.HtmlElement, tag: str) -> list[tuple[str, str]]:
    """(tag, raw URL) pairs of one element (a video gives its src and, as ``poster``, its poster image)."""
    if tag in ("a", "area", "link"):
        return [(tag, el.get("href") or "")]
    if tag == "object":
        return [(tag, el.get("data") or "")]
    if tag in _BACKGROUND_TAGS:
        return [(tag, el.get("background") or "")]
    if tag == "meta":
        match = _REFRESH.match(el.get("content") or "")
        return [(tag, match.group(1))] if match else []
    if tag == "input":
        return [(tag, el.get("src") or "")] if (el.get("type") or "").lower() == "image" else []
    urls = [(tag, el.get("src") or "")] if el.get("src") else []
    if tag == "img":  # lazy loading: the script puts data-src / data-original in place of a placeholder src
        urls.extend((tag, el.get(a) or "") for a in LAZY_ATTRS if el.get(a))
    if tag == "video" and el.get("poster"):
        urls.append(("poster", el.get("poster") or ""))
    if tag in ("img", "source") and el.get("srcset"):
        urls.extend((tag, url) for url in srcset_urls(el.get("srcset") or ""))
    return urls


def _candidates(tree: lxml.html.HtmlElement):  # noqa: ANN202 - generator of (element, tag, raw url, kind)
    for el in tree.xpath(_XPATH):
        for tag, raw in _raw_urls(el, el.tag if isinstance(el.tag, str) else ""):
            yield el, tag, raw.strip(C0_SPACE), None
    # CSS url(...) and @import in style attributes and <style> blocks: background images, banners, sheets
    for el in tree.xpath("//*[@style][contains(@style, 'url(')]"):
        for kind, url in css_urls(el.get("style", "")):
            yield el, "css", url, kind
    for style in tree.xpath("//style"):
        for kind, url in css_urls(style.text_content() or ""):
            yield style, "css", url, kind


def stylesheet_links(
    text: str, sheet_url: str, site: SiteInfo, strip_params: frozenset[str] = frozenset()
) -> list[LinkRef]:
    """The links of a fetched style sheet (``@import`` and ``url()``), resolved against the sheet's own URL."""
    links: list[LinkRef] = []
    seen: set[tuple[str, str]] = set()
    for kind, raw in css_urls(text):
        url = resolve(sheet_url, raw, strip_params)
        if url is None or (url, kind) in seen:
            continue
        seen.add((url, kind))
        links.append(LinkRef(url=url, kind=kind, tag="css", internal=site.is_internal(url), raw=raw[:500]))
        if len(links) >= MAX_LINKS_PER_PAGE:
            break
    return links


def page_title(tree: lxml.html.HtmlElement | None) -> str:
    if tree is None:
        return ""
    title = tree.findtext(".//title") or ""
    return " ".join(title.split())[:500]


def _link_text(el: lxml.html.HtmlElement, tag: str) -> str:
    if tag in ("img", "source", "input"):
        return el.get("alt") or el.get("title") or ""
    return el.text_content() if tag in ("a", "area") else ""


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
    for el, tag, raw, css_kind in _candidates(tree):
        url = resolve(base, raw, strip_params)
        if url is None:
            continue
        kind = css_kind or _kind(tag, el, url)
        if kind is None or (url, kind) in seen:
            continue
        seen.add((url, kind))
        links.append(
            LinkRef(url=url, kind=kind, tag=tag, anchor_text=" ".join((_link_text(el, tag) or "").split())[:200],
                    internal=url == INVALID_URL or site.is_internal(url), raw=raw[:500])  # no host: the site's own
        )
        if len(links) >= limit:
            break
    return links
