"""Availability probes (AV001, AV002), the TLS check (SC004) and the weekly availability verdict (V2).

Three layers, kept apart as in Uptime Kuma's ``tls.js``:

- **I/O** — :func:`fetch_homepage` requests the homepage once, bounded by ``probe.timeout`` (the
  inspections' 15 s), resolving the host through an injectable resolver and refusing private,
  loopback and link-local addresses unless ``crawl.allow_networks`` allows them
  (:class:`ProbeRefused`). :func:`fetch_certificate` reads the certificate of an HTTPS site.
- **Pure verdicts** — :func:`availability_findings`, :func:`tls_findings`, :func:`weekly_verdict`:
  data in, findings / verdict out; no network, no database, no wall clock.
- **Storage** — :func:`record_probe` stores one ``probes`` row and merges the findings with
  ``source="probe"``; :func:`weekly_availability` computes the verdict from the stored rows.

Fingerprint keys: AV001 and AV002 are keyed by the probe's UTC date, so a day of failures is one
finding (its evidence counts the day's failures) and a week is at most seven. SC004 is keyed by the
kind of problem (expired, expiring, hostname, untrusted) and is resolved by the first probe that no
longer sees it. Certificate problems never make the availability probe fail: the probe does not
verify the certificate (a browser user can still open the site), SC004 reports it instead.
"""

from __future__ import annotations

import http.client
import logging
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from xunjian.checks.base import Finding
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings
    from xunjian.storage.models import Probe, Site

logger = logging.getLogger(__name__)

Resolver = Callable[[str], list[str]]
MAX_REDIRECTS = 5
MAX_BODY_BYTES = 2 * 1024 * 1024
MIN_PROBES_PER_DAY = 20
FAILURE_RATIO_VETO = 0.05
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)


class ProbeRefused(Exception):
    """The target resolves to an address the probe may not reach (private network not allowed)."""


@dataclass
class TlsInfo:
    """What the certificate of an HTTPS site says, plus the chain verification result."""

    host: str
    url: str = ""
    not_before: datetime | None = None
    not_after: datetime | None = None
    subject: str = ""
    issuer: str = ""
    dns_names: list[str] = field(default_factory=list)
    ip_names: list[str] = field(default_factory=list)
    verify_error: str | None = None  # None: the chain verified (hostname checked separately)
    error: str | None = None  # the certificate could not be read at all


@dataclass
class ProbeResult:
    """One request of a homepage: the raw observation, before any judgment."""

    url: str
    at: datetime
    status: int | None = None
    elapsed: float | None = None
    error_class: str | None = None  # dns | refused | timeout | tls | connection | redirects | private
    error: str | None = None
    final_url: str | None = None
    address: str | None = None
    text_chars: int = 0
    tls: TlsInfo | None = None


# --------------------------------------------------------------------------------------------- I/O


def _allowed(address: str, allow_networks: list[str]) -> bool:
    from xunjian.crawler.netguard import is_address_allowed

    return is_address_allowed(address, allow_networks)


def resolve_checked(host: str, resolver: Resolver | None, allow_networks: list[str]) -> list[str]:
    """The host's addresses; :class:`ProbeRefused` if any is private and not allowed (OSError if none)."""
    from xunjian.crawler.netguard import system_resolver

    bare = host.strip("[]")
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in bare else socket.AF_INET, bare)
        addresses = [bare]
    except OSError:
        addresses = (resolver or system_resolver)(host)
    if not addresses:
        raise socket.gaierror(f"{host} 没有解析结果")
    for address in addresses:
        if not _allowed(address, allow_networks):
            raise ProbeRefused(f"{host} 解析为内网地址 {address}，未在 crawl.allow_networks 中允许，拒绝探测")
    return addresses


