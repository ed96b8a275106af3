"""SiteSpider: crawl one registered site, and verify every unique link target once.

Same-site pages (registered host plus aliases) are crawled within depth and page limits; every
other target (attachments, images, scripts, stylesheets, iframes, external pages, pages beyond the
limits) is verified with HEAD, then GET when HEAD is refused, without downloading bodies. The
spider yields :class:`PageItem` (plain PageRecords) and :class:`LinkResultItem`; it runs no checks
and writes no SQL (the pipeline does).

Pages are fetched without a browser first. When the site's ``render`` mode (auto|always) and the
static answer call for it (:func:`xunjian.crawler.render.needs_render`: a script-fed list, a JavaScript
challenge, an anti-bot wall), the same URL is fetched again in Chromium (``meta["playwright"]``) and
the rendered DOM becomes the page record (``rendered=True``); if rendering fails, the static record is
kept. A link target judged ``blocked`` is re-checked once in the browser, which decides ok/broken/blocked.

Spider traps are cut by URL normalisation (session ids and tracking parameters stripped), a cap
on URL length and on distinct query strings per path, and a cap on repeated path segments.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import StopDownload
from scrapy.http import TextResponse

from xunjian.checks.security import SPIDER_USER_AGENT
from xunjian.crawler.bounds import INFLATE_CUT, bounded_html, decoded_text, links_beyond, note_depth, record_cut
from xunjian.crawler.extract import extract_links, page_title, stylesheet_links
from xunjian.crawler.downloader import ScanStopping
from xunjian.crawler.items import CloakItem, LinkResultItem, PageItem
from xunjian.crawler.render import SuspectRenders, final_status, needs_recheck, needs_render, page_method_result
from xunjian.crawler.verdict import (error_box_text, head_needs_get, judge_failure, judge_response, response_facts,
                                     short_page_text)
from xunjian.records import LinkResult, PageRecord
from xunjian.urls import is_loopback_url, normalize, path_without_query, valid_host

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from twisted.python.failure import Failure

    from xunjian.records import LinkRef, SiteInfo

logger = logging.getLogger(__name__)

HEADERS_ONLY = 0  # xj_max_body value: stop the download once the headers are in
PROBE_BODY = 65536  # GET fallback of an HTML target: enough to recognise an error or challenge page
CSS_BODY = 1 << 20  # an internal style sheet is read for its @import and url() links
URL_LENGTH_LIMIT = 2083  # a longer link is not checked (Scrapy's URLLENGTH_LIMIT, as browsers once had it)

_FRAMED = re.compile(r"(?:/|\.s?html?|\.jsp|\.php|\.aspx?)$", re.I)


def _framed_page(link: LinkRef) -> bool:
    """A same-site <iframe>/<frame> showing an HTML page (a footer or header fragment): crawled as a page, so
    the checks see what the visitor sees in the frame (the footer checks merge a framed footer)."""
    return link.kind == "iframe" and link.tag in ("iframe", "frame") and bool(_FRAMED.search(urlsplit(link.url).path))

class SiteSpider(scrapy.Spider):
    name = "site"
    custom_settings: dict[str, Any] = {}

    def __init__(self, site: SiteInfo, *, max_depth: int = 6, max_pages: int = 5000, max_url_length: int = 512,
                 max_query_variants: int = 50, strip_params: frozenset[str] = frozenset(),
                 check_external: bool = True, max_body: int = 10 * 1024 * 1024, **kw: Any):
        super().__init__(**kw)
        self.site = site
        self.max_depth = max_depth
        self.max_pages = max_pages
        self.max_url_length = max_url_length
        self.max_query_variants = max_query_variants
        self.strip_params = strip_params
        self.check_external = check_external
        self.max_body = max_body
        self.max_parse_chars = 2_000_000
        self.max_links = 20000
        self.homepage_html: str | None = None
        self.spider_view_html: str | None = None
        self.offline = False
        self.homepage = normalize(site.url.strip(), strip_params)  # a pasted URL may end in a no-break space
        self.seen: set[int] = set()  # hash() of every target seen: 64 bits, a third of the URL strings' memory
        self.pages_scheduled = 0
        self.query_variants: Counter[str] = Counter()
        self.render_mode = "never"  # auto|always only when the browser is available (RENDER_ENABLED)
        self.suspects = SuspectRenders(0, site)  # SC001 suspect pages rendered (render.max_suspect_pages)
        self.incremental: Any = None  # set by crawler/incremental.py when the scan opens
        self.shared: Any = None  # a split crawl's seen set and page budget in Redis (crawler/split.py)

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):  # noqa: ANN001, ANN206
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_depth = s.getint("XJ_MAX_DEPTH", spider.max_depth)
        spider.max_pages = s.getint("XJ_MAX_PAGES", spider.max_pages)
        ctx = s.get("XJ_CHECK_CONTEXT")
        site_budget = getattr(getattr(ctx, "options", None), "max_pages", None)
        spider.max_pages = int(site_budget) if site_budget else spider.max_pages  # the registry's per-site budget
        spider.max_url_length = s.getint("XJ_MAX_URL_LENGTH", spider.max_url_length)
        spider.max_query_variants = s.getint("XJ_MAX_QUERY_VARIANTS", spider.max_query_variants)
        spider.strip_params = frozenset(p.lower() for p in s.getlist("XJ_STRIP_QUERY_PARAMS"))
        spider.check_external = s.getbool("XJ_CHECK_EXTERNAL", True)
        spider.offline = s.getbool("XJ_OFFLINE", False)
        spider.max_body = s.getint("XJ_MAX_BODY", spider.max_body)
        spider.max_parse_chars = s.getint("XJ_MAX_PARSE_CHARS", spider.max_parse_chars)
        spider.max_links = s.getint("XJ_MAX_LINKS_PER_PAGE", spider.max_links)
        spider.homepage = normalize(spider.site.url.strip(), spider.strip_params)
        if s.get("XJ_SPLIT_PREFIX"):
            from xunjian.crawler.split import SharedCrawlState

            spider.shared = SharedCrawlState.from_settings(s)
        spider.render_mode = s.get("RENDER_MODE", "never") if s.getbool("RENDER_ENABLED") else "never"
        spider.suspects = SuspectRenders(s.getint("RENDER_MAX_SUSPECT_PAGES", 0), spider.site)
        if s.get("RENDER_UNAVAILABLE"):
            logger.warning(s.get("RENDER_UNAVAILABLE"))  # once per scan; the scan goes on without a browser
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.settings.get("RENDER_UNAVAILABLE"):
            self.crawler.stats.set_value("render/unavailable", 1)
        if self.settings.get("XJ_SPLIT_ROLE", "coordinator") != "coordinator":
            return  # a helper of a split crawl: its requests come from the shared queue
        self._first_sight(self.homepage)
        self._take_page()
        yield self._page_request(self.homepage, depth=0)
        # The homepage as a search engine's spider gets it: spam shown only to spiders is a known trick (SC001).
        yield scrapy.Request(self.homepage, callback=self.parse_spider_view, errback=self.spider_view_failed,
                             dont_filter=True, headers={"User-Agent": SPIDER_USER_AGENT},
                             meta={"dont_obey_robotstxt": True, "xj_max_body": self.max_body, "xj_html_only": True,
                                   "dont_merge_cookies": True})

    def parse_spider_view(self, response: scrapy.http.Response) -> Iterator[Any]:
        self.spider_view_html = bounded_html(response.text, self.max_parse_chars)[0] if isinstance(response, TextResponse) else ""
        yield from self._cloak_item()

    def spider_view_failed(self, failure: Failure) -> Iterator[Any]:
        self.crawler.stats.inc_value("cloaking/spider_view_failed")
        return iter(())

    def _cloak_item(self) -> Iterator[CloakItem]:
        """Once both views of the homepage are in, hand them to the pipeline to compare."""
        if self.homepage_html is not None and self.spider_view_html:
            yield CloakItem(self.homepage, self.homepage_html, self.spider_view_html)
            self.homepage_html = self.spider_view_html = None

    # -- requests ---------------------------------------------------------------------------------

    def _page_request(self, url: str, depth: int) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.page_failed, dont_filter=True,
            meta={"depth": depth, "xj_depth": depth, "xj_target": url, "xj_max_body": self.max_body,
                  "xj_html_only": True, "xj_started": time.monotonic()},
        )

    def _check_request(self, url: str, method: str = "HEAD", html_body: bool = False,
                       css_depth: int | None = None) -> scrapy.Request:
        """A link check; ``css_depth`` (an internal style sheet, linked at that depth) reads the sheet (GET)."""
        meta = {"xj_target": url, "xj_max_body": PROBE_BODY if html_body else HEADERS_ONLY, "xj_html_only": True,
                "xj_started": time.monotonic(), "dont_obey_robotstxt": True, "max_retry_times": 1}
        if css_depth is not None:
            method = "GET"
            meta.update(xj_max_body=CSS_BODY, xj_html_only=False, xj_css_depth=css_depth)
        return scrapy.Request(url, method=method, callback=self.link_checked, errback=self.link_failed,
                              dont_filter=True, priority=-1, meta=meta)

    def _render_request(self, url: str, reason: str, fallback: tuple[PageRecord, LinkResult]) -> scrapy.Request:
        """The same page again, in the browser; ``fallback`` (the static record and verdict) if that fails."""
        self.crawler.stats.inc_value(f"render/requested/{reason}")
        return scrapy.Request(
            url, callback=self.parse_page, errback=self.render_failed, dont_filter=True,
            meta={"xj_target": url, "xj_started": time.monotonic(), "playwright": True, "xj_render": reason,
                  "xj_static": fallback, "dont_retry": True, "dont_obey_robotstxt": True},
        )

    def _recheck_request(self, url: str, static: LinkResult) -> scrapy.Request:
        """A blocked link target (LK006) once more, in the browser."""
        self.crawler.stats.inc_value("render/requested/link recheck")
        return scrapy.Request(
            url, callback=self.link_rechecked, errback=self.link_recheck_failed, dont_filter=True, priority=-1,
            meta={"xj_target": url, "xj_started": time.monotonic(), "playwright": True, "xj_render": "blocked",
                  "xj_static_result": static, "dont_retry": True, "dont_obey_robotstxt": True},
        )

    def _is_trap(self, url: str) -> bool:
        if len(url) > self.max_url_length:
            return True
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(Counter(segments).values()) > 3:
            return True
        if parts.query:
            key = path_without_query(url)
            self.query_variants[key] += 1
            if self.query_variants[key] > self.max_query_variants:
                return True
        return False

    def _first_sight(self, url: str) -> bool:
        """True the first time a target is seen in the scan (in any process of a split crawl)."""
        if self.shared is not None:
            return self.shared.first_sight(url)
        key = hash(url)
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _take_page(self) -> bool:
        """One slot of the scan's page budget, if one is left."""
        if self.shared is not None:
            return self.shared.take_page(self.max_pages)
        if self.pages_scheduled < self.max_pages:
            self.pages_scheduled += 1
            return True
        return False

    def follow(self, link: LinkRef, depth: int) -> scrapy.Request | LinkResultItem | None:
        """The request for a link target seen for the first time (crawl or verify), or None."""
        if not self._first_sight(link.url):
            return None
        if not valid_host(link.url):
            return LinkResultItem(LinkResult(target=link.url, outcome="broken", reason="无效的主机名"))
        if self.offline and not is_loopback_url(link.url):
            self.crawler.stats.inc_value("links/offline_skipped")
            return LinkResultItem(LinkResult(target=link.url, outcome="skipped", reason="离线模式，未核验"))
        if link.internal and (link.kind == "page" or _framed_page(link)) and depth + 1 <= self.max_depth \
                and not self._is_trap(link.url):
            if self._take_page():
                return self._page_request(link.url, depth + 1)
            # the page budget is spent: the page is only checked, and the scan will be partial
            self.crawler.stats.inc_value("budget/pages_not_crawled")
            self.crawler.stats.set_value("budget/max_pages", self.max_pages)
        if not link.internal and not self.check_external:
            return None
        if not link.internal and self.incremental is not None and (cached := self.incremental.cached(link.url)):
            return LinkResultItem(cached)  # checked by some site's scan within incremental.link_cache_hours
        if link.internal and link.kind == "page" and self._is_trap(link.url):
            self.crawler.stats.inc_value("links/trap_skipped")
            return None
        page = link.kind == "page"  # a page may be an error page (soft 404): GET its head, not only HEAD
        request = self._check_request(link.url, "GET" if page else "HEAD", html_body=page,
                                      css_depth=depth if link.internal and link.kind == "stylesheet" else None)
        if len(request.url) > URL_LENGTH_LIMIT:  # as Scrapy's UrlLengthMiddleware did (off: a pass per output)
            self.crawler.stats.inc_value("urllength/request_ignored_count")
            return None
        return request

    # -- callbacks --------------------------------------------------------------------------------

    @staticmethod
    def _elapsed(response_or_request: Any) -> float:
        started = response_or_request.meta.get("xj_started")
        return round(time.monotonic() - started, 3) if started else 0.0

    def _result(self, response: scrapy.http.Response, outcome: str, reason: str) -> LinkResult:
        chain = [*response.request.meta.get("redirect_urls", []), response.url]
        return LinkResult(
            target=response.meta["xj_target"], outcome=outcome, status=final_status(response), reason=reason,  # type: ignore[arg-type]
            final_url=response.url, redirect_chain=chain if len(chain) > 1 else [],
            elapsed=self._elapsed(response), method=response.request.method,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1")[:200],
        )

    def parse_page(self, response: scrapy.http.Response) -> Iterator[Any]:
        target = response.meta["xj_target"]
        if response.meta.get("xj_reuse") and self.incremental.carries(response):
            yield LinkResultItem(self._result(response, "ok", f"HTTP {response.status}，页面未变化"))
            return  # unchanged: its stored page and links are copied after the crawl (incremental.revisit: lists)
        if response.meta.get("xj_reuse") and (reused := self.incremental.reuse(response)) is not None:
            result = self._result(response, "ok", f"HTTP {response.status}，页面未变化")
            yield from self._emit_page(reused, result)  # unchanged since the previous scan (304 or same hash)
            return
        static = response.meta.get("xj_static")
        rendered = "playwright" in response.flags
        depth = static[0].depth if static else response.meta.get("xj_depth", response.meta.get("depth", 0))
        ctype = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        is_html = isinstance(response, TextResponse) and ("html" in ctype or (not ctype and b"<html" in response.body[:2048].lower()))
        record = PageRecord(
            url=target, final_url=response.url, status=final_status(response),
            headers={k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v},
            content_type=ctype[:200], depth=depth, size=len(response.body), rendered=rendered,
            elapsed=static[0].elapsed if static else self._elapsed(response),
            page_type="homepage" if target == self.homepage else "other", content_hash=response.meta.get("xj_hash"),
        )
        if is_html:
            record.encoding = response.encoding
            record.html = self._bounded_text(response, record)
            record.title = page_title(record.tree)
        heading = ""
        if record.tree is not None and 200 <= response.status < 300:
            h1 = record.tree.find(".//h1")
            heading = h1.text_content().strip()[:200] if h1 is not None else ""
        outcome, reason = judge_response(
            record.status, target, response.url, body=record.html[:30000] if len(record.html) < 30000 else "",
            title=record.title, heading=heading,
            text_length=lambda: len(record.tree.text_content()) if record.tree is not None and len(record.html) < 60000 else 10**6,
            body_text=lambda: short_page_text(record.tree),
            error_box=lambda: error_box_text(record.tree, record.html),
        )
        if rendered:
            record.link_visibility = page_method_result(response, "collect_link_visibility_async")
            self.crawler.stats.inc_value("render/rendered")
            reason = f"{reason}，已用浏览器渲染" if outcome != "ok" else reason
        elif (why := needs_render(record, self.render_mode, outcome)
              or self.suspects.reason(record, self.render_mode, outcome)) and not record.truncated:
            yield self._render_request(target, why, (record, self._result(response, outcome, reason)))
            return
        yield from self._emit_page(record, self._result(response, outcome, reason))

    def _bounded_text(self, response: TextResponse, record: PageRecord) -> str:
        """The page's text, capped on the wire, after inflation and before parsing; every cut recorded."""
        stats = self.crawler.stats
        if "download_stopped" in response.flags and response.meta.get("xj_max_body") != HEADERS_ONLY:
            record.truncated = True
            record_cut(record, stats, "wire_bytes_cut_at", self.max_body, f"响应超过 {self.max_body} 字节，已截断")
        if INFLATE_CUT in response.flags:
            record.truncated = True
            record_cut(record, stats, "inflated_bytes_cut_at", self.max_body, f"解压后超过 {self.max_body} 字节，已截断")
        text = decoded_text(response.body, response.encoding, response.text, record, stats)
        if "\x00" in text[:self.max_parse_chars]:
            record_cut(record, stats, "nul_chars", text.count("\x00"), "页面含 NUL 字符 (已替换为空格)")
        html, cut = bounded_html(text, self.max_parse_chars)
        if cut:
            record.truncated = True
            record_cut(record, stats, "chars_checked", self.max_parse_chars,
                       f"页面过大，仅解析和检查前 {self.max_parse_chars} 个字符")
        return html

    def _page_links(self, record: PageRecord) -> list[LinkRef]:
        note_depth(record, self.crawler.stats)
        links = extract_links(record.tree, record.final_url, self.site, self.strip_params, limit=self.max_links)
        if len(links) >= self.max_links and (beyond := links_beyond(record.tree, record.final_url, self.strip_params, links)):
            record_cut(record, self.crawler.stats, "links_not_checked", beyond,
                       f"页面链接超过 {self.max_links} 个，其余 {beyond} 个链接未核验")
            logger.warning("页面链接超过 %d 个，其余 %d 个未核验: %s", self.max_links, beyond, record.url)
        return links

    def _emit_page(self, record: PageRecord, result: LinkResult) -> Iterator[Any]:
        """The requests for the page's links (a usable internal page), then the page record with its verdict:
        last, as Scrapy handles the outputs one at a time (``CONCURRENT_ITEMS``) and the page waits for its checks."""
        outcome, reason = result.outcome, result.reason
        is_html = record.is_html
        final_internal = self.site.is_internal(record.final_url)
        if not (is_html and outcome == "ok" and final_internal):
            if is_html or record.status >= 400:
                record.error = None if outcome == "ok" else reason
                record.html = record.html if outcome == "ok" else ""
                yield PageItem(record, result=result)
            else:
                yield LinkResultItem(result)
            return
        if not record.reused:
            record.links = self._page_links(record)
        for link in record.links:
            follow_up = self.follow(link, record.depth)
            if follow_up is not None:
                yield follow_up
        if record.page_type == "homepage":
            self.homepage_html = record.html
            yield from self._cloak_item()
        yield PageItem(record, result=result)

    def render_failed(self, failure: Failure) -> Iterator[Any]:
        """Rendering failed (browser crash, timeout): keep the static page as it was fetched."""
        request = failure.request  # type: ignore[attr-defined]
        record, result = request.meta["xj_static"]
        self.crawler.stats.inc_value("render/failed")
        logger.debug("渲染失败 %s: %s", request.url, failure.getErrorMessage())
        yield from self._emit_page(record, result)

    def page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(ScanStopping, StopDownload):
            return  # never sent, or stopped mid-transfer: the scan is stopping; nothing to record
        outcome, reason = judge_failure(failure)
        target = request.meta["xj_target"]
        result = LinkResult(target=target, outcome=outcome, reason=reason,  # type: ignore[arg-type]
                            elapsed=self._elapsed(request), method=request.method)
        record = PageRecord(url=target, final_url=target, status=0, depth=request.meta.get("depth", 0), error=reason,
                            page_type="homepage" if target == self.homepage else "other")
        # refused by the guard or by robots.txt (private, skipped): not fetched, no page
        yield LinkResultItem(result) if outcome in ("private", "skipped") else PageItem(record, result=result)

    def link_checked(self, response: scrapy.http.Response) -> Iterator[Any]:
        target = response.meta["xj_target"]
        if response.request.method == "HEAD" and head_needs_get(response.status, response.headers.get(b"Content-Type", b"").decode("latin-1")):
            # Many servers refuse HEAD (405/501) or answer it wrongly; an HTML page may be an error page: GET.
            self.crawler.stats.inc_value("links/head_fallback")
            yield self._check_request(target, "GET", html_body=True)
            return
        outcome, reason = judge_response(response.status, target, response.url, **response_facts(response, PROBE_BODY))
        if outcome == "ok" and "xj_css_depth" in response.meta and isinstance(response, TextResponse):
            yield from self._emit_stylesheet(response, self._result(response, outcome, reason))
            return
        if needs_recheck(outcome, self.render_mode):
            yield self._recheck_request(target, self._result(response, outcome, reason))
            return
        self.crawler.stats.inc_value("links/checked")
        yield LinkResultItem(self._result(response, outcome, reason))

    def _emit_stylesheet(self, response: TextResponse, result: LinkResult) -> Iterator[Any]:
        """An internal style sheet that loads: its @import and url() targets are its links, checked too."""
        self.crawler.stats.inc_value("links/checked")
        record = PageRecord(url=result.target, final_url=response.url, status=response.status,
                            content_type=result.content_type.lower(), depth=response.meta["xj_css_depth"],
                            size=len(response.body), page_type="stylesheet")
        record.links = stylesheet_links(response.text, response.url, self.site, self.strip_params)
        for link in record.links:
            if (follow_up := self.follow(link, record.depth)) is not None:
                yield follow_up
        yield PageItem(record, result=result)

    def link_rechecked(self, response: scrapy.http.Response) -> Iterator[Any]:
        """The browser's answer decides: a real page is ok, an error broken, a wall or a challenge LK006."""
        target = response.meta["xj_target"]
        status = final_status(response)
        outcome, reason = judge_response(status, target, response.url, **response_facts(response, PROBE_BODY))
        self.crawler.stats.inc_value("links/checked")
        self.crawler.stats.inc_value(f"links/rechecked/{outcome}")
        note = "浏览器复查后仍被拦截" if outcome == "blocked" else "已用浏览器复查"
        yield LinkResultItem(self._result(response, outcome, f"{reason}，{note}"))

    def link_recheck_failed(self, failure: Failure) -> Iterator[Any]:
        """No rendered page: an attachment the browser would download (2xx) is ok, else the verdict stays."""
        request = failure.request  # type: ignore[attr-defined]
        static: LinkResult = request.meta["xj_static_result"]
        nav = request.meta.get("xj_nav")
        status = getattr(nav, "last_status", None)
        self.crawler.stats.inc_value("links/checked")
        if status is not None and 200 <= status < 300:
            self.crawler.stats.inc_value("links/rechecked/ok")
            static.outcome, static.status, static.reason = "ok", status, f"HTTP {status}，已用浏览器复查 (下载)"
        else:
            self.crawler.stats.inc_value("links/rechecked/failed")
            static.reason = f"{static.reason}，浏览器复查失败: {failure.getErrorMessage()}"[:200]
        yield LinkResultItem(static)

    def link_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(ScanStopping, StopDownload):
            return
        outcome, reason = judge_failure(failure)
        self.crawler.stats.inc_value("links/checked")
        yield LinkResultItem(LinkResult(target=request.meta["xj_target"], outcome=outcome, reason=reason,  # type: ignore[arg-type]
                                        elapsed=self._elapsed(request), method=request.method))
