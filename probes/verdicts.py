"""Pure probe verdicts: observations in, findings or a verdict out (no network, no database, no clock).

Fingerprint keys: AV001 and AV002 are keyed by the probe's UTC date, so a day of failures is one
finding (its evidence counts the day's failures) and a week is at most seven. SC004 is keyed by the
kind of problem (expired, expiring, hostname, untrusted) and is resolved by the first probe that no
longer sees it.
"""

from __future__ import annotations

import ipaddress
from contextlib import suppress
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xunjian.checks.base import Finding
    from xunjian.probes.client import ProbeResult, TlsInfo

MIN_PROBES_PER_DAY = 20
FAILURE_RATIO_VETO = 0.05


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
    """RFC 6125 matching of the certificate's names (service_identity): exact, or a ``*.`` wildcard
    covering exactly the leftmost label; an IP address only matches an IP name."""
    from service_identity import CertificateError, VerificationError
    from service_identity.hazmat import DNS_ID, DNSPattern, IPAddress_ID, IPAddressPattern, verify_service_identity

    host = host.lower().rstrip(".").strip("[]")
    patterns: list = []
    for name in dns_names:
        with suppress(CertificateError, ValueError):
            patterns.append(DNSPattern.from_bytes(name.rstrip(".").encode("ascii", "replace")))
    for ip in ip_names:
        with suppress(ValueError):
            patterns.append(IPAddressPattern(pattern=ipaddress.ip_address(ip)))
    try:
        ipaddress.ip_address(host)
        service_id = IPAddress_ID(host)
    except ValueError:
        try:
            service_id = DNS_ID(host)
        except (ValueError, CertificateError):
            return False
    try:
        verify_service_identity(patterns, [service_id], [])
    except VerificationError:
        return False
    return True


def tls_findings(info: TlsInfo, now: datetime, warn_days: int) -> list[Finding]:
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
