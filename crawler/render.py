"""Browser rendering: which pages need Chromium, and the Scrapy wiring that renders them.

Many government pages fill their lists with JavaScript, and many sit behind a web application
firewall that answers a JavaScript challenge (HTTP 202/412 with a script that sets a cookie and
reloads). The spider fetches every page without a browser first; :func:`needs_render` then decides,
from that static record alone, whether to fetch it again in Chromium (scrapy-playwright with Debian's
``/usr/bin/chromium``):

- ``render: never`` (per site, registry): never; no browser is ever started.
- ``render: auto`` (the default): a JavaScript challenge page (``"challenge page"``), an answer that
  looks like an anti-bot wall (``"blocked"``, LK006 is re-checked in the browser), an HTML page whose
  static list container is empty and filled by a script (``"script-fed list"``), or (at most
  ``render.max_suspect_pages`` per scan, :class:`SuspectRenders`) a page with an off-site link coloured
  like its background by the page's styles that an external style sheet may restyle
  (``"hidden-link suspect"``, SC001: the browser's computed colours decide).
- ``render: always``: every HTML page that the static fetch found usable (``"always"``), plus the above.

:func:`render_settings` turns ``settings.render`` and the site's mode into Scrapy settings: the
scrapy-playwright download handler is installed only when the mode is not ``never``, ``render.enabled``
is true and the Chromium executable exists (otherwise ``RENDER_UNAVAILABLE`` carries one warning, and the
scan goes on without a browser). Requests without ``meta["playwright"]`` keep going through Scrapy's
HTTP handler.

:class:`~xunjian.crawler.browser.RenderMiddleware` (downloader middleware, next to the download handler;
in :mod:`xunjian.crawler.browser`) prepares every
``playwright=True`` request: a bounded number of pages at once (``RENDER_MAX_CONCURRENT_PAGES``), a
browser context recycled every ``RENDER_MAX_PAGES_PER_CONTEXT`` pages and closed once its pages are
done (flat memory), the private-network guard applied to every request the page makes
(:func:`~xunjian.crawler.netguard.restricted_address`, with the crawl's allow list; images, fonts
and media are aborted), a log of the main frame's navigations (the final status after a challenge),
and :func:`~xunjian.crawler.browser.settle`, which waits (bounded) for a challenge to reload into the real page and for the
page's own requests to finish (script-fed lists). Stats: ``render/pages``, ``render/context_recycled``,
``render/context_closed``, ``render/aborted/<type>``, ``netguard/refused_in_browser``.

Settings: ``RENDER_ENABLED``, ``RENDER_MODE``, ``RENDER_MAX_CONCURRENT_PAGES``, ``RENDER_MAX_SUSPECT_PAGES``,
``RENDER_MAX_PAGES_PER_CONTEXT``, ``RENDER_TIMEOUT``, ``RENDER_UNAVAILABLE``; the guard reuses
``XJ_ALLOW_NETWORKS`` and ``XJ_RESOLVER``. Meta: ``xj_render`` (the reason a request renders),
``xj_nav`` (the :class:`NavigationLog`, set by the middleware).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from xunjian.crawler.verdict import is_challenge

if TYPE_CHECKING:
    import lxml.html
    from scrapy.http import Response

    from xunjian.config import RenderSettings
    from xunjian.records import PageRecord

logger = logging.getLogger(__name__)

MODES = ("auto", "always", "never")
CHALLENGE_STATUSES = frozenset({202, 412})
CHALLENGE_MAX_BYTES = 20000
MISSING_BROWSER = ("未找到 Chromium 浏览器 ({path})，本次扫描不渲染页面 (脚本填充的列表、JavaScript 验证页面和疑似暗链按静态结果处理)。"
                   "安装: apt-get install -y chromium fonts-noto-cjk")
MISSING_PACKAGE = "未安装 scrapy-playwright，本次扫描不渲染页面。安装: pip install scrapy-playwright"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

# -- the decision --------------------------------------------------------------------------------------

_LIST_MARK = re.compile(r"list|news|item|article|content|data|result|xxgk|gkml|lb|tab|con|wrap|box", re.I)
_FILL_CODE = re.compile(
    r"innerHTML|appendChild|insertAdjacentHTML|\.append\(|\.html\(|\$\.(?:ajax|get|getJSON|post)|\bfetch\(|"
    r"XMLHttpRequest|\.json\b|JSON\.parse|template|render\(", re.I)
_LIBRARY_SCRIPT = re.compile(
    r"jquery|bootstrap|layer|swiper|vue|react|polyfill|analytics|stat|baidu|cnzz|share", re.I)
_CONTAINER_TAGS = ("ul", "ol", "tbody", "table", "div", "dl")


def is_challenge_page(status: int, html: str) -> bool:
    """A JavaScript challenge: a known WAF marker, or a small 202/412 answer that is mostly a script."""
    if is_challenge(status, html):
        return True
    if status not in CHALLENGE_STATUSES or not html or len(html) > CHALLENGE_MAX_BYTES:
        return False
    lower = html.lower()
    if "<script" not in lower:
        return False
    text = re.sub(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", " ", html, flags=re.S | re.I)
    return len(text.split()) < 40


def script_fed_list(tree: lxml.html.HtmlElement | None) -> str | None:
    """The id/class of an empty list container that a script fills, or None.

    Reuses :func:`xunjian.checks.pagetype.script_fed_container` (an inline script names the container)
    and adds a heuristic of its own: an empty container whose id or class marks a list, on a page with
    an inline script that writes HTML or loads data (innerHTML, appendChild, ``$.ajax``, fetch, JSON), or
    with an external script that is not a common library.
    """
    if tree is None:
        return None
    from xunjian.checks.pagetype import script_fed_container

    found = script_fed_container(tree)
    if found:
        return found
    empties = []
    for el in tree.xpath("//body//*[not(*)]"):
        if el.tag not in _CONTAINER_TAGS or (el.text or "").strip():
            continue
        marker = f"{el.get('id') or ''} {el.get('class') or ''}".strip()
        if marker and _LIST_MARK.search(marker):
            empties.append(marker)
    if not empties:
        return None
    inline = " ".join(s.text or "" for s in tree.iter("script") if not s.get("src"))
    external = [s.get("src") for s in tree.iter("script") if s.get("src")]
    if _FILL_CODE.search(inline) or any(not _LIBRARY_SCRIPT.search(src) for src in external):
        return empties[0]
    return None


def needs_render(record: PageRecord, mode: str, outcome: str = "ok") -> str | None:
    """Why this statically fetched page should be rendered in the browser, or None.

    ``outcome`` is the link verdict on the static answer (:func:`~xunjian.crawler.verdict.judge_response`).
    """
    if mode not in ("auto", "always") or record.rendered:
        return None
    if is_challenge_page(record.status, record.html):
        return "challenge page"
    if outcome == "blocked":
        return "blocked"
    if not record.is_html or outcome != "ok" or not 200 <= record.status < 300:
        return None
    if mode == "always":
        return "always"
    if script_fed_list(record.tree):
        return "script-fed list"
    return None


SUSPECT = "hidden-link suspect"
SUSPECTS_SPENT = "本次扫描疑似暗链 (文字颜色可能与背景相同) 的浏览器复核已达上限 {limit} 个页面，其余按静态结果判断"


class SuspectRenders:
    """SC001 "suspect, then confirm": a page with an off-site link that its own styles colour like its
    background, which an external style sheet or script may restyle, is rendered so that the browser's
    computed colours decide (:func:`xunjian.checks.security_hidden.colour_suspects`). At most ``limit``
    such pages per scan (``render.max_suspect_pages``); each off-site target is looked at once."""

    def __init__(self, limit: int, site: Any) -> None:
        self.limit = self.left = limit
        self.site = site
        self.looked: set[str] = set()

    def _offsite(self, url: str) -> bool:
        from xunjian.checks.security import is_trusted

        host = urlsplit(url).hostname or ""
        return urlsplit(url).scheme in ("http", "https") and bool(host) and not self.site.is_internal(url) \
            and not is_trusted(host)

    def reason(self, record: PageRecord, mode: str, outcome: str = "ok") -> str | None:
        """``SUSPECT`` when this static page should be rendered to settle a suspect link, else None."""
        if self.left <= 0 or mode not in ("auto", "always") or record.rendered or outcome != "ok" \
                or not record.is_html or not 200 <= record.status < 300 or record.tree is None:
            return None
        from xunjian.checks.security_hidden import colour_suspects

        if not colour_suspects(record.tree, record.final_url or record.url, self._offsite, self.looked):
            return None
        self.left -= 1
        if self.left == 0:
            logger.warning(SUSPECTS_SPENT.format(limit=self.limit))
        return SUSPECT


def needs_recheck(outcome: str, mode: str) -> bool:
    """A link target judged ``blocked`` (LK006) is re-checked once in the browser."""
    return outcome == "blocked" and mode in ("auto", "always")


# -- settings ------------------------------------------------------------------------------------------

def render_settings(render: RenderSettings, mode: str) -> dict[str, Any]:
    """Scrapy settings for rendering one site: the scrapy-playwright handler only when it can and must run."""
    values: dict[str, Any] = {"RENDER_ENABLED": False, "RENDER_MODE": mode if mode in MODES else "auto"}
    if values["RENDER_MODE"] == "never" or not render.enabled:
        return values
    if not (os.path.isfile(render.executable_path) and os.access(render.executable_path, os.X_OK)):
        values["RENDER_UNAVAILABLE"] = MISSING_BROWSER.format(path=render.executable_path)
        return values
    try:
        import scrapy_playwright  # noqa: F401
    except ImportError:
        values["RENDER_UNAVAILABLE"] = MISSING_PACKAGE
        return values
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    timeout_ms = render.timeout * 1000
    values.update({
        "RENDER_ENABLED": True,
        "RENDER_MAX_CONCURRENT_PAGES": render.max_concurrent_pages,
        "RENDER_MAX_PAGES_PER_CONTEXT": render.max_pages_per_context,
        "RENDER_TIMEOUT": render.timeout,
        "RENDER_MAX_SUSPECT_PAGES": render.max_suspect_pages,
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": {"executable_path": render.executable_path, "headless": True,
                                      "args": LAUNCH_ARGS, "timeout": timeout_ms},
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": render.max_concurrent_pages,
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": timeout_ms,
        "PLAYWRIGHT_DOWNLOAD_TIMEOUT": 5000,
        # The browser's own headers (with the cookies a challenge script set); the crawl's User-Agent is
        # set on each context instead (playwright_context_kwargs).
        "PLAYWRIGHT_PROCESS_REQUEST_HEADERS": None,
        "PLAYWRIGHT_RESTART_DISCONNECTED_BROWSER": True,
    })
    return values


# -- in the browser -------------------------------------------------------------------------------------

@dataclass
class NavigationLog:
    """The main frame's document responses of one rendered page (a challenge reloads: several)."""

    statuses: list[tuple[int, str]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    refused: list[str] = field(default_factory=list)
    pending: int = 0  # requests of the page not finished yet (XHR/fetch filling a list)

    def started(self, _request: Any = None) -> None:
        self.pending += 1

    def finished(self, _request: Any = None) -> None:
        self.pending = max(self.pending - 1, 0)

    def add(self, status: int, url: str) -> None:
        if 300 <= status < 400:
            return  # a redirect: the next response in the chain follows
        self.statuses.append((status, url))
        self.changed.set()

    @property
    def last_status(self) -> int | None:
        return self.statuses[-1][0] if self.statuses else None


def final_status(response: Response) -> int:
    """The status of the page the browser ended on (after a challenge's reloads), else the response's."""
    nav = response.meta.get("xj_nav")
    return nav.last_status if isinstance(nav, NavigationLog) and nav.last_status else response.status


async def collect_link_visibility_async(page: Any) -> list[dict[str, Any]] | None:
    """The browser's computed visibility of every link (SC001 confirms or refutes hidden links with it)."""
    from playwright.async_api import Error as PlaywrightError

    from xunjian.crawler.visibility import collect_link_visibility_async as collect

    try:
        return await collect(page)
    except PlaywrightError:
        return None


def page_method_result(response: Any, name: str) -> Any:
    """The result of the page method called ``name`` on a rendered response, or None."""
    for method in response.meta.get("playwright_page_methods") or ():
        if getattr(method.method, "__name__", method.method) == name:
            return getattr(method, "result", None)
    return None
