"""What every report shows, gathered once from the database: site, score, current findings, what was fixed.

:func:`build_site_report` returns plain data (:class:`SiteReport`) that the Excel, HTML, CSV and JSON
writers format; none of them touch the database. "Fixed since the previous report" uses the time of
the previous report, remembered in ``Site.extra["last_report_at"]`` by :func:`mark_reported`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from xunjian.checks.codes import RULES
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings

SEVERITY_ZH = {"veto": "单项否决", "deduct": "扣分", "warn": "提示", "info": "信息"}
STATUS_ZH = {"open": "未整改", "resolved": "已整改", "ignored": "已忽略"}
VERDICT_ZH = {"pass": "合格", "fail": "不合格"}


@dataclass
class SiteReport:
    site: dict[str, Any]
    score: dict[str, Any]
    findings: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    since: datetime | None
    generated_at: datetime
    indicators: list[dict[str, Any]]
    screenshots: dict[int, Path] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    scan_note: str = ""  # set when the findings come from a partial scan (stopped at the page budget)


def _z(ts: datetime | None) -> str:
    return ts.strftime("%Y-%m-%d %H:%M:%S") if ts else ""


def _page_titles(session: Session, site_id: str, urls: set[str]) -> dict[str, str]:
    from xunjian.storage.findings import latest_complete_scan
    from xunjian.storage.models import Page

    scan = latest_complete_scan(session, site_id)
    if scan is None or not urls:
        return {}
    rows = session.execute(
        select(Page.url, Page.title).where(Page.scan_id == scan.id, Page.url.in_(list(urls)[:900]))
    )
    return {url: title or "" for url, title in rows}


def grouped_pages(evidence: dict[str, Any], page: str | None) -> tuple[int, list[str]]:
    """(page count, example pages) of any finding: a grouped one (``evidence.page_count``/``pages``, any rule)
    or a single-page one (1, [page])."""
    pages = [p for p in evidence.get("pages") or [] if isinstance(p, str)] if isinstance(evidence, dict) else []
    try:
        count = int(evidence.get("page_count")) if isinstance(evidence, dict) and evidence.get("page_count") else 0
    except (TypeError, ValueError):
        count = 0
    if not pages and page:
        pages = [page]
    return max(count, len(pages)), pages


def pages_zh(count: int) -> str:
    return f"{count} 个页面" if count > 1 else ""


def _enrich(row: Any, site_id: str, profile: dict[str, Any], titles: dict[str, str]) -> dict[str, Any]:
    from xunjian.scoring import indicator_for
    from xunjian.storage.findings import finding_json

    f = finding_json(row, site_id)
    rule = RULES.get(f["rule"])
    ind = indicator_for(f["rule"], profile)[0]
    evidence = f["evidence"] or {}
    page_count, pages = grouped_pages(evidence, f["page"])
    f.update(
        page_count=page_count, example_pages=pages, pages_zh=pages_zh(page_count),
        rule_name=rule.name if rule else f["rule"], rule_zh=rule.zh if rule else f["rule"],
        severity_zh=SEVERITY_ZH.get(f["severity"], f["severity"]),
        status_zh=STATUS_ZH.get(f["status"], f["status"]),
        indicator=ind["id"], indicator_name=ind.get("name", ind["id"]), area=ind.get("area", ""),
        page_title=titles.get(f["page"] or "")
        or str(evidence.get("title") or evidence.get("page_title") or ""),
        resolved_at=_z(row.resolved_at), ignored_reason=row.ignored_reason or "",
    )
    return f


def previous_report_time(site: Any) -> datetime | None:
    value = (site.extra or {}).get("last_report_at")
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def build_site_report(
    session: Session, site_id: str, settings: Settings | None = None, now: datetime | None = None,
    since: datetime | None = None, profile: dict[str, Any] | None = None,
) -> SiteReport:
    """Everything one site's report shows (LookupError for an unknown site)."""
    from xunjian.scoring import compute_site_score, load_profile
    from xunjian.crawler.budget import partial_note
    from xunjian.storage.findings import current_findings, latest_complete_scan, resolved_since
    from xunjian.storage.models import Site

    now = now or utcnow()
    profile = profile or load_profile(settings)
    site = session.get(Site, site_id)
    if site is None:
        raise LookupError(f"站点 {site_id!r} 未登记")
    score = compute_site_score(session, site_id, settings, now=now, profile=profile).to_json()
    since = since or previous_report_time(site)
    rows = current_findings(session, site_id, ("open",), now=now, include_partial=True)
    fixed_rows = resolved_since(session, site_id, since)
    titles = _page_titles(session, site_id, {r.page for r in rows + fixed_rows if r.page})
    return SiteReport(
        site={"id": site.id, "name": site.name, "url": site.url, "kind": site.kind,
              "site_code": site.site_code or "", "sponsor": site.sponsor or "",
              "aliases": list(site.aliases or [])},
        score=score,
        findings=[_enrich(r, site_id, profile, titles) for r in rows],
        fixed=[_enrich(r, site_id, profile, titles) for r in fixed_rows],
        since=since, generated_at=now,
        indicators=[{"id": i["id"], "name": i.get("name", i["id"]), "area": i.get("area", "")}
                    for i in profile["indicators"]],
        scan_note=partial_note(latest_complete_scan(session, site_id, include_partial=True)) or "",
    )


def mark_reported(session: Session, site_id: str, now: datetime) -> None:
    """Remember when the site was last reported (the next report's "fixed since" starts here)."""
    from xunjian.storage.models import Site

    site = session.get(Site, site_id)
    if site is not None:
        site.extra = {**(site.extra or {}), "last_report_at": now.isoformat()}
        session.flush()
