"""The browser side of rendering: :class:`RenderMiddleware` (the downloader middleware that prepares
every ``playwright=True`` request) and :func:`settle` (run in the page after its first load).

What renders and why is decided in :mod:`xunjian.crawler.render`, which also builds the settings read
here (``RENDER_MAX_CONCURRENT_PAGES``, ``RENDER_MAX_PAGES_PER_CONTEXT``, ``RENDER_TIMEOUT``; the guard
reuses ``XJ_ALLOW_NETWORKS`` and ``XJ_RESOLVER``).

A page whose declared charset the crawler found wrong (UTF-8 bytes behind a stale ``gb2312`` meta, see
:func:`xunjian.crawler.bounds.decoded_text`) is served to Chromium with the charset the crawler read it
with: the document is fetched by the route and fulfilled with ``Content-Type: text/html; charset=...``,
which outranks the ``<meta charset>`` in the browser's encoding rules (:func:`corrected_charset`).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from contextlib import suppress
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import NotConfigured

from xunjian.crawler.netguard import parse_networks, restricted_address, system_resolver
from xunjian.crawler.render import (
    CHALLENGE_STATUSES,
    NavigationLog,
    collect_link_visibility_async,
    is_challenge_page,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from typing_extensions import Self

    from xunjian.crawler.netguard import Network, Resolver

HEAVY_RESOURCES = frozenset({"image", "media", "font"})
IDLE_WAIT = 3.0  # seconds at most spent waiting for script-fed lists (the page's requests to finish)
QUIET = 0.2  # seconds without a pending request that count as idle (Playwright's "networkidle" waits 0.5 s)
SETTLE_MAX = 10.0  # seconds at most spent after the first load (challenge reloads, then network idle)
CHALLENGE_ROUNDS = 3  # reloads followed before a challenge counts as unpassable


async def settle(page: Any, request: Request, timeout: float) -> dict[str, Any]:
    """Wait, within ``timeout`` seconds, for a challenge to reload into the real page and for the network
    to go idle (script-fed lists). Returns what happened; never raises on a timeout."""
    from playwright.async_api import Error as PlaywrightError

    nav: NavigationLog = request.meta["xj_nav"]
    end = time.monotonic() + timeout
    rounds = 0
    while rounds < CHALLENGE_ROUNDS and time.monotonic() < end:
        status = nav.last_status or 200
        try:
            html = await page.content()
        except PlaywrightError:
            html = ""
        if not is_challenge_page(status, html) and status not in CHALLENGE_STATUSES:
            break
        nav.changed.clear()
        try:
            await asyncio.wait_for(nav.changed.wait(), timeout=max(end - time.monotonic(), 0.01))
            await page.wait_for_load_state("load", timeout=max(end - time.monotonic(), 0.01) * 1000)
        except (TimeoutError, asyncio.TimeoutError, PlaywrightError):
            break
        rounds += 1
    await _network_quiet(nav, min(time.monotonic() + IDLE_WAIT, end))
    return {"status": nav.last_status, "reloads": rounds, "url": page.url}


async def _network_quiet(nav: NavigationLog, until: float) -> None:
    """Return once the page has had no pending request for QUIET seconds, or at ``until``."""
    quiet_since = None
    while (now := time.monotonic()) < until:
        if nav.pending:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= QUIET:
            return
        await asyncio.sleep(0.05)


def corrected_charset(request: Request) -> tuple[str, frozenset[str]] | None:
    """``(charset, document URLs)`` when the static fetch of this page corrected its declared charset
    (the page facts' ``bounds.charset_corrected``), else None."""
    static = request.meta.get("xj_static")
    record = static[0] if static else None
    if record is None or not record.encoding or not record.facts.get("bounds", {}).get("charset_corrected"):
        return None
    return record.encoding, frozenset({request.url, record.final_url})


class RenderMiddleware:
    """Downloader middleware for ``playwright=True`` requests: contexts, concurrency, guard, settling."""

    def __init__(self, *, max_pages_per_context: int, max_concurrent_pages: int, timeout: float,
                 allow_networks: list[str] | None = None, resolver: Resolver | None = None,
                 user_agent: str = "", stats=None):  # noqa: ANN001
        self.max_pages_per_context = max_pages_per_context
        self.max_concurrent_pages = max_concurrent_pages
        self.timeout = timeout
        self.allow: list[Network] = parse_networks(allow_networks or [])
        self.resolver = resolver or system_resolver
        self.user_agent = user_agent
        self.stats = stats
        self._slots: asyncio.Semaphore | None = None
        self._generation = 0
        self._pages_in_generation = 0
        self._inflight: Counter[str] = Counter()
        self._contexts: dict[str, Any] = {}
        self._hosts: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        s = crawler.settings
        if not s.getbool("RENDER_ENABLED"):
            raise NotConfigured("rendering is off for this scan")
        return cls(
            max_pages_per_context=s.getint("RENDER_MAX_PAGES_PER_CONTEXT"),
            max_concurrent_pages=s.getint("RENDER_MAX_CONCURRENT_PAGES"),
            timeout=s.getfloat("RENDER_TIMEOUT"), allow_networks=s.getlist("XJ_ALLOW_NETWORKS"),
            resolver=s.get("XJ_RESOLVER"), user_agent=s.get("USER_AGENT", ""), stats=crawler.stats,
        )

    def _inc(self, key: str) -> None:
        if self.stats:
            self.stats.inc_value(key)

    # -- contexts: a new name every max_pages_per_context pages; an old one is closed when drained --

    def _context_name(self) -> str:
        if self._pages_in_generation >= self.max_pages_per_context:
            self._generation += 1
            self._pages_in_generation = 0
            self._inc("render/context_recycled")
        self._pages_in_generation += 1
        name = f"xj-{self._generation}"
        self._inflight[name] += 1
        return name

    async def _done(self, request: Request) -> None:
        name = request.meta.pop("_xj_render_context", None)
        if name is None:
            return
        if self._slots is not None:
            self._slots.release()
        self._inflight[name] -= 1
        await self._close_drained()

    async def _close_drained(self) -> None:
        """Close every context of an older generation that has no page in flight.

        Called when a page ends and when a new page starts: an old context whose last page ended before
        the generation moved on is closed on the next start.
        """
        current = f"xj-{self._generation}"
        for name in [n for n, count in self._inflight.items() if n != current and count <= 0]:
            del self._inflight[name]
            context = self._contexts.pop(name, None)
            if context is not None:
                with suppress(Exception):  # already closed (browser restarted) is fine
                    await context.close()
                self._inc("render/context_closed")

    # -- requests ---------------------------------------------------------------------------------------

    async def process_request(self, request: Request) -> None:
        if not request.meta.get("playwright"):
            return None
        from scrapy_playwright.page import PageMethod

        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrent_pages)
        await self._slots.acquire()
        name = self._context_name()
        await self._close_drained()
        meta = request.meta
        meta["_xj_render_context"] = name
        meta["playwright_context"] = name  # overwritten on a retry: its old context may be closed
        meta["playwright_context_kwargs"] = {  # used when the context is created (its first page)
            "user_agent": self.user_agent or None, "ignore_https_errors": True, "accept_downloads": False,
            "service_workers": "block", "locale": "zh-CN"}
        meta["playwright_page_init_callback"] = self._init_page
        meta["playwright_page_goto_kwargs"] = {"wait_until": "load", "timeout": self.timeout * 1000}
        meta["playwright_page_methods"] = [PageMethod(settle, request, min(self.timeout, SETTLE_MAX)),
                                           PageMethod(collect_link_visibility_async)]  # SC001 confirmation
        meta.pop("playwright_include_page", None)
        self._inc("render/pages")
        return None

    async def process_response(self, request: Request, response: Response) -> Response:
        await self._done(request)
        return response

    async def process_exception(self, request: Request, exception: Exception) -> None:
        await self._done(request)
        return None

    async def _init_page(self, page: Any, request: Request) -> None:
        """Before navigation: remember the context, log main-frame responses, guard every request."""
        name = request.meta.get("playwright_context", "")
        self._contexts.setdefault(name, page.context)
        nav = NavigationLog()
        request.meta["xj_nav"] = nav

        def on_response(response: Any) -> None:
            with suppress(Exception):
                if response.frame == page.main_frame and response.request.is_navigation_request():
                    nav.add(response.status, response.url)

        page.on("response", on_response)
        page.on("request", nav.started)
        page.on("requestfinished", nav.finished)
        page.on("requestfailed", nav.finished)

        charset = corrected_charset(request)

        async def guard(route: Any, pw_request: Any) -> None:
            reason = await self._refusal(pw_request.url, pw_request.resource_type)
            if reason is None and charset and pw_request.resource_type == "document" \
                    and pw_request.url in charset[1] and pw_request.is_navigation_request():
                await self._serve_with_charset(route, charset[0])
                return
            if reason is None:
                await route.fallback()  # on to scrapy-playwright's own handler
                return
            if reason.startswith("private"):
                nav.refused.append(pw_request.url)
            await route.abort("blockedbyclient")

        await page.route("**", guard)  # registered last, so it runs first

    async def _serve_with_charset(self, route: Any, charset: str) -> None:
        """Fetch the document and hand it to the page with the crawler's charset in its Content-Type
        (redirects are not followed here: the browser follows them through the guard)."""
        from playwright.async_api import Error as PlaywrightError

        try:
            response = await route.fetch(max_redirects=0, timeout=self.timeout * 1000)
        except PlaywrightError:
            await route.fallback()
            return
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding", "transfer-encoding")}
        kind = headers.get("content-type", "text/html").split(";")[0].strip() or "text/html"
        if "html" in kind and not 300 <= response.status < 400:
            headers["content-type"] = f"{kind}; charset={charset}"
            self._inc("render/charset_corrected")
        await route.fulfill(response=response, headers=headers)

    async def _refusal(self, url: str, resource_type: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "ws", "wss"):
            return None  # data:, blob:, about:
        if resource_type in HEAVY_RESOURCES:
            self._inc(f"render/aborted/{resource_type}")
            return "heavy"
        host = (parts.hostname or "").lower()
        if host not in self._hosts:
            self._hosts[host] = await asyncio.to_thread(restricted_address, host, self.resolver, self.allow)
        address = self._hosts[host]
        if address is not None:
            self._inc("netguard/refused_in_browser")
            return f"private {host} -> {address}"
        return None
