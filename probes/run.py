"""Probe orchestration, one for every caller (``xunjian probe`` and the scheduler's probe job): load the
site, probe it (:mod:`~xunjian.probes.client`), record it (:mod:`~xunjian.probes.storage`), optionally
run the domain checks, then update the site's alerts (:mod:`xunjian.alerts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from xunjian.probes.client import Resolver, fetch_certificate, fetch_homepage, resolve_checked
from xunjian.probes.verdicts import probe_outcome

if TYPE_CHECKING:
    from xunjian.alerts import Message
    from xunjian.checks.base import Finding
    from xunjian.config import Settings
    from xunjian.probes.client import ProbeResult
    from xunjian.storage.models import Site


@dataclass
class ProbeRun:
    """What one recorded probe of a site gave: the observation, its outcome, findings and alerts sent."""

    site: Site
    result: ProbeResult
    outcome: str
    findings: list[Finding] = field(default_factory=list)
    alerts: list[Message] = field(default_factory=list)


def probe_site(site: Site, settings: Settings, resolver: Resolver | None = None,
               cafile: str | None = None) -> ProbeResult:
    """The probe I/O for one registered site: the homepage, then the certificate if HTTPS."""
    allow = list(settings.crawl.allow_networks)
    result = fetch_homepage(site.url, settings.probe.timeout, allow, resolver, settings.crawl.user_agent)
    tls_url = result.final_url if (result.final_url or "").startswith("https://") else site.url
    if tls_url.startswith("https://") and result.error_class not in ("dns", "refused", "timeout"):
        host = urlsplit(tls_url).hostname or ""
        address = result.address if urlsplit(result.final_url or "").hostname == host else None
        try:
            address = address or resolve_checked(host, resolver, allow)[0]
        except OSError:
            return result
        result.tls = fetch_certificate(tls_url, address, settings.probe.timeout, cafile)
    return result


def probe_and_record(db_url: str, site_id: str, settings: Settings, *, domain: bool = False) -> ProbeRun | None:
    """Probe one registered site now, record it (and the domain checks if ``domain``), update its alerts.

    Returns None when the site is not registered; :class:`~xunjian.probes.client.ProbeRefused` propagates
    (a private address not allowed: nothing was sent, nothing recorded).
    """
    from xunjian import alerts
    from xunjian.probes.storage import record_probe
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site

    with session_scope(db_url) as s:
        site = s.get(Site, site_id)
        if site is None:
            return None
        s.expunge(site)
    result = probe_site(site, settings)
    with session_scope(db_url) as s:
        _row, findings = record_probe(s, s.get(Site, site_id), result, settings)
        if domain:
            from xunjian.domain import run_domain_checks

            findings += run_domain_checks(s, s.get(Site, site_id), settings)
    sent = alerts.process_site(db_url, site_id, settings)
    return ProbeRun(site, result, probe_outcome(result, settings.probe.slow_seconds), findings, sent)
