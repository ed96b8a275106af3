"""Plain data passed from the crawler to the checks (see the architecture sketch).

A :class:`PageRecord` is what the crawler knows of one fetched page; a :class:`LinkRef` is one link
found on it; a :class:`LinkResult` is the verdict on one unique link target in one scan;
:class:`SiteInfo` is the registered site as the checks see it. None of these touch the network or
the database, so checks can run on fixture pages and on stored data alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

    import lxml.html

# libxml2 (2.14) stops at an early "</html>" or "</body>"; pages assembled from server-side includes often
# close the document right after the header, so those tags are dropped before parsing.
_CLOSING_TAGS = re.compile(r"</(?:html|body)\s*>", re.I)

LinkKind = Literal["page", "image", "attachment", "script", "stylesheet", "iframe"]
PageType = Literal["homepage", "column", "article", "other"]
Outcome = Literal["ok", "broken", "wrong", "blocked", "private", "skipped"]


@lru_cache(maxsize=8192)  # URLs repeat within a page and across menus; 65,536 held ~15 MB of one-off URLs
def site_key(url: str) -> str:
    """``host`` or ``host:port`` (non-default port): http and https of one host are one site."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{host}:{port}" if port not in (None, 80, 443) else host


@dataclass(frozen=True)
class SiteInfo:
    """A registered site as checks see it."""

    id: str
    name: str
    url: str
    kind: str = "portal"
    site_code: str | None = None
    sponsor: str | None = None
    status: str = "online"
    render: str = "auto"
    hosts: frozenset[str] = frozenset()
    columns: tuple[dict[str, Any], ...] = ()
    #: registry hints for unusual layouts (CSS selectors per family, e.g. ``{"interaction": {"item": ...}}``)
    hints: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    def is_internal(self, url: str) -> bool:
        """Same site: the registered host (with its port, if not a default one) or an alias."""
        key = site_key(url)
        return key == site_key(self.url) or key in self.hosts or key.split(":")[0] in self.hosts


@dataclass(frozen=True)
class LinkRef:
    """One link found on a page: where it points, what kind it is, what it said."""

    url: str
    kind: LinkKind
    tag: str
    anchor_text: str = ""
    internal: bool = True
    raw: str = ""


@dataclass
class PageRecord:
    """One fetched (possibly rendered) page, decoded."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    encoding: str | None = None
    html: str = ""
    depth: int = 0
    elapsed: float = 0.0
    size: int = 0
    title: str = ""
    page_type: PageType = "other"
    rendered: bool = False
    truncated: bool = False
    links: list[LinkRef] = field(default_factory=list)
    error: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)  # filled by the check families' EXTRACTORS
    #: rendered pages: each link's computed visibility in Chromium, from security_hidden's
    #: collect_link_visibility(_async); None when not collected (SC001 confirmation)
    link_visibility: list[dict[str, Any]] | None = None
    content_hash: str | None = None  # SHA-256 of the body (incremental re-scans)
    reused: bool = False  # unchanged since the previous scan (304 or same hash): stored record reused, not checked

    @cached_property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The parsed HTML (lxml), or None for an empty or unparsable body."""
        import lxml.html

        if not self.html.strip():
            return None
        try:
            return lxml.html.document_fromstring(_CLOSING_TAGS.sub("", self.html), base_url=self.final_url)
        except Exception:  # lxml raises several types on hostile input
            return None

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type or (not self.content_type and bool(self.html))


@dataclass
class LinkResult:
    """The verdict on one unique link target in one scan."""

    target: str
    outcome: Outcome
    status: int | None = None
    reason: str = ""
    final_url: str | None = None
    redirect_chain: list[str] = field(default_factory=list)
    elapsed: float | None = None
    method: str = "GET"
    content_type: str = ""


@dataclass
class PageSummary:
    """A crawled page as site checks see it: no HTML, only the facts page extractors kept."""

    url: str
    final_url: str
    status: int | None
    page_type: str
    depth: int
    title: str = ""
    rendered: bool = False
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass
class BadLink:
    """A link whose target did not check out ok, with the page it is on."""

    page_url: str
    page_type: str
    link: LinkRef
    result: LinkResult


@dataclass
class ColumnInfo:
    """A column (栏目) of the site, as discovered (or registered) for one scan."""

    url: str
    name: str
    category: str = "other"
    level: int = 1
    item_count: int = 0
    undated_count: int = 0
    newest_date: Any = None  # datetime.date | None
    discovered_by: str = "nav"
    rendered: bool = False
    placeholder: str | None = None


@dataclass
class ScanView:
    """What site checks see of one scan: page summaries, bad links, columns (filled by discovery).

    ``pages`` is any re-iterable collection of summaries: a list (fixtures, tests) or, in a scan, the
    scan's stored pages read back in chunks (:class:`xunjian.storage.summaries.StoredPages`). A site check
    iterates it (as often as it needs) and keeps only what it needs, bounded per template or column, never a
    list of every page.
    """

    site: SiteInfo
    pages: Iterable[PageSummary] = field(default_factory=list)
    bad_links: list[BadLink] = field(default_factory=list)
    columns: list[ColumnInfo] = field(default_factory=list)

    @property
    def homepage(self) -> PageSummary | None:
        if hasattr(type(self.pages), "homepage"):
            return self.pages.homepage  # the stored view looks it up once
        for page in self.pages:
            if page.page_type == "homepage":
                return page
        return None
