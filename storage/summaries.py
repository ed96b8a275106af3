"""The stored pages of one scan as the site checks see them, read back in chunks.

:class:`StoredPages` is what :attr:`xunjian.records.ScanView.pages` holds for a real scan: every iteration
reads the scan's pages from the database again, ``CHUNK`` rows per short SELECT (keyset on the page id, so a
chunk never holds a transaction open while a check runs), and yields one :class:`PageSummary` at a time.
A site check keeps only what it needs of them (per template, per column), so a scan of 100,000 pages holds
no list of 100,000 summaries. The order is the order the pages were stored.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select

from xunjian.records import PageSummary
from xunjian.storage.db import session_scope
from xunjian.storage.models import Page

CHUNK = 500
_COLUMNS = (Page.id, Page.url, Page.final_url, Page.status, Page.page_type, Page.depth, Page.title, Page.rendered,
            Page.facts)


def _summary(row: tuple) -> PageSummary:
    _pid, url, final, status, ptype, depth, title, rendered, facts = row
    return PageSummary(url=url, final_url=final or url, status=status, page_type=ptype, depth=depth or 0,
                       title=title or "", rendered=bool(rendered), facts=facts or {})


class StoredPages:
    """A re-iterable view over the stored pages of one scan (``len``, iteration, ``homepage``)."""

    def __init__(self, db_url: str, scan_id: int, chunk: int = CHUNK):
        self.db_url = db_url
        self.scan_id = scan_id
        self.chunk = chunk
        self._homepage: tuple[PageSummary | None] | None = None

    def __iter__(self) -> Iterator[PageSummary]:
        last = 0
        while True:
            with session_scope(self.db_url) as session:
                rows = session.execute(select(*_COLUMNS).where(Page.scan_id == self.scan_id, Page.id > last)
                                       .order_by(Page.id).limit(self.chunk)).all()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                yield _summary(row)
            if len(rows) < self.chunk:
                return

    def __len__(self) -> int:
        with session_scope(self.db_url) as session:
            return session.scalar(select(func.count()).where(Page.scan_id == self.scan_id)) or 0

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None

    @property
    def homepage(self) -> PageSummary | None:
        """The first stored page of type ``homepage`` (read once)."""
        if self._homepage is None:
            with session_scope(self.db_url) as session:
                row = session.execute(select(*_COLUMNS).where(Page.scan_id == self.scan_id,
                                                              Page.page_type == "homepage")
                                      .order_by(Page.id).limit(1)).first()
            self._homepage = (_summary(row) if row is not None else None,)
        return self._homepage[0]