def _connect(address: str, port: int, timeout: float) -> socket.socket:
    return socket.create_connection((address, port), timeout=timeout)


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to an already resolved (and guarded) address, Host header from the URL."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # certificate problems are SC004, not AV001
        super().__init__(host, port, timeout=timeout, context=ctx)
        self._address = address

    def connect(self) -> None:
        sock = _connect(self._address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _classify(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return "dns"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, ssl.SSLError):
        return "tls"
    return "connection"


def _one_request(url: str, deadline: float, resolver: Resolver | None, allow: list[str],
                 user_agent: str) -> tuple[int, str | None, bytes, str]:
    """One GET (no redirect following): (status, location, body, address). Raises on failure."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    last_exc: BaseException = socket.gaierror(f"{host} 没有解析结果")
    for address in resolve_checked(host, resolver, allow):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("超时")
        conn = (_PinnedHTTPS if https else _PinnedHTTP)(host, port, address, remaining)
        try:
            path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            conn.request("GET", path, headers={"User-Agent": user_agent, "Accept": "text/html,*/*"})
            sock = conn.sock  # kept: http.client drops conn.sock once a closing response is read
            resp = conn.getresponse()
            chunks, size = [], 0
            while size < MAX_BODY_BYTES:
                if time.monotonic() > deadline:
                    raise TimeoutError("读取首页内容超时")
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = resp.read1(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
            return resp.status, resp.getheader("Location"), b"".join(chunks), address
        except (ConnectionRefusedError, socket.gaierror) as exc:
            last_exc = exc  # try the next address
        finally:
            conn.close()
    raise last_exc


def fetch_homepage(url: str, timeout: float = 15.0, allow_networks: list[str] | None = None,
                   resolver: Resolver | None = None, user_agent: str = "xunjian-probe") -> ProbeResult:
    """Request ``url`` once (following up to 5 redirects) within ``timeout`` seconds overall.

    Returns a :class:`ProbeResult` whatever happened; raises :class:`ProbeRefused` only when the
    target is a private address that is not allowed (then nothing was sent).
    """
    allow = list(allow_networks or [])
    result = ProbeResult(url=url, at=utcnow())
    start = time.monotonic()
    deadline = start + timeout
    current = url
    try:
        for hop in range(MAX_REDIRECTS + 1):
            try:
                status, location, body, address = _one_request(current, deadline, resolver, allow, user_agent)
            except ProbeRefused as exc:
                if hop == 0:
                    raise
                # the public site redirects visitors to an address they cannot reach: a failure
                result.error_class, result.error = "private", f"重定向到内网地址: {exc}"
                break
            result.status, result.address, result.final_url = status, address, current
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            text = _TAGS.sub(" ", body.decode("utf-8", "replace"))
            result.text_chars = len("".join(text.split()))
            break
        else:
            result.error_class, result.error = "redirects", f"重定向超过 {MAX_REDIRECTS} 次"
    except ProbeRefused:
        raise
    except Exception as exc:  # every network failure is an observation, classified
        result.error_class = _classify(exc)
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    result.elapsed = round(time.monotonic() - start, 3)
    if result.error_class is None and result.elapsed >= timeout:
        result.error_class, result.error = "timeout", f"{timeout:g} 秒内未打开"
    return result


def fetch_certificate(url: str, address: str | None = None, timeout: float = 15.0,
                      cafile: str | None = None) -> TlsInfo:
    """Read the certificate of an HTTPS ``url`` and verify its chain (hostname is judged separately)."""
    from cryptography import x509

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or 443
    info = TlsInfo(host=host, url=url)
    target = address or host
    try:
        raw = ssl.create_default_context()
        raw.check_hostname, raw.verify_mode = False, ssl.CERT_NONE
        with _connect(target, port, timeout) as sock, raw.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
        cert = x509.load_der_x509_certificate(der)
    except Exception as exc:  # handshake failure, garbage: no certificate to judge
        info.error = f"{type(exc).__name__}: {exc}"[:300]
        return info
    info.not_before, info.not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    info.subject, info.issuer = cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        info.dns_names = san.get_values_for_type(x509.DNSName)
        info.ip_names = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        cns = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
        info.dns_names = [str(cns[0].value)] if cns else []
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    try:
        with _connect(target, port, timeout) as sock, ctx.wrap_socket(sock, server_hostname=host):
            pass
    except ssl.SSLCertVerificationError as exc:
        info.verify_error = exc.verify_message or str(exc)
    except (OSError, ssl.SSLError) as exc:
        info.verify_error = f"{type(exc).__name__}: {exc}"[:300]
    return info


# ------------------------------------------------------------------------------------ pure verdicts


def probe_outcome(result: ProbeResult, slow_seconds: float) -> str:
    """``down`` (AV001: error or HTTP >= 400), ``slow`` (AV002) or ``up``."""
    if result.error_class or result.status is None or result.status >= 400:
        return "down"
    if result.elapsed is not None and result.elapsed > slow_seconds:
        return "slow"
    return "up"


def availability_findings(result: ProbeResult, slow_seconds: float, day_failures: int = 1) -> list[Finding]:
    """AV001 for a failed probe, AV002 for a slow one; keyed by UTC date (one finding per site-day)."""
    from xunjian.checks import finding

    outcome = probe_outcome(result, slow_seconds)
    day = result.at.strftime("%Y-%m-%d")
    evidence = {"status": result.status, "elapsed": result.elapsed, "error_class": result.error_class,
                "error": result.error, "at": result.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "date": day}
    if outcome == "down":
        why = result.error or f"HTTP {result.status}"
        return [finding("AV001", f"首页探测失败: {why} (当日第 {day_failures} 次失败)", page=result.url,
                        evidence={**evidence, "failures_that_day": day_failures}, key=day)]
    if outcome == "slow":
        return [finding("AV002", f"首页响应慢: {result.elapsed:.1f} 秒 (阈值 {slow_seconds:g} 秒)",
                        page=result.url, evidence=evidence, key=day)]
    return []


def hostname_matches(host: str, dns_names: list[str], ip_names: list[str]) -> bool:
    """RFC 6125 matching: exact, or a ``*.`` wildcard covering exactly the leftmost label."""
    host = host.lower().rstrip(".")
    if host in ip_names:
        return True
    for name in (n.lower().rstrip(".") for n in dns_names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


def tls_findings(info: TlsInfo, now: datetime, warn_days: int = 30) -> list[Finding]:
    """SC004 findings for one certificate: expired, expiring within ``warn_days``, hostname, untrusted."""
    from xunjian.checks import finding

    page = info.url or f"https://{info.host}/"
    base = {"host": info.host, "subject": info.subject, "issuer": info.issuer,
            "not_after": info.not_after.strftime("%Y-%m-%dT%H:%M:%SZ") if info.not_after else None}
    if info.error:
        return [finding("SC004", f"无法读取 HTTPS 证书: {info.error}", page=page,
                        evidence={**base, "error": info.error}, key="unreadable")]
    out: list[Finding] = []
    expired = info.not_after is not None and info.not_after <= now
    if expired:
        out.append(finding("SC004", f"HTTPS 证书已于 {info.not_after:%Y-%m-%d} 过期", page=page,
                           evidence=base, key="expired"))
    elif info.not_after is not None and info.not_after - now <= timedelta(days=warn_days):
        days = (info.not_after - now).days
        out.append(finding("SC004", f"HTTPS 证书将于 {info.not_after:%Y-%m-%d} 过期 (剩余 {days} 天)",
                           page=page, evidence={**base, "days_left": days}, key="expiring"))
    if not hostname_matches(info.host, info.dns_names, info.ip_names):
        names = ", ".join(info.dns_names + info.ip_names) or "无"
        out.append(finding("SC004", f"HTTPS 证书与域名 {info.host} 不匹配 (证书名称: {names})", page=page,
                           evidence={**base, "names": info.dns_names + info.ip_names}, key="hostname"))
    if info.verify_error and not (expired and "expired" in info.verify_error):
        out.append(finding("SC004", f"HTTPS 证书不受信任: {info.verify_error}", page=page,
                           evidence={**base, "verify_error": info.verify_error}, key="untrusted"))
    return out


def weekly_verdict(per_day: list[tuple[int, int]]) -> dict[str, Any]:
    """V2 over 7 daily buckets ``(probes, failures)``, oldest first.

    ``fail`` (the veto) when failures are >= 5 % of all probes and every day has at least 20 probes (the
    indicator judges a full week); ``failing`` when failures are >= 5 % but the week is not complete yet;
    otherwise ``pass`` when every day has at least 20 probes, ``insufficient`` when some day has fewer,
    ``no-data`` without any probe.
    """
    probes = sum(p for p, _ in per_day)
    failures = sum(f for _, f in per_day)
    ratio = failures / probes if probes else 0.0
    days_enough = sum(1 for p, _ in per_day if p >= MIN_PROBES_PER_DAY)
    if not probes:
        verdict, label = "no-data", "无探测数据"
    elif ratio >= FAILURE_RATIO_VETO and days_enough == len(per_day):
        verdict, label = "fail", "不可访问(否决)"
    elif ratio >= FAILURE_RATIO_VETO:
        verdict, label = "failing", "失败率≥5%，监测未满一周，暂不判定否决"
    elif days_enough == len(per_day):
        verdict, label = "pass", "通过"
    else:
        verdict, label = "insufficient", "探测次数不足"
    summary = (f"失败 {failures}/{probes} ({ratio:.1%})，每日≥{MIN_PROBES_PER_DAY}次 {days_enough}/{len(per_day)} 天"
               f"：{label}") if probes else label
    return {"probes": probes, "failures": failures, "failure_ratio": round(ratio, 4),
            "probes_per_day": [p for p, _ in per_day], "failures_per_day": [f for _, f in per_day],
            "days_enough": days_enough, "verdict": verdict, "summary": summary}


# ----------------------------------------------------------------------------------------- storage


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
