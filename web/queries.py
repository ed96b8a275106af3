"""What the console pages show, read from the database (plain dicts and rows; no HTML here)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from xunjian.scoring import compute_site_score, load_profile, probe_stats, score_history
from xunjian.storage.findings import current_findings
from xunjian.storage.models import AuditEntry, Finding, Page, Probe, Scan, Site
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings

MAX_SCAN = 20_000
FAMILIES = ("LK", "FT", "MT", "TX", "SC", "UP", "AV", "FN", "DM", "CL")


def sites(session: Session) -> list[Site]:
    return list(session.scalars(select(Site).order_by(Site.id)))


def availability(session: Session, site_id: str, now: datetime, days: int = 7) -> float | None:
    stats = probe_stats(session, site_id, now, days)
    return None if not stats.total else round(100.0 * (stats.total - stats.failed) / stats.total, 1)


def overview(session: Session, settings: Settings, now: datetime | None = None) -> list[dict[str, Any]]:
    """One row per site: verdict, score, band, score trend, open findings by family, 7-day availability."""
    now = now or utcnow()
    profile = load_profile(settings)
    rows = []
    for site in sites(session):
        score = compute_site_score(session, site.id, settings, now=now, profile=profile)
        families = Counter(f.rule[:2] for f in current_findings(session, site.id, ("open",), now=now))
        last = session.scalars(select(Scan).where(Scan.site_id == site.id).order_by(Scan.id.desc()).limit(1)).first()
        rows.append({"site": site, "score": score, "trend": score_history(session, site.id)[-10:],
                     "families": dict(sorted(families.items())), "open": sum(families.values()),
                     "availability": availability(session, site.id, now), "last_scan": last})
    return rows


def group_findings(rows: list[Finding]) -> list[dict[str, Any]]:
    """Findings grouped by (rule, target) with the number of pages each group was found on.

    A finding that already stands for many pages (``evidence.page_count`` / ``evidence.pages``, one link
    finding per rule and target) counts its own pages.
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:
        key = (row.rule, row.target or "")
        g = groups.setdefault(key, {"rule": row.rule, "target": row.target, "severity": row.severity,
                                     "findings": [], "pages": set(), "page_count": 0})
        g["findings"].append(row)
        ev = row.evidence or {}
        examples = ev.get("pages")
        pages = [p for p in examples if isinstance(p, str)] if isinstance(examples, list) else []
        g["pages"].update(pages or ([row.page] if row.page else []))
        g["page_count"] += int(ev.get("page_count") or 0) if ev.get("page_count") else 0
    out = []
    for g in groups.values():
        g["page_count"] = max(g["page_count"], len(g["pages"]))
        out.append(g)
    order = {"veto": 0, "deduct": 1, "warn": 2, "info": 3}
    return sorted(out, key=lambda g: (order.get(g["severity"], 9), g["rule"], g["target"] or ""))


def page_titles(session: Session, site_id: str, urls: set[str]) -> dict[str, str]:
    scan = session.scalars(select(Scan).where(Scan.site_id == site_id, Scan.status == "complete")
                           .order_by(Scan.id.desc()).limit(1)).first()
    if scan is None or not urls:
        return {}
    rows = session.execute(select(Page.url, Page.title).where(Page.scan_id == scan.id, Page.url.in_(list(urls)[:500])))
    return {url: title or "" for url, title in rows}


def site_page(session: Session, settings: Settings, site_id: str) -> dict[str, Any]:
    site = session.get(Site, site_id)
    if site is None:
        raise LookupError(f"站点 {site_id} 未登记")
    now = utcnow()
    score = compute_site_score(session, site_id, settings, now=now)
    rows = current_findings(session, site_id, ("open",), now=now)
    return {"site": site, "score": score, "groups": group_findings(rows), "total": len(rows),
            "history": score_history(session, site_id)[-20:],
            "titles": page_titles(session, site_id, {r.page for r in rows if r.page})}


def find(session: Session, filters: dict[str, str], limit: int = 100, offset: int = 0) -> tuple[list[Finding], int]:
    """Findings filtered by site, family (rule prefix), rule, severity, status and category (evidence)."""
    query = select(Finding)
    if filters.get("site"):
        query = query.where(Finding.site_id == filters["site"])
    if filters.get("family"):
        query = query.where(Finding.rule.like(filters["family"][:2].upper() + "%"))
    if filters.get("rule"):
        query = query.where(Finding.rule == filters["rule"].upper())
    if filters.get("severity"):
        query = query.where(Finding.severity == filters["severity"])
    status = filters.get("status", "active")
    if status == "active":
        query = query.where(Finding.status.in_(("open", "confirmed", "fixed")))
    elif status and status != "all":
        query = query.where(Finding.status == status)
    if filters.get("assignee"):
        query = query.where(Finding.assignee == filters["assignee"])
    query = query.order_by(Finding.site_id, Finding.rule, Finding.id)
    category = filters.get("category")
    if not category:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return list(session.scalars(query.limit(limit).offset(offset))), total
    # the category lives in the evidence JSON: filtered here, the same way on SQLite and PostgreSQL
    # bounded: at most MAX_SCAN rows are read for a category filter
    matched = [r for r in session.scalars(query.limit(MAX_SCAN)) if (r.evidence or {}).get("category") == category]
    return matched[offset:offset + limit], len(matched)


def categories(session: Session) -> list[str]:
    """Evidence categories of text findings (national leaders, bodies, laws, place names…)."""
    rows = session.scalars(select(Finding.evidence).where(Finding.rule.like("TX%")).limit(5000))
    return sorted({str(e.get("category")) for e in rows if isinstance(e, dict) and e.get("category")})


def scans(session: Session, site_id: str | None = None, limit: int = 100) -> list[Scan]:
    query = select(Scan).order_by(Scan.id.desc()).limit(limit)
    if site_id:
        query = query.where(Scan.site_id == site_id)
    return list(session.scalars(query))


def running_scans(session: Session) -> list[dict[str, Any]]:
    """Running scans with the pages stored so far (live progress for scans started anywhere)."""
    out = []
    for scan in session.scalars(select(Scan).where(Scan.status == "running").order_by(Scan.id)):
        pages = session.scalar(select(func.count()).select_from(Page).where(Page.scan_id == scan.id)) or 0
        out.append({"scan": scan, "pages": pages})
    return out


def probes_by_site(session: Session, now: datetime, days: int = 7) -> dict[str, list[Probe]]:
    since = now - timedelta(days=days)
    out: dict[str, list[Probe]] = defaultdict(list)
    for probe in session.scalars(select(Probe).where(Probe.at >= since).order_by(Probe.site_id, Probe.at)):
        out[probe.site_id].append(probe)
    return out


def audit_entries(session: Session, filters: dict[str, str], limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if filters.get("site"):
        query = query.where(AuditEntry.site_id == filters["site"])
    if filters.get("actor"):
        query = query.where(AuditEntry.actor == filters["actor"])
    if filters.get("finding"):
        query = query.where(AuditEntry.object_type == "finding", AuditEntry.object_id == filters["finding"])
    return list(session.scalars(query.limit(limit).offset(offset)))
