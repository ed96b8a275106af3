"""Freshness (UP001–UP006): is the homepage updated, are the columns updated, blank or undated?

Site checks over ``view.columns`` (filled by :func:`xunjian.checks.columns.discover_columns`) and the
homepage's ``list`` facts, evaluated against ``ctx.as_of``. Categories and their cycles come from
``rules/columns.yaml`` (news 14 days → UP002; notice/policy 6 months → UP003; personnel/plans 1 year →
UP004). Every finding has ``page`` = the column URL and ``key`` = its URL path, so it keeps its
fingerprint from scan to scan.

A column is judged only when its list page was crawled. A column whose crawled page is an article or
an ordinary page (a menu entry such as 机构概况) is not a list and is never blank. A column whose
static page only holds an empty container filled by a script, and that was not rendered, is skipped:
its items are unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from xunjian.checks import finding
from xunjian.checks.dates import column_rules
from xunjian.checks.pagetype import column_key

if TYPE_CHECKING:
    from xunjian.checks.base import CheckContext, Finding
    from xunjian.records import ColumnInfo, PageSummary, ScanView

HOMEPAGE_DAYS = 14


def cutoff(as_of: date, cycle: dict[str, int]) -> date:
    """The oldest newest-item date that still counts as updated: ``as_of`` minus the cycle."""
    if "days" in cycle:
        return as_of - timedelta(days=int(cycle["days"]))
    from dateutil.relativedelta import relativedelta

    return as_of - relativedelta(months=int(cycle.get("months", 0)))  # clamps to the month's last day


def _key(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _evidence(col: ColumnInfo, **extra: Any) -> dict[str, Any]:
    ev = {"column": col.name, "url": col.url, "category": col.category, "level": col.level,
          "newest_date": col.newest_date.isoformat() if col.newest_date else None,
          "items": col.item_count, "undated_items": col.undated_count, "discovered_by": col.discovered_by}
    ev.update(extra)
    return ev


def _pages_by_key(view: ScanView) -> dict[str, PageSummary]:
    """The first crawled page of each discovered column's key (one pass; only the columns' pages are kept)."""
    keys = {column_key(col.url) for col in view.columns}
    out: dict[str, PageSummary] = {}
    if not keys:
        return out
    for page in view.pages:
        key = column_key(page.final_url or page.url)
        if key in keys:
            out.setdefault(key, page)
    return out


def homepage_not_updated(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """UP001 homepage-not-updated.

    What it does: checks that the homepage shows a dated item newer than 14 days.
    Why is this bad? V3 of the national indicators vetoes a homepage with no new information in 2 weeks;
    undated items count as not updated. A gateway homepage (no list at all) is judged by its
    second-level pages.
    Example: the newest homepage item is 2026-10-30 and the scan runs at 2026-11-22.
    Known problems: year-less dates (``[11-03]``) are placed in the latest year not after ``as_of``.
    """
    home = view.homepage
    if home is None:
        return
    lst = (home.facts or {}).get("list") or {}
    if lst.get("script_fed") and not home.rendered and not lst.get("items"):
        return
    limit = as_of_minus(ctx.as_of, HOMEPAGE_DAYS)
    mode, newest = "homepage", lst.get("newest")
    if not lst.get("items"):
        mode = "gateway"
        newest = max((d for p in view.pages if p.depth == 1 for d in _page_dates(p)), default=None)
    if newest and date.fromisoformat(newest) >= limit:
        return
    url = home.final_url or home.url
    msg = f"首页 {HOMEPAGE_DAYS} 天内无更新：最新信息日期 {newest or '无（信息未标注日期）'}"
    if mode == "gateway":
        msg = f"首页为导航页，其二级页面 {HOMEPAGE_DAYS} 天内无更新：最新信息日期 {newest or '无'}"
    yield finding("UP001", msg, page=url, key=_key(url), evidence={
        "url": url, "newest_date": newest, "items": lst.get("items", 0), "dated_items": lst.get("dated", 0),
        "mode": mode, "as_of": ctx.as_of.isoformat()})


def as_of_minus(as_of: date, days: int) -> date:
    return as_of - timedelta(days=days)


def _page_dates(page: PageSummary) -> list[str]:
    facts = page.facts or {}
    dates = [(facts.get("list") or {}).get("newest"), facts.get("pubdate")]
    return [d for d in dates if d]


def _judged(col: ColumnInfo, pages: dict[str, PageSummary]) -> PageSummary | None:
    """The column's crawled list page when the column can be judged, else None."""
    page = pages.get(column_key(col.url))
    if page is None or (page.page_type not in ("column", "homepage") and "registry" not in col.discovered_by):
        return None
    lst = (page.facts or {}).get("list") or {}
    if lst.get("script_fed") and not (page.rendered or col.rendered) and not col.item_count:
        return None
    return page


