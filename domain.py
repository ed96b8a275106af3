"""Domain checks of a registered site (I/O): FN001 IPv6, FN003 non-government name.

FN004 (offline site still serving) needs only the homepage answer, so every probe judges it
(:func:`xunjian.probes.record_probe`). The verdicts live in :mod:`xunjian.checks.domain`.

Injectable I/O, so tests need neither real DNS nor IPv6:

- ``aaaa_lookup(host) -> list[str]`` — the AAAA addresses (default: dnspython, 5 s);
- ``ipv6_available() -> bool`` — whether this host has an IPv6 route (default: a UDP ``connect``,
  which sends no packet);
- the answer over IPv6 is a :func:`xunjian.probes.fetch_homepage` pinned to the AAAA address, behind
  the same private-address guard as every probe.

Findings are recorded with ``source="probe"``; FN001/FN003 findings no longer seen are resolved.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from xunjian.checks.domain import no_ipv6, non_gov_domain

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.checks.base import Finding
    from xunjian.config import Settings
    from xunjian.storage.models import Site

logger = logging.getLogger(__name__)

AaaaLookup = Callable[[str], list[str]]
DNS_TIMEOUT = 5.0


class DnsUnavailable(Exception):
    """The DNS answer could not be obtained (timeout, no server): FN001 cannot be judged now."""


def dns_aaaa(host: str) -> list[str]:
    """AAAA addresses of ``host`` via dnspython; [] when the name has none; DnsUnavailable otherwise."""
    import dns.exception
    import dns.resolver

    try:
        answer = dns.resolver.resolve(host, "AAAA", lifetime=DNS_TIMEOUT)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except dns.exception.DNSException as exc:
        raise DnsUnavailable(f"{type(exc).__name__}: {exc}") from None
    return sorted(r.address for r in answer)


def system_has_ipv6() -> bool:
    """True when this host has a route to the IPv6 internet (UDP connect sends nothing)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.connect(("2400:3200::1", 53))
            return not ipaddress.ip_address(sock.getsockname()[0]).is_link_local
    except OSError:
        return False


def ipv6_findings(site_url: str, settings: Settings, aaaa_lookup: AaaaLookup | None = None,
                  ipv6_available: Callable[[], bool] | None = None) -> list[Finding] | None:
    """FN001 for one site; None when it cannot be judged now (DNS unavailable)."""
    from xunjian.probes import ProbeRefused, fetch_homepage

    host = (urlsplit(site_url).hostname or "").lower()
    try:
        ip = ipaddress.ip_address(host)
        aaaa = [host] if ip.version == 6 else []
    except ValueError:
        try:
            aaaa = (aaaa_lookup or dns_aaaa)(host)
        except (DnsUnavailable, OSError) as exc:
            logger.warning("FN001 %s: DNS lookup failed, not judged: %s", host, exc)
            return None
    answer: bool | None = None
    error = None
    if aaaa and (ipv6_available or system_has_ipv6)():
        try:
            result = fetch_homepage(site_url, settings.probe.timeout, list(settings.crawl.allow_networks),
                                    resolver=lambda _h: aaaa[:1], user_agent=settings.crawl.user_agent)
            answer = result.error_class is None and result.status is not None and result.status < 400
            error = None if answer else (result.error or f"HTTP {result.status}")
        except ProbeRefused as exc:
            answer, error = False, str(exc)
    return no_ipv6(site_url, aaaa, answer, error)


def run_domain_checks(session: Session, site: Site, settings: Settings, aaaa_lookup: AaaaLookup | None = None,
                      ipv6_available: Callable[[], bool] | None = None) -> list[Finding]:
    """Judge FN001 and FN003 for ``site`` now and record them (source ``probe``); returns the findings."""
    from xunjian.storage.findings import merge_findings
    from xunjian.storage.maintenance import resolve_probe_findings
    from xunjian.storage.types import utcnow

    start = time.monotonic()
    disabled = set(settings.checks.disabled)
    findings: list[Finding] = []
    judged = []
    if "FN003" not in disabled:
        findings += non_gov_domain(site.url)
        judged.append("FN003")
    if "FN001" not in disabled:
        fn001 = ipv6_findings(site.url, settings, aaaa_lookup, ipv6_available)
        if fn001 is not None:
            findings += fn001
            judged.append("FN001")
    now = utcnow()
    merge_findings(session, site.id, findings, scan_id=None, now=now, source="probe")
    resolve_probe_findings(session, site.id, judged, [f.fingerprint(site.id) for f in findings], now)
    logger.info("domain checks %s: %s in %.1fs", site.id, ",".join(f.rule for f in findings) or "ok",
                time.monotonic() - start)
    return findings
