"""Storage side of incremental re-scans: the previous scan's validators and pages, page findings kept
alive for unchanged pages, and the external link verdicts shared by every site in the database.

Functions take the session first and never commit (like :mod:`xunjian.storage.scans`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update

from xunjian.records import LinkRef, LinkResult as LinkResultRecord, PageRecord
from xunjian.storage.models import Finding, Link, LinkResult, LinkVerdict, Page, Scan
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

#: What the checks put in a page's facts: the fingerprints of the page findings it produced (kept alive
#: while the page is unchanged).
PAGE_FINDINGS = "page_findings"
CHUNK = 500


def previous_scan(session: Session, site_id: str, before: int) -> Scan | None:
    """The latest complete or partial scan of the site before scan ``before``."""
    return session.scalars(
        select(Scan).where(Scan.site_id == site_id, Scan.status.in_(("complete", "partial")), Scan.id < before)
        .order_by(Scan.id.desc()).limit(1)
    ).first()


def last_full_scan_at(session: Session, site_id: str) -> datetime | None:
    """When the site's latest complete scan that reused nothing started (None: never)."""
    rows = session.execute(
        select(Scan.started_at, Scan.stats).where(Scan.site_id == site_id, Scan.status == "complete")
        .order_by(Scan.id.desc()).limit(30)
    )
    for started, stats in rows:
        if not ((stats or {}).get("incremental/reused") or (stats or {}).get("incremental/carried")):
            return started
    return None


def validators(session: Session, scan_id: int) -> dict[str, tuple[int, str | None, str | None, str | None]]:
    """url -> (page id, ETag, Last-Modified, content hash) of the usable pages of a scan."""
    rows = session.execute(
        select(Page.url, Page.id, Page.etag, Page.last_modified, Page.content_hash)
        .where(Page.scan_id == scan_id, Page.status == 200, Page.error.is_(None))
    )
    return {url: (pid, etag, lm, digest) for url, pid, etag, lm, digest in rows}


def list_pages(session: Session, scan_id: int) -> list[tuple[str, int]]:
    """(url, depth) of the column pages of a scan: an incremental scan requests each of them again (the
    articles of an unchanged one are carried, not requested)."""
    return [(url, depth) for url, depth in session.execute(
        select(Page.url, Page.depth).where(Page.scan_id == scan_id, Page.status == 200, Page.error.is_(None),
                                           Page.page_type == "column").order_by(Page.depth, Page.id))]


def stored_page(conn: Connection | Session, page_id: int) -> PageRecord | None:
    """A stored page as a record (no HTML) with its links, to be reused by the next scan (two Core queries:
    this runs for every unchanged page the scan requested)."""
    page = conn.execute(select(Page.url, Page.final_url, Page.status, Page.content_type, Page.encoding, Page.depth,
                               Page.bytes, Page.title, Page.page_type, Page.rendered, Page.facts)
                        .where(Page.id == page_id)).first()
    if page is None:
        return None
    links = [LinkRef(url=target, kind=kind, tag=tag, anchor_text=anchor or "", internal=internal)
             for target, kind, tag, anchor, internal in conn.execute(
                 select(Link.target, Link.kind, Link.tag, Link.anchor_text, Link.internal)
                 .where(Link.page_id == page_id).order_by(Link.id))]
    return PageRecord(url=page.url, final_url=page.final_url or page.url, status=page.status or 200,
                      content_type=page.content_type or "", encoding=page.encoding, depth=page.depth,
                      size=page.bytes, title=page.title or "", page_type=page.page_type,
                      rendered=page.rendered, links=links, facts=dict(page.facts or {}))


def touch_findings(session: Session, site_id: str, fingerprints: Iterable[str], scan_id: int) -> int:
    """Page findings of unchanged pages are seen again by this scan (kept open, never resolved)."""
    fps, now, touched = sorted(set(fingerprints)), utcnow(), 0
    for i in range(0, len(fps), CHUNK):
        result = session.execute(
            update(Finding).where(Finding.site_id == site_id, Finding.fingerprint.in_(fps[i:i + CHUNK]),
                                  Finding.status == "open")
            .values(last_scan_id=scan_id, last_seen=now)
        )
        touched += result.rowcount or 0
    return touched


def cached_verdicts(session: Session, max_age_hours: float) -> dict[str, LinkResultRecord]:
    """Fresh external verdicts (checked less than ``max_age_hours`` ago), target -> result."""
    since = utcnow() - timedelta(hours=max_age_hours)
    rows = session.scalars(select(LinkVerdict).where(LinkVerdict.checked_at >= since))
    return {r.target: LinkResultRecord(target=r.target, outcome=r.outcome, status=r.status,  # type: ignore[arg-type]
                                       reason=f"{r.reason or ''} (缓存)"[:200], final_url=r.final_url)
            for r in rows}


def store_verdicts(session: Session, scan_id: int, is_external: Any) -> int:
    """Upsert this scan's verdicts on external targets into the shared cache (cached ones are not rewritten)."""
    rows = session.execute(
        select(LinkResult.target, LinkResult.outcome, LinkResult.status, LinkResult.reason, LinkResult.final_url,
               LinkResult.checked_at)
        .where(LinkResult.scan_id == scan_id, LinkResult.outcome != "skipped",
               func.coalesce(LinkResult.reason, "").not_like("%(缓存)"))
    )
    fresh = [dict(target=t, outcome=o, status=s, reason=r, final_url=f, checked_at=c or utcnow())
             for t, o, s, r, f, c in rows if is_external(t)]
    for i in range(0, len(fresh), CHUNK):
        chunk = fresh[i:i + CHUNK]
        session.execute(delete(LinkVerdict).where(LinkVerdict.target.in_([r["target"] for r in chunk])))
        session.execute(insert(LinkVerdict), chunk)
    return len(fresh)
