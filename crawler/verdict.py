"""The verdict on one link target: ok, broken, wrong, blocked or private, with its reason.

Plain functions (the link verifier's judgment, like ``get_retry_request`` in Scrapy's retry
middleware): they take what a response or a failure told us and return ``(outcome, reason)``;
the spider only feeds them. Patterns come from ``rules/linkcheck.yaml``.
"""

from __future__ import annotations

import re
from functools import cache
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import yaml

from xunjian.config import RULES_DIR
from xunjian.urls import is_homepage_url

if TYPE_CHECKING:
    from twisted.python.failure import Failure


@cache
def linkcheck_rules() -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / "linkcheck.yaml").read_text(encoding="utf-8"))
    data["_soft404"] = re.compile("|".join(re.escape(p) for p in data["soft404_patterns"]), re.I)
    data["_challenge"] = re.compile("|".join(re.escape(p) for p in data["challenge_markers"]), re.I)
    return data


def is_challenge(status: int, body: str) -> bool:
    """A JavaScript challenge page of a web application firewall (small, scripted, marked)."""
    rules = linkcheck_rules()
    if not body or len(body) > rules["challenge_max_bytes"]:
        return False
    return bool(rules["_challenge"].search(body))


def is_soft404(title: str, heading: str, text_length: int | Callable[[], int]) -> bool:
    """An error page answered with 2xx: an error title or heading on a short page.

    ``text_length`` may be a callable, so the (costly) visible-text length is only computed for pages
    whose title or heading looks like an error.
    """
    rules = linkcheck_rules()
    if not (rules["_soft404"].search(title or "") or rules["_soft404"].search(heading or "")):
        return False
    length = text_length() if callable(text_length) else text_length
    return length <= rules["soft404_max_text"]


def redirected_to_homepage(requested: str, final: str) -> bool:
    """A deep link that ends on a homepage (a typical 'wrong link': the page was removed)."""
    if requested == final or is_homepage_url(requested):
        return False
    return is_homepage_url(final) and urlsplit(final).path != urlsplit(requested).path


def judge_response(
    status: int, requested: str, final: str, body: str = "", title: str = "", heading: str = "",
    text_length: int | Callable[[], int] = 0,
) -> tuple[str, str]:
    """Outcome of an answered request."""
    rules = linkcheck_rules()
    if status in rules["blocked_statuses"]:
        return "blocked", f"HTTP {status}" + ("，JavaScript 验证" if is_challenge(status, body) else "")
    if is_challenge(status, body):
        return "blocked", f"HTTP {status}，JavaScript 验证页面"
    if status >= 400:
        return "broken", f"HTTP {status}"
    if 300 <= status < 400:
        return "broken", f"HTTP {status} 重定向无目标"
    if redirected_to_homepage(requested, final):
        return "wrong", "深层链接被重定向到首页"
    if title or heading:
        if is_soft404(title, heading, text_length):
            return "wrong", f"页面返回 {status}，但内容是错误页面"
    return "ok", f"HTTP {status}"


def judge_failure(failure: Failure) -> tuple[str, str]:
    """Outcome of a request that got no usable answer."""
    from scrapy import exceptions as sx
    from scrapy.exceptions import IgnoreRequest
    from twisted.internet import error as terr
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    from xunjian.crawler.netguard import PrivateAddressRefused

    exc = failure.value
    if isinstance(exc, PrivateAddressRefused):
        return "private", f"内网地址 ({exc.address})"
    if isinstance(exc, IgnoreRequest):
        text = str(exc)
        if "redirect" in text.lower():
            return "broken", "重定向循环"
        return "skipped", text or "忽略"
    if isinstance(exc, (terr.DNSLookupError, getattr(sx, "CannotResolveHostError", terr.DNSLookupError))):
        return "broken", "域名解析失败"
    if isinstance(exc, (terr.ConnectionRefusedError, getattr(sx, "DownloadConnectionRefusedError", terr.ConnectionRefusedError))):
        return "broken", "连接被拒绝"
    if isinstance(exc, (terr.TimeoutError, terr.TCPTimedOutError, getattr(sx, "DownloadTimeoutError", terr.TimeoutError))):
        return "broken", "超时"
    name = type(exc).__name__
    if "SSL" in name or "TLS" in name or "Certificate" in name or "SSL" in str(exc):
        return "broken", f"TLS 错误: {exc}"[:200]
    if isinstance(exc, (ResponseNeverReceived, ResponseFailed, terr.ConnectionLost, terr.ConnectionDone,
                        getattr(sx, "ResponseDataLossError", ResponseFailed), getattr(sx, "DownloadFailedError", ResponseFailed))):
        inner = getattr(exc, "reasons", None)
        if inner and any("SSL" in str(r.value) or "certificate" in str(r.value).lower() for r in inner):
            return "broken", "TLS 错误"
        return "broken", "连接中断，未收到响应"
    if isinstance(exc, terr.ConnectError):
        return "broken", f"连接失败: {name}"
    return "broken", f"请求失败: {name}: {exc}"[:200]
