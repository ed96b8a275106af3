"""Carried pages of an incremental scan (``incremental.revisit: lists``): the previous scan's pages that
this scan did not store — unchanged pages (304 or same hash) and the articles only unchanged lists lead
to, which were not requested at all (:mod:`xunjian.crawler.incremental`) — copied into the new scan in bulk
(set-based ``INSERT … SELECT``, in chunks), so that the site checks, the finding lifecycle, the score and
the reports see the old + new set as a full scan would.

Which pages are carried: every page of the previous scan that has no row in the new scan, unless the new
scan got a verdict other than ok on its URL (a 404/410, or a guard or robots refusal, from a link check).
A partial scan (page budget spent) carries only the unchanged pages it requested, within its budget.
A page removed from the site, or no longer linked, is therefore carried until the next full scan
(``incremental.full_every_days``, or ``scan --full``) — unless a changed page still links to it: changed
pages are followed, their known articles requested (conditionally), so a removed article still listed is a
broken link the same night.

What is copied, per chunk of pages, in one short transaction: the page rows (facts, validators, the time
they were fetched), their link rows; the page findings of carried pages (``facts.page_findings``) are kept
alive (:func:`touch_findings`); then the previous verdicts on every target the new scan links to and did
not check itself (articles, attachments, images, external links of carried pages). Memory: one chunk of
page rows at a time is read (the site checks read the carried pages back with the rest).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, insert, literal, not_, select

from xunjian.storage.db import session_scope
from xunjian.storage.incremental import PAGE_FINDINGS, touch_findings
from xunjian.storage.models import Link, LinkResult, Page
from xunjian.storage.scans import add_counts


CHUNK = 1000

_PAGE_COLUMNS = ("url", "final_url", "status", "content_type", "encoding", "bytes", "elapsed", "depth", "title",
                 "page_type", "rendered", "error", "facts", "fetched_at", "etag", "last_modified", "content_hash")
_LINK_COLUMNS = ("target", "kind", "tag", "anchor_text", "internal")
_RESULT_COLUMNS = ("target", "outcome", "status", "reason", "final_url", "redirect_chain", "elapsed", "method",
                   "checked_at")


def carry_forward(db_url: str, site_id: str, scan_id: int, previous_id: int,
                  only: list[int] | None = None) -> dict[str, int]:
    """Copy the previous scan's pages to carry (module docstring) into scan ``scan_id``; ``only``: among these
    previous page ids (a partial scan carries only the unchanged pages it requested); returns stats
    (``incremental/*``). The site checks then read the carried pages back with the rest
    (:class:`xunjian.storage.summaries.StoredPages`)."""
    carried = links = touched = 0
    after, among = 0, sorted(only) if only is not None else None
    while among is None or among:
        window = None
        if among is not None:
            window, among = among[:CHUNK], among[CHUNK:]
        with session_scope(db_url) as session:
            ids = _next_chunk(session, scan_id, previous_id, after, window)
            if not ids:
                if window is None:
                    break
                continue
            after = ids[-1]
            carried += len(ids)
            session.execute(insert(Page).from_select(
                ("scan_id", *_PAGE_COLUMNS),
                select(literal(scan_id), *(getattr(Page, c) for c in _PAGE_COLUMNS)).where(Page.id.in_(ids))))
            new = Page.__table__.alias("new_page")
            copied = session.scalar(select(func.count()).where(Link.page_id.in_(ids))) or 0
            session.execute(insert(Link).from_select(
                ("scan_id", "page_id", *_LINK_COLUMNS),
                select(literal(scan_id), new.c.id, *(getattr(Link, c) for c in _LINK_COLUMNS))
                .join(Page, Page.id == Link.page_id)
                .join(new, and_(new.c.scan_id == scan_id, new.c.url == Page.url))
                .where(Link.page_id.in_(ids))))
            links += copied
            fingerprints: list[str] = []
            for facts in session.scalars(select(Page.facts).where(Page.id.in_(ids))):
                fingerprints.extend((facts or {}).get(PAGE_FINDINGS, ()))
            touched += touch_findings(session, site_id, fingerprints, scan_id)
            add_counts(session, scan_id, pages_count=len(ids), links_count=copied)
    results, errors = carry_results(db_url, scan_id, previous_id) if carried else (0, 0)
    return {"incremental/carried": carried, "incremental/carried_links": links,
            "incremental/carried_results": results, "incremental/carried_findings": touched,
            "incremental/carried_errors": errors}


def _next_chunk(session: Any, scan_id: int, previous_id: int, after: int, window: list[int] | None) -> list[int]:
    """Ids of the next chunk of previous pages to carry (keyset order by id; within ``window`` if given)."""
    fetched = Page.__table__.alias("fetched")
    return list(session.scalars(
        select(Page.id).where(
            Page.scan_id == previous_id, Page.id > after, Page.id.in_(window) if window is not None else True,
            not_(exists().where(fetched.c.scan_id == scan_id, fetched.c.url == Page.url)),
            not_(exists().where(LinkResult.scan_id == scan_id, LinkResult.target == Page.url,
                                LinkResult.outcome != "ok")))
        .order_by(Page.id).limit(CHUNK)))


def carry_results(db_url: str, scan_id: int, previous_id: int) -> tuple[int, int]:
    """The previous verdicts on targets this scan links to but did not check; (rows copied, of them not ok)."""
    with session_scope(db_url) as session:
        low, high = session.execute(select(func.min(LinkResult.id), func.max(LinkResult.id))
                                    .where(LinkResult.scan_id == previous_id)).one()
    copied = errors = 0
    new = LinkResult.__table__.alias("new_result")
    for start in range(low or 0, (high or -1) + 1, CHUNK * 5):
        window = and_(LinkResult.scan_id == previous_id, LinkResult.id >= start, LinkResult.id < start + CHUNK * 5,
                      not_(exists().where(new.c.scan_id == scan_id, new.c.target == LinkResult.target)),
                      exists().where(Link.scan_id == scan_id, Link.target == LinkResult.target))
        with session_scope(db_url) as session:
            # counted first: INSERT … SELECT's rowcount is -1 on PostgreSQL (psycopg through SQLAlchemy)
            rows = session.scalar(select(func.count()).where(window)) or 0
            bad = session.scalar(select(func.count()).where(window, LinkResult.outcome.not_in(("ok", "skipped")))) or 0
            if rows:
                session.execute(insert(LinkResult).from_select(
                    ("scan_id", *_RESULT_COLUMNS),
                    select(literal(scan_id), *(getattr(LinkResult, c) for c in _RESULT_COLUMNS)).where(window)))
            copied, errors = copied + rows, errors + bad
            add_counts(session, scan_id, targets_checked=rows, errors_count=bad)
    return copied, errors
