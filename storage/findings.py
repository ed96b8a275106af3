"""The finding lifecycle: merge by fingerprint, resolve after a complete scan, reopen, ignore.

A finding keeps its ``first_seen`` across scans because its fingerprint (rule, site, normalised
page and target, key evidence) is stable; a grouped finding (one problem on many pages, with
``evidence.page_count`` and ``evidence.pages``) is identified without its page, which is only its first
example and is refreshed. Only a *complete* scan resolves what it no longer sees. All functions take the
session first and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update

from xunjian.checks.codes import PROBE_RULES
from xunjian.storage.models import Finding as FindingRow
from xunjian.storage.models import Ignore, Scan
from xunjian.storage.triage import ACTIVE, audit, audit_resolved, on_seen_again
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.checks.base import Finding


def ignored_fingerprints(session: Session, site_id: str) -> set[str]:
    rows = session.scalars(select(Ignore.fingerprint).where(Ignore.site_id == site_id, Ignore.fingerprint.is_not(None)))
    return set(rows)


def merge_findings(
    session: Session,
    site_id: str,
    findings: Sequence[Finding],
    scan_id: int | None,
    now: datetime | None = None,
    source: str = "scan",
) -> int:
    """Insert new findings, refresh seen ones, reopen resolved ones. Returns how many were merged."""
    now = now or utcnow()
    by_fp: dict[str, Finding] = {}
    for f in findings:
        by_fp.setdefault(f.fingerprint(site_id), f)
    if not by_fp:
        return 0
    existing: dict[str, FindingRow] = {}
    fps = list(by_fp)
    for start in range(0, len(fps), 500):
        chunk = fps[start : start + 500]
        for row in session.scalars(
            select(FindingRow).where(FindingRow.site_id == site_id, FindingRow.fingerprint.in_(chunk))
        ):
            existing[row.fingerprint] = row
    ignored = ignored_fingerprints(session, site_id)
    for fp, f in by_fp.items():
        row = existing.get(fp)
        if row is None:
            session.add(
                FindingRow(
                    site_id=site_id, fingerprint=fp, rule=f.rule, severity=f.severity, source=source,
                    page=f.page, target=f.target, message=f.message, evidence=f.to_dict()["evidence"],
                    first_seen=now, last_seen=now, first_scan_id=scan_id, last_scan_id=scan_id,
                    status="ignored" if fp in ignored else "open",
                )
            )
            continue
        row.last_seen = now
        row.last_scan_id = scan_id if scan_id is not None else row.last_scan_id
        if getattr(f, "grouped", False):  # a grouped finding's page is its first example page, which may change between scans
            row.page = f.page
        row.message = f.message
        row.evidence = f.to_dict()["evidence"]
        row.severity = f.severity
        on_seen_again(session, row, scan_id, now)  # fixed/resolved (or expired ignore) -> reopened, audited
    session.flush()
    return len(by_fp)


def resolve_unseen(session: Session, site_id: str, scan: Scan, now: datetime | None = None) -> int:
    """After a *complete* scan: open scan findings it did not see again become resolved (整改)."""
    if scan.status != "complete":
        return 0
    now = now or utcnow()
    unseen = (
        FindingRow.site_id == site_id,
        FindingRow.source == "scan",
        FindingRow.status.in_(ACTIVE),
        or_(FindingRow.last_scan_id.is_(None), FindingRow.last_scan_id != scan.id),
    )
    gone = [tuple(r) for r in session.execute(select(FindingRow.id, FindingRow.site_id, FindingRow.status)
                                              .where(*unseen))]
    result = session.execute(
        update(FindingRow).where(*unseen).values(status="resolved", resolved_at=now, resolved_scan_id=scan.id)
    )
    audit_resolved(session, gone, scan.id, now)
    return result.rowcount or 0


def latest_complete_scan(session: Session, site_id: str, include_partial: bool = False) -> Scan | None:
    """The latest complete scan; with ``include_partial`` a later partial scan (stopped at the page budget)
    too: views show what it found, scoring and lifecycle never take it for a whole-site scan."""
    statuses = ("complete", "partial") if include_partial else ("complete",)
    return session.scalars(
        select(Scan).where(Scan.site_id == site_id, Scan.status.in_(statuses)).order_by(Scan.id.desc()).limit(1)
    ).first()


def current_findings(
    session: Session, site_id: str, statuses: Iterable[str] = ("open",), now: datetime | None = None,
    include_partial: bool = False,
) -> list[FindingRow]:
    """Findings of a site with the given statuses.

    For ``open`` (the current view, rules.md): those of the latest completed scan plus those recorded
    by availability probes in the last 7 days, in any active status (open, confirmed, fixed).
    For ``resolved``/``ignored``: all of them. Views pass ``include_partial`` (a partial scan's findings are
    shown, marked); scoring does not.
    """
    now = now or utcnow()
    statuses = tuple(statuses)
    current = statuses == ("open",)
    statuses = ACTIVE if current else statuses  # confirmed and fixed findings are still on the site
    query = select(FindingRow).where(FindingRow.site_id == site_id, FindingRow.status.in_(statuses))
    if current:
        scan = latest_complete_scan(session, site_id, include_partial)
        recent_probe = (FindingRow.source == "probe") & (FindingRow.last_seen >= now - timedelta(days=7))
        if scan is None:
            query = query.where(recent_probe)
        else:
            # Open scan findings already present by the latest complete scan (a later interrupted scan
            # may have refreshed last_scan_id; what it saw first is not "current" until a complete scan).
            by_scan = (FindingRow.source == "scan") & or_(
                FindingRow.first_scan_id.is_(None), FindingRow.first_scan_id <= scan.id
            )
            query = query.where(or_(recent_probe, by_scan))
    return list(session.scalars(query.order_by(FindingRow.rule, FindingRow.id)))


def ignore_finding(session: Session, finding_id: int, reason: str, actor: str = "cli") -> FindingRow:
    """Mark one finding ignored, and remember its fingerprint so later scans keep it ignored."""
    row = session.get(FindingRow, finding_id)
    if row is None:
        raise LookupError(f"没有编号为 {finding_id} 的问题")
    audit(session, actor, "ignore", "finding", row.id, site_id=row.site_id, from_status=row.status,
          to_status="ignored", reason=reason)
    row.status = "ignored"
    row.ignored_reason = reason
    row.ignored_at = utcnow()
    session.add(Ignore(site_id=row.site_id, rule=row.rule, fingerprint=row.fingerprint, reason=reason))
    session.flush()
    return row


def ignore_phrase(session: Session, site_id: str, phrase: str, reason: str, rule: str | None = None) -> Ignore:
    """Remember a phrase the text checks must not report on this site (an inspector's decision)."""
    row = Ignore(site_id=site_id, rule=rule, phrase=phrase, reason=reason)
    session.add(row)
    session.flush()
    return row


def ignored_phrases(session: Session, site_id: str) -> list[str]:
    """Phrases ignored on a site, for the text checks."""
    rows = session.scalars(select(Ignore.phrase).where(Ignore.site_id == site_id, Ignore.phrase.is_not(None)))
    return sorted(set(rows))


def resolved_since(session: Session, site_id: str, since: datetime | None = None) -> list[FindingRow]:
    """Findings resolved (整改 confirmed) after ``since`` (all resolved ones when None)."""
    query = select(FindingRow).where(FindingRow.site_id == site_id, FindingRow.status == "resolved")
    if since is not None:
        query = query.where(FindingRow.resolved_at > since)
    return list(session.scalars(query.order_by(FindingRow.rule, FindingRow.id)))


def finding_json(row: FindingRow, site_id: str) -> dict:
    """The contract's finding JSON (rules.md)."""

    def z(ts: datetime | None) -> str | None:
        return ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts else None

    return {
        "id": row.id,
        "rule": row.rule,
        "severity": row.severity,
        "site": site_id,
        "page": row.page,
        "target": row.target,
        "message": row.message,
        "evidence": row.evidence or {},
        "first_seen": z(row.first_seen),
        "last_seen": z(row.last_seen),
        "status": row.status,
    }


__all__ = [
    "PROBE_RULES", "current_findings", "finding_json", "ignore_finding", "ignore_phrase", "ignored_phrases",
    "merge_findings", "resolve_unseen", "resolved_since",
]
