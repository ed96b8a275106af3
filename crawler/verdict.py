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


#: "404" as a word of its own (an error title), not a number in a sentence ("第404号", "404人", "1404").
BARE_404 = r"(?<![\d第号])404(?![\d号人个件条项次元])"
#: "404" next to an error word, for body text ("404 错误", "Error 404", "404 - 找不到文件").
NEAR_404 = rf"{BARE_404}.{{0,12}}(?:错误|error|not\s*found|找不到|不存在|抱歉|对不起)|(?:错误|error|抱歉|对不起).{{0,12}}{BARE_404}"


@cache
def linkcheck_rules() -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / "linkcheck.yaml").read_text(encoding="utf-8"))
    phrases = "|".join([*(re.escape(p) for p in data["soft404_patterns"]), *data.get("soft404_regexes", [])])
    data["_soft404"] = re.compile(rf"{phrases}|{BARE_404}", re.I)
    data["_soft404_body"] = re.compile(rf"{phrases}|{NEAR_404}", re.I)
    data["_challenge"] = re.compile("|".join(re.escape(p) for p in data["challenge_markers"]), re.I)
    # the same markers, for a lower-cased body: without re.I the regex skips ahead on their first characters
    # (profiled: re.I made this the crawler's costliest function of its own, ~0.1 ms a page)
    data["_challenge_lower"] = re.compile("|".join(re.escape(p.lower()) for p in data["challenge_markers"]))
    return data


#: letters that re.I matches to an ASCII letter but str.lower() does not turn into one (İ ı ſ K)
_ODD_FOLDS = ("\u0130", "\u0131", "\u017f", "\u212a")


def is_challenge(status: int, body: str) -> bool:
    """A JavaScript challenge page of a web application firewall (small, scripted, marked; case-insensitive)."""
    rules = linkcheck_rules()
    if not body or len(body) > rules["challenge_max_bytes"]:
        return False
    if any(c in body for c in _ODD_FOLDS):
        return bool(rules["_challenge"].search(body))
    return bool(rules["_challenge_lower"].search(body.lower()))


def is_soft404(title: str, heading: str, text_length: int | Callable[[], int],
               body_text: str | Callable[[], str] = "", error_box: str | Callable[[], str] = "") -> bool:
    """An error page answered with 2xx: an error title or heading on a short page, an error phrase at the
    very start of a short page's visible text, or in a small box the page marks as its error message
    (``class``/``id`` with 404/error/notfound: CMS error templates that keep the site's title and menus).

    ``text_length``, ``body_text`` and ``error_box`` may be callables, so the (costly) texts are only computed
    when needed, in that order.
    """
    rules = linkcheck_rules()
    if rules["_soft404"].search(title or "") or rules["_soft404"].search(heading or ""):
        length = text_length() if callable(text_length) else text_length
        return length <= rules["soft404_max_text"]
    text = body_text() if callable(body_text) else body_text
    if text and len(text) <= rules["soft404_body_max_text"] \
            and rules["_soft404_body"].search(text[: rules["soft404_body_start"]]):
        return True
    box = error_box() if callable(error_box) else error_box
    return bool(box) and bool(rules["_soft404_body"].search(box))


_BOX_MARK = "translate(concat(' ', @class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
_BOX_XPATH = "//body//*[" + " or ".join(
    f"contains({_BOX_MARK}, '{word}')" for word in ("404", "error", "notfound", "not-found", "nofound", "not_found")
) + "]"
_BOX_HINTS = ("不存在", "找不到", "未找到", "已删除", "已被删除", "走丢", "ot found", "OT FOUND")
_BOX_ATTR = re.compile(r"""(?:class|id)\s*=\s*["'][^"'>]*(?:404|error|notfound|not-found|nofound|not_found)""", re.I)


def error_box_text(tree: Any, html: str = "", max_chars: int = 300) -> str:
    """The text of the (first three, small) elements a page marks as its error message, or ""."""
    body = tree.find(".//body") if tree is not None else None
    if body is None:
        return ""
    text = body.text_content()  # counted in C; the phrases are looked for in it before any markup is
    if not any(hint in text for hint in _BOX_HINTS) or (html and not _BOX_ATTR.search(html)):
        return ""
    texts = []
    for el in tree.xpath(_BOX_XPATH)[:3]:
        text = " ".join(el.text_content().split())
        if text and len(text) <= max_chars:
            texts.append(text)
    return " | ".join(texts)


def short_page_text(tree: Any) -> str:
    """The visible text of a page whose visible text is short enough to be an error page, else "" (cheap for
    long pages: the body's text length minus its scripts' and styles', both counted in C, decides first)."""
    body = tree.find(".//body") if tree is not None else None
    if body is None:
        return ""
    limit = linkcheck_rules()["soft404_body_max_text"]
    raw = body.text_content()
    if len(raw) > limit:
        hidden = sum(len(el.text_content()) for el in body.iter("script", "style", "noscript", "template"))
        collapsed = len(" ".join(raw.split()))
        # Dropping h characters shortens the collapsed text by at most 2h, and joining the text nodes with spaces
        # never shortens it: collapsed - 2 * hidden > limit proves the visible text longer than limit.
        if (len(raw) - hidden > 3 * limit and collapsed - hidden > limit) or collapsed - 2 * hidden > limit:
            return ""
    text = visible_text(tree)
    return text if len(text) <= limit else ""


