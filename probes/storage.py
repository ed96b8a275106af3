"""Probe storage (SQL): one ``probes`` row per probe, its findings merged with ``source="probe"``, and
the weekly availability verdict (V2) computed from the stored rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from xunjian.probes.verdicts import availability_findings, probe_outcome, tls_findings, weekly_verdict
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.checks.base import Finding
    from xunjian.config import Settings
    from xunjian.probes.client import ProbeResult
    from xunjian.storage.models import Probe, Site


def weekly_availability(session: Session, site_id: str, now: datetime | None = None) -> dict[str, Any]:
    """The weekly availability verdict of a site from its stored probes (7 buckets of 24 h up to ``now``)."""
    from sqlalchemy import select

    from xunjian.storage.models import Probe

    now = now or utcnow()
    start = now - timedelta(days=7)
    rows = session.execute(
        select(Probe.at, Probe.outcome).where(Probe.site_id == site_id, Probe.at > start, Probe.at <= now)
    ).all()
    buckets = [[0, 0] for _ in range(7)]
    for at, outcome in rows:
        index = min(6, int((at - start) / timedelta(days=1)))
        buckets[index][0] += 1
        buckets[index][1] += outcome == "down"
    result = weekly_verdict([(p, f) for p, f in buckets])
    result.update(site=site_id, window_start=start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  window_end=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return result


def _day_failures(session: Session, site_id: str, at: datetime) -> int:
    from sqlalchemy import func, select

    from xunjian.storage.models import Probe

    day_start = at.replace(hour=0, minute=0, second=0, microsecond=0)
    return session.scalar(select(func.count()).select_from(Probe).where(
        Probe.site_id == site_id, Probe.outcome == "down", Probe.at >= day_start, Probe.at <= at)) or 0


def record_probe(session: Session, site: Site, result: ProbeResult, settings: Settings) -> tuple[Probe, list[Finding]]:
    """Store the probe row and merge its findings (source ``probe``); resolve SC004/FN004 no longer seen."""
    from xunjian.checks.domain import offline_site_online
    from xunjian.storage.findings import merge_findings
    from xunjian.storage.maintenance import resolve_probe_findings
    from xunjian.storage.models import Probe

    outcome = probe_outcome(result, settings.probe.slow_seconds)
    row = Probe(site_id=site.id, at=result.at, outcome=outcome, status=result.status, elapsed=result.elapsed,
                error_class=result.error_class, message=result.error,
                tls_expires_at=result.tls.not_after if result.tls else None)
    session.add(row)
    session.flush()
    findings: list[Finding] = []
    if site.status != "offline":  # an offline site is expected to be unreachable: no AV001/AV002
        findings += availability_findings(result, settings.probe.slow_seconds,
                                          _day_failures(session, site.id, result.at) if outcome == "down" else 0)
    checked = ["FN004"]  # every probe judges FN004: no answer or an error page means no content served
    if result.tls is not None:
        findings += tls_findings(result.tls, result.at, settings.probe.tls_warn_days)
        checked.append("SC004")
    findings += offline_site_online(site.url, site.status, result.status, result.final_url, result.text_chars)
    findings = [f for f in findings if f.rule not in settings.checks.disabled]
    merge_findings(session, site.id, findings, scan_id=None, now=result.at, source="probe")
    resolve_probe_findings(session, site.id, checked, [f.fingerprint(site.id) for f in findings], result.at)
    return row, findings
