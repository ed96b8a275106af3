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
