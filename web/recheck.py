"""复查: re-check one fixed finding now, without waiting for the next scan.

A link finding (LK…) re-requests its target the way the availability probe does (same private-network
guard, redirects followed, :func:`xunjian.probes.fetch_homepage`): answering 2xx/3xx-then-2xx means fixed.
A page finding re-fetches its page, runs the page checks on it (:mod:`xunjian.web.pagecheck`) and looks
for the same fingerprint. Site-level findings (no page: footer, columns, domain…) need a full scan.
Still present → reopened; gone → resolved; both audited as ``recheck``.
"""

from __future__ import annotations

import http.client
import ssl
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from xunjian.probes import ProbeRefused, fetch_homepage, resolve_checked
from xunjian.storage import triage
from xunjian.storage.models import Site
from xunjian.storage.triage import TriageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings

MAX_BYTES = 5 * 1024 * 1024


def fetch_page(url: str, settings: Settings) -> tuple[int, str, str]:
    """(status, final URL, HTML) of one page, redirects followed, private addresses guarded."""
    for _hop in range(6):
        parts = urlsplit(url)
        resolve_checked(parts.hostname or "", None, settings.crawl.allow_networks)
        cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        kwargs: dict[str, Any] = {"context": ssl.create_default_context()} if parts.scheme == "https" else {}
        conn = cls(parts.hostname, parts.port, timeout=settings.crawl.timeout, **kwargs)
        try:
            conn.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                         headers={"User-Agent": settings.crawl.user_agent})
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308) and resp.getheader("Location"):
                url = urljoin(url, resp.getheader("Location"))
                continue
            body = resp.read(MAX_BYTES)
            charset = resp.headers.get_content_charset() or "utf-8"
            return resp.status, url, body.decode(charset, "replace")
        finally:
            conn.close()
    raise OSError("重定向次数过多")


def _link_still_broken(target: str, settings: Settings) -> tuple[bool, str]:
    result = fetch_homepage(target, timeout=settings.crawl.timeout, allow_networks=settings.crawl.allow_networks,
                            user_agent=settings.crawl.user_agent)
    if result.error_class is None and result.status is not None and result.status < 400:
        return False, f"目标可以访问 (HTTP {result.status})"
    return True, f"目标仍不可访问 ({result.status or result.error_class}: {result.error or ''})".strip()


def _page_still_has(session: Session, settings: Settings, row: Any) -> tuple[bool, str]:
    from xunjian.web.pagecheck import article_record, check_page, context_for

    status, final, html = fetch_page(row.page, settings)
    if status >= 400:
        return True, f"页面返回 HTTP {status}"
    record = article_record(final, html, None)
    record.url, record.status = row.page, status
    record.__dict__.pop("classified", None)
    record.page_type = "other"  # classified as a scan would
    site = session.get(Site, row.site_id)
    ctx = context_for(settings, site, date.today(), final)
    found, _errors = check_page(record, ctx, settings, families=(row.rule[:2],))
    if any(f.fingerprint(row.site_id) == row.fingerprint for f in found):
        return True, "页面上仍有该问题"
    return False, "页面上已没有该问题"


def recheck(session: Session, settings: Settings, finding_id: int, actor: str) -> dict[str, Any]:
    row = triage.get_finding(session, finding_id)
    if row.status != "fixed":
        raise TriageError("只有“已修复待复查”的问题可以复查")
    try:
        if row.rule.startswith("LK") and row.target:
            present, why = _link_still_broken(row.target, settings)
        elif row.page:
            present, why = _page_still_has(session, settings, row)
        else:
            raise TriageError("该问题属于全站检查项，需通过重新扫描复查", 400)
    except ProbeRefused as exc:
        raise TriageError(f"无法复查: {exc}", 400) from None
    except OSError as exc:
        present, why = True, f"无法打开页面: {exc}"
    action = "reopen" if present else "resolve"
    triage.transition(session, finding_id, action, actor, f"复查: {why}")
    return {"id": finding_id, "status": row.status, "still_present": present, "reason": why}
