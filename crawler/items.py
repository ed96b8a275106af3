"""Items the spider yields: a fetched page, and the verdict on one unique link target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from xunjian.records import LinkResult, PageRecord


@dataclass
class PageItem:
    record: PageRecord
    #: filled by the check pipeline (:class:`~xunjian.crawler.checkpool.CheckPipeline`)
    findings: list[Any] = field(default_factory=list)
    #: the verdict on the page's URL as a link target, carried here rather than as a second item (every
    #: item costs a pass through Scrapy's item machinery)
    result: LinkResult | None = None


@dataclass
class LinkResultItem:
    result: LinkResult


@dataclass
class CloakItem:
    """The homepage as served to a browser User-Agent and to a search-engine one (spam shown only to spiders)."""

    url: str
    browser_html: str
    spider_html: str
    findings: list[Any] = field(default_factory=list)
