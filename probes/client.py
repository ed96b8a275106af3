"""The probe's I/O: one homepage request and one certificate read, nothing judged.

:func:`fetch_homepage` requests the homepage once, bounded by the timeout (the inspections' 15 s),
resolving the host through an injectable resolver and connecting to that pinned address; private,
loopback and link-local addresses are refused unless ``allow_networks`` allows them
(:class:`ProbeRefused`). :func:`fetch_certificate` reads the certificate of an HTTPS site and verifies
its chain. The probe itself does not verify the certificate (a browser user can still open the site):
certificate problems are SC004 (:mod:`xunjian.probes.verdicts`), never AV001.
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
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from xunjian.storage.types import utcnow

logger = logging.getLogger(__name__)

Resolver = Callable[[str], list[str]]
MAX_REDIRECTS = 5
MAX_BODY_BYTES = 2 * 1024 * 1024
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
        self._tls = ctx

    def connect(self) -> None:
        sock = _connect(self._address, self.port, self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


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


def fetch_homepage(url: str, timeout: float, allow_networks: list[str] | None = None,
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


def fetch_certificate(url: str, address: str | None, timeout: float,
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