def visible_text(tree: Any) -> str:
    """The visible text of a parsed page's body (no script or style), whitespace collapsed."""
    if tree is None:
        return ""
    parts = tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]")
    return " ".join(" ".join(parts).split())


def response_facts(response: Any, limit: int) -> dict[str, Any]:
    """What :func:`judge_response` reads from a link check's answer: body, title, first heading, text."""
    from scrapy.http import TextResponse

    ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    if not (isinstance(response, TextResponse) and response.body) or (ctype and "html" not in ctype):
        return {"body": "", "title": "", "heading": "", "text_length": 10**6}  # not a page: a sheet, a file
    sel = response.selector
    text = " ".join(" ".join(sel.xpath(
        "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]").getall()).split())
    return {"body": response.text[:limit], "title": " ".join(sel.xpath("//title//text()").getall()).strip()[:200],
            "heading": " ".join(sel.xpath("//h1//text()").getall()).strip()[:200],
            "text_length": len(" ".join(sel.xpath("//body//text()").getall())), "body_text": text,
            "error_box": lambda: error_box_text(sel.root, response.text[:limit])}


def redirect_failure_reason(urls: list[str], limit: int) -> str:
    """Why a redirect chain was given up: a loop (a page reached again, whatever its query string or session
    id) or only too many hops (browsers follow up to 20)."""
    seen: set[str] = set()
    for url in urls:
        parts = urlsplit(url)
        key = f"{parts.netloc.lower()}{parts.path.split(';', 1)[0]}"
        if key in seen:
            return "重定向循环"
        seen.add(key)
    return f"重定向次数过多 (超过 {limit} 次)"


def head_needs_get(status: int, content_type: str) -> bool:
    """A HEAD answer that cannot be judged alone: refused (many servers answer HEAD with 405/501 or wrongly),
    or an HTML page whose body may be an error page (soft 404), a JavaScript redirect loop or a challenge."""
    return status >= 400 or (200 <= status < 300 and "html" in (content_type or "").lower())


def _host(url: str) -> str:
    """host[:port] without a leading www. (another port is another host, rules.md)."""
    host = urlsplit(url).netloc.lower().rsplit("@", 1)[-1]
    return host[4:] if host.startswith("www.") else host


def redirected_to_homepage(requested: str, final: str) -> bool:
    """A deep link that ends on its own site's homepage (a typical 'wrong link': the page was removed). A
    redirect to another host is a move, followed like a browser does (LinkChecker, muffet: valid)."""
    if requested == final or is_homepage_url(requested) or _host(requested) != _host(final):
        return False
    return is_homepage_url(final) and urlsplit(final).path != urlsplit(requested).path


def judge_response(
    status: int, requested: str, final: str, body: str = "", title: str = "", heading: str = "",
    text_length: int | Callable[[], int] = 0, body_text: str | Callable[[], str] = "",
    error_box: str | Callable[[], str] = "",
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
    if 200 <= status < 300 and is_soft404(title, heading, text_length, body_text, error_box):
        return "wrong", f"页面返回 {status}，但内容是错误页面"
    if 200 <= status < 300 and is_script_bounce(body, body_text):
        return "wrong", f"页面返回 {status}，但只弹出提示并返回（错误页面）"
    return "ok", f"HTTP {status}"


#: ``alert('信息不存在');history.back()``: a message box, then back, away or closed — and nothing else to see.
_BOUNCE = re.compile(r"""alert\s*\(\s*(['"])(?P<msg>[^'"\n]{1,120})\1\s*\)\s*;?\s*(?:window\.|self\.|top\.)?"""
                     r"""(?:(?P<back>history\.(?:back|go)\s*\(|close\s*\()|location(?:\.href)?\s*=|location\.replace\s*\()""",
                     re.I)
#: A message box that then moves the visitor elsewhere is an error page only if it says so (not 本站已迁移).
_BOUNCE_ERROR = re.compile(r"不存在|删除|错误|无效|过期|无权|失败|不正确|找不到|非法|没有|不能访问|not found|error", re.I)
_BOUNCE_MAX_TEXT = 30


def is_script_bounce(body: str, body_text: str | Callable[[], str] = "") -> bool:
    """A 2xx page that only shows a script message box and sends the visitor back (or away): the error page
    of many older CMSs (``<script>alert('该信息不存在或已删除！');history.back();</script>``). A page with
    visible content of its own is never one, whatever its scripts do."""
    m = _BOUNCE.search(body) if body and len(body) <= 20000 and "alert" in body else None
    if m is None or not (m.group("back") or _BOUNCE_ERROR.search(m.group("msg"))):
        return False
    text = body_text() if callable(body_text) else body_text
    if not text and body:  # body_text is only filled for short pages: read it from the (small) markup here
        import lxml.html

        text = visible_text(lxml.html.document_fromstring(body))
    return len(text) <= _BOUNCE_MAX_TEXT


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
            request = getattr(failure, "request", None)
            meta = request.meta if request is not None else {}
            urls = [*meta.get("redirect_urls", []), *([request.url] if request is not None else [])]
            return "broken", redirect_failure_reason(urls, meta.get("redirect_times", len(urls) - 1))
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
