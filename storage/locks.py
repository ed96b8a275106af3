"""The per-site scan lock: one scan of a site at a time, whoever started it (CLI or scheduler).

The lock is a column on ``sites`` set by one conditional UPDATE, so it works the same on SQLite and
PostgreSQL and across processes. A lock whose scan is no longer running (crashed worker) is stale
and may be taken over.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from xunjian.storage.models import Scan, Site
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def acquire_site_lock(session: Session, site_id: str, scan_id: int) -> bool:
    """Take the lock for ``scan_id``; False when another running scan holds it."""
    taken = session.execute(
        update(Site)
        .where(Site.id == site_id, Site.lock_scan_id.is_(None))
        .values(lock_scan_id=scan_id, lock_acquired_at=utcnow())
    ).rowcount
    if taken:
        return True
    holder = session.scalar(select(Site.lock_scan_id).where(Site.id == site_id))
    holder_status = session.scalar(select(Scan.status).where(Scan.id == holder)) if holder else None
    if holder_status == "running":
        return False
    # Stale lock (the scan that held it ended or vanished): take it over atomically.
    return bool(
        session.execute(
            update(Site)
            .where(Site.id == site_id, Site.lock_scan_id == holder)
            .values(lock_scan_id=scan_id, lock_acquired_at=utcnow())
        ).rowcount
    )


def release_site_lock(session: Session, site_id: str, scan_id: int) -> None:
    session.execute(
        update(Site).where(Site.id == site_id, Site.lock_scan_id == scan_id).values(lock_scan_id=None, lock_acquired_at=None)
    )


def lock_holder(session: Session, site_id: str) -> Scan | None:
    holder = session.scalar(select(Site.lock_scan_id).where(Site.id == site_id))
    return session.get(Scan, holder) if holder else None
