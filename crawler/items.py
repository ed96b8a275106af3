"""Items the spider yields: a fetched page, and the verdict on one unique link target."""

from __future__ import annotations

from dataclasses import dataclass

from xunjian.records import LinkResult, PageRecord


@dataclass
class PageItem:
    record: PageRecord


@dataclass
class LinkResultItem:
    result: LinkResult


@dataclass
class CloakItem:
    """The homepage as served to a browser User-Agent and to a search-engine one (spam shown only to spiders)."""

    url: str
    browser_html: str
    spider_html: str
