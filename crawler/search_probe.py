"""SearchProbe: once the crawl is idle, search the site for one of its own recent articles (FN002).

A Scrapy extension (enabled in :mod:`xunjian.crawler.settings`). While the crawl runs it watches the page
records the pipeline has checked (``item_scraped``): the homepage's ``search_form`` fact and the newest
article (``pubdate`` + ``headline`` facts). When the spider becomes idle it adds the search request — the
form's action with the headline as query, else each default search URL of ``rules/interaction.yaml`` in
turn until one answers — and keeps the spider open. The answer is rendered in Chromium when the results
are filled by script (render mode auto|always). What came back is yielded as one page record without
HTML (so no page check runs on it) whose ``search_probe`` fact the pure site check
:func:`xunjian.checks.search.check_search` judges. The probe never judges anything itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urljoin

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import TextResponse

from xunjian.crawler.downloader import ScanStopping
from xunjian.crawler.items import PageItem
from xunjian.crawler.render import final_status, needs_render
from xunjian.records import PageRecord
from xunjian.urls import is_loopback_url

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)
MAX_LINKS = 150


class SearchProbe:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.form: dict[str, Any] | None = None
        self.article: tuple[str, str, str] | None = None  # (pubdate, headline, url)
        self.guesses: list[str] | None = None  # default search URLs still to try
        self.tried: list[str] = []
        self.state = "crawling"  # crawling -> probing -> done

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SearchProbe:
        if not crawler.settings.getbool("XJ_SEARCH_PROBE", True):
            raise NotConfigured("search probe off")
        probe = cls(crawler)
        crawler.signals.connect(probe.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(probe.spider_idle, signal=signals.spider_idle)
        return probe

    # -- watching the crawl -------------------------------------------------------------------------

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        if not isinstance(item, PageItem):
            return
        record, facts = item.record, item.record.facts or {}
        if record.page_type == "homepage" and facts.get("search_form"):
            self.form = facts["search_form"]
        elif record.page_type == "article" and facts.get("pubdate") and facts.get("headline"):
            candidate = (facts["pubdate"], facts["headline"], record.final_url or record.url)
            if self.article is None or candidate[0] > self.article[0]:
                self.article = candidate

    def spider_idle(self, spider: Any) -> None:
        shared = getattr(spider, "shared", None)  # a split crawl: probe once the shared crawl is over, with
        if self.state == "crawling" and shared is not None:  # the newest article any process saw (crawler/split.py)
            if not shared.crawl_over():
                return
            self.article = max(filter(None, [self.article, shared.newest_article()]), default=None)
        if self.state == "done" or self.article is None:
            return
        if self.state == "crawling":
            self.state = "probing"
            request = self._first_request(spider)
        else:
            return  # a probe request is in flight
        if request is None or (getattr(spider, "offline", False) and not is_loopback_url(request.url)):
            self.state = "done"  # offline scans send nothing off the machine
            return
        self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # -- requests -----------------------------------------------------------------------------------

    def _request(self, url: str, via: str, method: str = "GET", body: str | None = None,
                 render: bool = False) -> scrapy.Request:
        self.tried.append(url)
        meta: dict[str, Any] = {"xj_target": url, "xj_via": via, "dont_obey_robotstxt": True,
                                "xj_max_body": 2 * 1024 * 1024, "xj_html_only": True, "max_retry_times": 1}
        if render:
            meta.update({"playwright": True, "xj_render": "search results", "dont_retry": True})
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else None
        return scrapy.Request(url, method=method, body=body, headers=headers, callback=self.parsed,
                              errback=self.failed, dont_filter=True, priority=10, meta=meta)

    def _first_request(self, spider: Any) -> scrapy.Request | None:
        self.crawler.stats.set_value("search_probe/query", self.article[1])
        if self.form:
            params = {**self.form.get("hidden", {}), self.form["param"]: self.article[1]}
            query = _encode(params, self.form.get("charset") or "utf-8")  # GBK sites want GBK queries
            if self.form.get("method") == "post":
                return self._request(self.form["action"], "form", "POST", query)
            sep = "&" if "?" in self.form["action"] else "?"
            return self._request(f"{self.form['action']}{sep}{query}", "form")
        from xunjian.checks.interaction import interaction_rules

        base = spider.site.url
        self.guesses = [urljoin(base, t.replace("{q}", quote(self.article[1]))) for t in interaction_rules()["search_urls"]]
        return self._next_guess()

    def _next_guess(self) -> scrapy.Request | None:
        if not self.guesses:
            return None
        return self._request(self.guesses.pop(0), "guess")

    # -- answers ------------------------------------------------------------------------------------

    def _emit(self, url: str, facts: dict[str, Any], status: int = 0) -> Iterator[PageItem]:
        self.state = "done"
        facts.update(url=url, query=self.article[1], article=self.article[2], tried=self.tried[-6:])
        self.crawler.stats.set_value("search_probe/found", int(bool(facts.get("found"))))
        yield PageItem(PageRecord(url=url, final_url=url, status=status, depth=1, page_type="other",
                                  title="站内搜索检测", facts={"search_probe": facts}))

    def parsed(self, response: scrapy.http.Response) -> Iterator[Any]:
        status, via = final_status(response), response.meta["xj_via"]
        rendered = "playwright" in response.flags
        if via == "guess" and not 200 <= status < 300:
            nxt = self._next_guess()
            if nxt is not None:
                yield nxt
                return
            yield from self._emit(response.url, {"found": False, "status": status})
            return
        record = PageRecord(url=response.url, final_url=response.url, status=status, rendered=rendered,
                            html=response.text if isinstance(response, TextResponse) else "",
                            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1").lower())
        links = _links(record)
        mode = self.crawler.settings.get("RENDER_MODE", "never") if self.crawler.settings.getbool("RENDER_ENABLED") else "never"
        if not rendered and response.request.method == "GET" and needs_render(record, mode):
            yield self._request(response.url, via, render=True)
            return
        yield from self._emit(response.url, {"found": True, "status": status, "via": via, "rendered": rendered,
                                             "links": links, "error": None}, status)

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        if failure.check(ScanStopping):
            self.state = "done"
            return
        if request.meta.get("xj_via") == "guess":
            nxt = self._next_guess()
            if nxt is not None:
                yield nxt
                return
            yield from self._emit(request.url, {"found": False, "error": failure.getErrorMessage()[:200]})
            return
        yield from self._emit(request.url, {"found": True, "via": "form", "error": failure.getErrorMessage()[:200]})


def _encode(params: dict[str, str], charset: str) -> str:
    try:
        return urlencode(params, encoding=charset, errors="strict")
    except (LookupError, UnicodeEncodeError):
        return urlencode(params)


def _links(record: PageRecord) -> list[list[str]]:
    """``[text, absolute url]`` of the results page's links (menus included: the check looks for one title)."""
    tree = record.tree
    if tree is None:
        return []
    out: list[list[str]] = []
    for a in tree.iter("a"):
        text = " ".join((a.text_content() or "").split())[:120]
        href = (a.get("href") or "").strip()
        if len(text) >= 4 and href and not href.startswith("javascript:"):
            out.append([text, urljoin(record.final_url, href).split("#", 1)[0]])
            if len(out) >= MAX_LINKS:
                break
    return out
