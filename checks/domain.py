"""Domain rules FN001, FN003, FN004: pure verdicts over what the domain and probe I/O observed.

The I/O (DNS lookups, a request over IPv6, the homepage probe) lives in :mod:`xunjian.domain` and
:mod:`xunjian.probes`; these functions only decide. They are not scan-time checks (they are recorded
by probes, ``source="probe"``), so this family exports no ``PAGE_CHECKS`` / ``SITE_CHECKS``.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from xunjian.checks.base import Finding

#: Government domain suffixes (国办函〔2018〕55号): English ``.gov.cn``, Chinese ``.政务`` (IDNA form too).
GOV_SUFFIXES = (".gov.cn", ".政务", ".xn--zfr164b")
#: Below this many characters of visible text an answer of an offline site is not "content".
MIN_CONTENT_CHARS = 20


def _finding(code: str, message: str, **kwargs: Any) -> Finding:
    from xunjian.checks import finding

    return finding(code, message, **kwargs)


def is_gov_host(host: str) -> bool:
    """True for ``gov.cn`` / ``政务`` names and their subdomains (case-insensitive, trailing dot ignored)."""
    host = host.lower().rstrip(".")
    return host in ("gov.cn", "政务", "xn--zfr164b") or host.endswith(GOV_SUFFIXES)


def non_gov_domain(site_url: str) -> list[Finding]:
    """FN003 — Checks for a government site not served under a ``.gov.cn`` (or ``.政务``) name.

    ## Why is this bad?
    国办函〔2018〕55号 requires government sites to use ``.gov.cn`` / ``.政务`` domains only; a bare IP
    address or a commercial suffix cannot be told apart from an impostor.

    ## Example
    ``http://www.example.com/`` fires; ``http://www.example.gov.cn/`` does not.
    """
    host = (urlsplit(site_url).hostname or "").lower()
    if not host or is_gov_host(host):
        return []
    try:
        ipaddress.ip_address(host)
        what = "IP 地址"
    except ValueError:
        what = "非政府域名"
    return [_finding("FN003", f"网站使用{what} {host}，未使用 .gov.cn 或 .政务 域名", page=site_url,
                     evidence={"host": host})]


def no_ipv6(site_url: str, aaaa: list[str], ipv6_answer: bool | None, error: str | None = None) -> list[Finding]:
    """FN001 — Checks for a site with no AAAA record, or whose AAAA address does not answer.

    ``aaaa`` is the list of IPv6 addresses the name resolves to; ``ipv6_answer`` is True when the
    homepage answered over IPv6, False when it did not, None when this host could not test it (no
    IPv6 route here). An untested AAAA record is given the benefit of the doubt.

    ## Known problems
    Favors false negatives: an AAAA record that could not be tested from here does not fire.
    """
    host = (urlsplit(site_url).hostname or "").lower()
    if not aaaa:
        return [_finding("FN001", f"域名 {host} 没有 AAAA (IPv6) 记录", page=site_url,
                         evidence={"host": host, "aaaa": []}, key="no-aaaa")]
    if ipv6_answer is False:
        return [_finding("FN001", f"域名 {host} 有 AAAA 记录，但首页无法通过 IPv6 访问: {error or '无应答'}",
                         page=site_url, evidence={"host": host, "aaaa": aaaa, "error": error}, key="no-answer")]
    return []


def offline_site_online(site_url: str, site_status: str, http_status: int | None, final_url: str | None,
                        text_chars: int) -> list[Finding]:
    """FN004 — Checks for a site registered as permanently offline that still serves content.

    Content means: a 2xx answer, on the site's own host (a redirect to a successor site is the
    expected way to close a site), with at least :data:`MIN_CONTENT_CHARS` characters of text.

    ## Why is this bad?
    A closed or merged site should stop serving pages; stale pages under a government name mislead.
    """
    if site_status != "offline" or http_status is None or not 200 <= http_status < 300:
        return []
    host = (urlsplit(site_url).hostname or "").lower()
    final_host = (urlsplit(final_url or site_url).hostname or "").lower()
    if final_host != host or text_chars < MIN_CONTENT_CHARS:
        return []
    return [_finding("FN004", f"已登记下线的网站仍可访问并提供内容 (HTTP {http_status}，正文 {text_chars} 字)",
                     page=site_url, target=final_url if final_url != site_url else None,
                     evidence={"status": http_status, "final_url": final_url, "text_chars": text_chars})]