def columns_not_updated(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """UP002 column-stale-news, UP003 column-stale-notice, UP004 column-stale-other.

    What it does: checks each column with an update cycle (news 14 days, notice/policy 6 months,
    personnel/plans 1 year) against the date of its newest item.
    Why is this bad? V4a counts stale news columns and first-level notice/policy columns (veto at 5);
    V4b counts "should update" columns gone stale (veto at 10).
    Example: 部门动态 whose newest item is 2026-10-15 at as_of 2026-11-22 (UP002).
    Known problems: a column is judged by the items the crawler saw (its first pages).
    """
    categories = column_rules()["categories"]
    pages = _pages_by_key(view)
    for col in view.columns:
        spec = categories.get(col.category) or {}
        if not spec.get("cycle") or not spec.get("rule") or col.newest_date is None:
            continue
        if _judged(col, pages) is None:
            continue
        limit = cutoff(ctx.as_of, spec["cycle"])
        if col.newest_date >= limit:
            continue
        cycle = spec["cycle"]
        span = f"{cycle['days']} 天" if "days" in cycle else f"{cycle['months']} 个月"
        msg = f"{spec['zh']}栏目“{col.name}”超过 {span}未更新：最新信息日期 {col.newest_date}"
        evidence = _evidence(col, cycle=span, as_of=ctx.as_of.isoformat())
        yield finding(spec["rule"], msg, page=col.url, key=_key(col.url), evidence=evidence)


def column_blank(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """UP005 column-blank.

    What it does: checks for column list pages that list no item, or only a placeholder (暂无信息...).
    Why is this bad? Blank columns (空白栏目) are a V4c veto item at 5.
    Example: 规划计划 whose page says only 暂无信息.
    Known problems: a list filled by a script counts only once the crawler rendered it. A page that shows
    neither a list, an empty list container nor a placeholder is a single-page column (机构职能, 概况,
    联系我们) and never blank, unless the registry lists it as a column.
    """
    pages = _pages_by_key(view)
    for col in view.columns:
        page = None if col.item_count else _judged(col, pages)
        lst = ((page.facts or {}).get("list") or {}) if page is not None else {}
        if page is None or not (col.placeholder or lst.get("placeholder") or lst.get("empty_list")
                                or lst.get("script_fed") or "registry" in col.discovered_by):
            continue  # a column page without any list (机构职能, 领导简介, 联系我们) is a single page, not blank
        what = f"仅显示“{col.placeholder}”" if col.placeholder else "无任何信息"
        yield finding("UP005", f"空白栏目“{col.name}”：{what}", page=col.url, key=_key(col.url),
                      evidence=_evidence(col, placeholder=col.placeholder))


def column_undated(view: ScanView, ctx: CheckContext) -> Iterator[Finding]:
    """UP006 column-undated.

    What it does: checks for columns with an update cycle whose items carry no publication date.
    Why is this bad? Information without a publication date counts as not updated (2015 census rule,
    still applied by inspectors to V3/V4).
    Example: 新闻发布 listing titles with no date beside them.
    Known problems: a column is reported only when none of its items is dated.
    """
    categories = column_rules()["categories"]
    pages = _pages_by_key(view)
    for col in view.columns:
        spec = categories.get(col.category) or {}
        if not spec.get("cycle") or not col.item_count or col.undated_count < col.item_count:
            continue
        if _judged(col, pages) is None:
            continue
        yield finding("UP006", f"栏目“{col.name}”的 {col.item_count} 条信息均未标注发布时间",
                      page=col.url, key=_key(col.url), evidence=_evidence(col))


SITE_CHECKS = [homepage_not_updated, columns_not_updated, column_blank, column_undated]
