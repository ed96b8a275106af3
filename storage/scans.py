"""Scan rows and the bulk writes of one scan: pages, links, link results, columns; the bad-link query.

Writes are batched (``insert()`` with many rows; RETURNING page ids) so that many worker processes
writing to one PostgreSQL keep their transactions short. Functions take the session first and never
commit.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update

from xunjian.records import BadLink, LinkRef, LinkResult as LinkResultRecord
from xunjian.storage.models import Link, LinkResult, Page, Scan, SiteColumn
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.records import ColumnInfo, PageRecord


def create_scan(session: Session, site_id: str, as_of: date, trigger: str, pid: int | None) -> Scan:
    from xunjian.storage.heartbeat import host_stats

    scan = Scan(site_id=site_id, as_of=as_of, trigger=trigger, pid=pid, status="running", started_at=utcnow(),
                stats=host_stats())
    session.add(scan)
    session.flush()
    return scan


def page_row(scan_id: int, r: PageRecord) -> dict[str, Any]:
    return {
        "scan_id": scan_id, "url": r.url[:2000], "final_url": r.final_url[:2000], "status": r.status,
        "content_type": r.content_type[:200] or None, "encoding": r.encoding, "bytes": r.size,
        "elapsed": r.elapsed, "depth": r.depth, "title": r.title[:500] or None, "page_type": r.page_type,
        "rendered": r.rendered, "error": (r.error or "")[:500] or None, "facts": r.facts,
        "fetched_at": utcnow(), "etag": (r.headers.get("Etag") or "")[:200] or None,
        "last_modified": (r.headers.get("Last-Modified") or "")[:100] or None, "content_hash": r.content_hash,
    }


def insert_pages(session: Session, scan_id: int, pages: list[PageRecord]) -> dict[str, int]:
    """Insert pages; returns url -> page id."""
    if not pages:
        return {}
    result = session.execute(insert(Page).returning(Page.id, Page.url), [page_row(scan_id, r) for r in pages])
    return {url: pid for pid, url in result}


def insert_links(session: Session, scan_id: int, links: list[tuple[int, LinkRef]]) -> None:
    """Every (page, link) of a batch; a Core INSERT (the ORM's bulk path took twice as long, measured)."""
    if links:
        session.execute(insert(Link.__table__), [
            {"scan_id": scan_id, "page_id": pid, "target": l.url[:2000], "kind": l.kind, "tag": l.tag,
             "anchor_text": l.anchor_text[:300] or None, "internal": l.internal}
            for pid, l in links
        ])


def insert_link_results(session: Session, scan_id: int, results: list[LinkResultRecord]) -> None:
    if results:
        session.execute(insert(LinkResult.__table__), [
            {"scan_id": scan_id, "target": r.target[:2000], "outcome": r.outcome, "status": r.status,
             "reason": (r.reason or "")[:500] or None, "final_url": (r.final_url or "")[:2000] or None,
             "redirect_chain": r.redirect_chain[:20], "elapsed": r.elapsed, "method": r.method,
             "checked_at": utcnow()}
            for r in results
        ])


def insert_columns(session: Session, scan_id: int, site_id: str, columns: list[ColumnInfo]) -> None:
    seen: set[str] = set()
    rows = []
    for c in columns:
        if c.url in seen:
            continue
        seen.add(c.url)
        rows.append({"scan_id": scan_id, "site_id": site_id, "url": c.url[:2000], "name": (c.name or "")[:200],
                     "category": c.category, "level": c.level, "item_count": c.item_count,
                     "undated_count": c.undated_count, "newest_date": c.newest_date,
                     "discovered_by": c.discovered_by[:40], "rendered": c.rendered})
    if rows:
        session.execute(insert(SiteColumn), rows)


def bad_links(session: Session, scan_id: int) -> list[BadLink]:
    """Every (page, link) whose target's verdict in this scan is not ok."""
    query = (
        select(Page.url, Page.page_type, Link, LinkResult)
        .join(Link, Link.page_id == Page.id)
        .join(LinkResult, (LinkResult.scan_id == Link.scan_id) & (LinkResult.target == Link.target))
        .where(Link.scan_id == scan_id, LinkResult.outcome.not_in(("ok", "skipped")))
        .order_by(Page.id, Link.id)
    )
    out = []
    for page_url, page_type, link, lr in session.execute(query):
        out.append(BadLink(
            page_url=page_url, page_type=page_type,
            link=LinkRef(url=link.target, kind=link.kind, tag=link.tag, anchor_text=link.anchor_text or "",
                         internal=link.internal),
            result=LinkResultRecord(target=lr.target, outcome=lr.outcome, status=lr.status, reason=lr.reason or "",
                                    final_url=lr.final_url, redirect_chain=lr.redirect_chain or [],
                                    elapsed=lr.elapsed, method=lr.method),
        ))
    return out


def add_counts(session: Session, scan_id: int, **deltas: int) -> None:
    values = {k: getattr(Scan, k) + v for k, v in deltas.items() if v}
    if values:
        session.execute(update(Scan).where(Scan.id == scan_id).values(**values))


def finish_scan(session: Session, scan_id: int, status: str, message: str | None = None,
                stats: dict[str, Any] | None = None) -> Scan:
    scan = session.get(Scan, scan_id)
    assert scan is not None
    scan.status = status
    scan.finished_at = utcnow()
    if message:
        scan.message = message[:2000]
    if stats is not None:  # the host that ran it stays on record
        from xunjian.storage.heartbeat import HOST

        scan.stats = {HOST: (scan.stats or {}).get(HOST), **stats}
    session.flush()
    return scan
