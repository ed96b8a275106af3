"""One site's crawl split across processes with scrapy-redis (prototype, ``crawl.split_redis_url``).

The coordinator (``python -m xunjian.worker SITE``) and any helpers (``... SITE --join SCAN``) share, in
Redis, under ``xunjian:<site>:<scan>:``:

- ``requests`` / ``dupefilter``: scrapy-redis's queue and dupefilter (:class:`SplitScheduler`). Every request
  the spider makes is ``dont_filter`` (it de-duplicates link targets itself), so the dupefilter stays empty;
  the spider's own "seen once per scan" set is ``seen`` (:class:`SharedCrawlState`);
- ``seen`` (set) and ``pages`` (counter): every link target verified once per scan and the page budget,
  across all processes;
- ``busy`` / ``alive`` (hashes, Redis server time): when each process last had work, and last beat;
- ``members`` (set): helpers still running; ``done``: the coordinator decided the crawl is over;
- ``context``: the coordinator's pickled :class:`~xunjian.checks.base.CheckContext` (helpers check pages
  exactly as it does); ``stats``: helpers' Scrapy counters, summed.

The homepage and its search-engine view stay in the coordinator (a local queue): the cloaking comparison
needs both in one process, and the scan's verdict needs the homepage. Requests carrying records
(render and re-check fallbacks) stay local too. Nobody closes on its own idleness
(:class:`SplitCoordination`): the coordinator closes once the queue is empty and every process has been
idle for ``crawl.split_grace_seconds``, then sets ``done``; helpers close on ``done``.
"""

from __future__ import annotations

import logging
import pickle
import os
import socket
import time
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler

if TYPE_CHECKING:
    from redis import Redis
    from scrapy.crawler import Crawler

    from xunjian.config import Settings

logger = logging.getLogger(__name__)

COORDINATOR = "coordinator"
BEAT_SECONDS = 0.5
#: A helper whose coordinator has not beaten for this long stops (the coordinator died).
ORPHAN_SECONDS = 30.0
#: Keys of a helper's stats that are not summed into the scan's stats.
UNSUMMED = frozenset({"budget/max_pages"})


def prefix(site_id: str, scan_id: int) -> str:
    return f"xunjian:{site_id}:{scan_id}"


def connect(url: str) -> Redis:
    import redis

    return redis.Redis.from_url(url)


def server_time(server: Redis) -> float:
    seconds, micros = server.time()
    return seconds + micros / 1e6


def split_settings(settings: Settings, values: dict[str, Any], site_id: str, scan_id: int,
                   role: str) -> dict[str, Any]:
    """The Scrapy settings (over ``values``) of one process of a split crawl: shared scheduler, politeness / N."""
    c = settings.crawl
    n = c.split_processes
    key = prefix(site_id, scan_id)
    return {
        "SCHEDULER": "xunjian.crawler.split.SplitScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": f"{key}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{key}:dupefilter",
        "SCHEDULER_PERSIST": True,  # the keys outlive one process; the coordinator deletes them at the end
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never a blocking pop (it would stall the reactor); see SplitCoordination
        "REDIS_URL": c.split_redis_url,
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, c.concurrency_per_site // n),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(max(1, c.concurrency_per_site // n)),
        "DOWNLOAD_DELAY": c.download_delay * n,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay * n, 0.1),
        "XJ_SPLIT_PREFIX": key,
        "XJ_SPLIT_ROLE": role,
        "XJ_SPLIT_GRACE": c.split_grace_seconds,
        "XJ_SPLIT_TOKEN": COORDINATOR if role == COORDINATOR else f"{socket.gethostname()}:{os.getpid()}",
        "XJ_SEARCH_PROBE": role == COORDINATOR,  # one probe, by the coordinator, when the shared crawl is over
        "EXTENSIONS": {**values["EXTENSIONS"], "xunjian.crawler.split.SplitCoordination": 0},
    }


class SharedCrawlState:
    """The spider's per-scan memory (targets seen, pages scheduled), shared by every process in Redis."""

    def __init__(self, server: Redis, key: str):
        self.server = server
        self.key = key

    @classmethod
    def from_settings(cls, s: Any) -> SharedCrawlState:
        return cls(connect(s["REDIS_URL"]), s["XJ_SPLIT_PREFIX"])

    def first_sight(self, url: str) -> bool:
        return bool(self.server.sadd(f"{self.key}:seen", url))

    def crawl_over(self) -> bool:
        """The coordinator saw the queue empty and every process idle (the search probe may go)."""
        return bool(self.server.exists(f"{self.key}:crawl_over"))

    def newest_article(self) -> tuple[str, str, str] | None:
        """The newest article (pubdate, headline, url) the helpers saw, for the search probe."""
        found = [tuple(pickle.loads(v)) for v in self.server.hvals(f"{self.key}:articles")]  # noqa: S301
        return max(found, default=None)  # type: ignore[return-value]

    def take_page(self, max_pages: int) -> bool:
        """One slot of the page budget (INCR is atomic: N processes never schedule more than max_pages)."""
        return int(self.server.incr(f"{self.key}:pages")) <= max_pages


class SplitScheduler(Scheduler):
    """scrapy-redis's scheduler, with a local queue for what must stay in this process (see the module)."""

    def open(self, spider: Any) -> Any:
        self.local: deque = deque()
        self.split_key = spider.settings["XJ_SPLIT_PREFIX"]
        self.token = spider.settings["XJ_SPLIT_TOKEN"]
        self.hold = max(1, spider.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))
        return super().open(spider)

    def _is_local(self, request: Any) -> bool:
        meta = request.meta
        homepage = getattr(self.spider, "homepage", None)
        return (request.url == homepage or meta.get("xj_target") == homepage or "xj_static" in meta
                or "xj_static_result" in meta or "playwright" in meta or "xj_via" in meta)  # xj_via: search probe

    def enqueue_request(self, request: Any) -> bool:
        if self._is_local(request):
            self.local.append(request)
            return True
        return super().enqueue_request(request)

    def _holding(self) -> bool:
        """Requests already waiting in this process's downloader (for the delay or a free slot): take no more,
        or one process would drain the shared queue into its own (Scrapy pulls up to CONCURRENT_REQUESTS)."""
        downloader = self.spider.crawler.engine.downloader
        return sum(len(slot.queue) for slot in downloader.slots.values()) >= self.hold

    def next_request(self) -> Any:
        if self.local:
            request = self.local.popleft()
        else:
            request = None if self._holding() else super().next_request()
            if request is not None and "xj_started" in request.meta:  # another process's (or machine's) clock
                request.meta["xj_started"] = time.monotonic()
        if request is not None:  # busy from the moment work is taken: nobody may close meanwhile
            self.server.hset(f"{self.split_key}:busy", self.token, server_time(self.server))
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or super().has_pending_requests()

    def __len__(self) -> int:
        return len(self.local) + super().__len__()


class SplitCoordination:
    """Keeps every process open while the shared crawl may still grow, and ends it for all at once."""

    def __init__(self, crawler: Crawler):
        s = crawler.settings
        self.crawler = crawler
        self.server = connect(s["REDIS_URL"])
        self.key = s["XJ_SPLIT_PREFIX"]
        self.role = s["XJ_SPLIT_ROLE"]
        self.token = s["XJ_SPLIT_TOKEN"]
        self.grace = s.getfloat("XJ_SPLIT_GRACE")
        self.loop: Any = None
        self.article: tuple[str, str, str] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SplitCoordination:
        if not crawler.settings.get("XJ_SPLIT_PREFIX"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        if ext.role != COORDINATOR:
            crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        return ext

    def item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        """A helper's newest article goes to Redis: the coordinator's search probe looks it up (as SearchProbe)."""
        facts = getattr(getattr(item, "record", None), "facts", None) or {}
        if item.record.page_type != "article" or not (facts.get("pubdate") and facts.get("headline")):
            return
        candidate = (facts["pubdate"], facts["headline"], item.record.final_url or item.record.url)
        if self.article is None or candidate[0] > self.article[0]:
            self.article = candidate
            self.server.hset(f"{self.key}:articles", self.token, pickle.dumps(candidate))

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet import task

        if self.role == COORDINATOR:
            ctx = self.crawler.settings["XJ_CHECK_CONTEXT"]
            self.server.set(f"{self.key}:context", pickle.dumps(ctx))
        self.server.hset(f"{self.key}:busy", self.token, server_time(self.server))
        self.beat()
        self.loop = task.LoopingCall(self.beat)
        self.loop.start(BEAT_SECONDS, now=False)

    def beat(self) -> None:
        """Alive (and busy, when this engine has work); and poll the shared queue more often than Scrapy's 5 s."""
        engine = self.crawler.engine
        try:
            now = server_time(self.server)
            self.server.hset(f"{self.key}:alive", self.token, now)
            if engine is not None and getattr(engine, "_slot", None) is not None and not engine.spider_is_idle():
                self.server.hset(f"{self.key}:busy", self.token, now)
        except Exception as exc:  # Redis away for a moment: the next beat tries again
            logger.warning("拆分抓取: Redis 心跳失败: %r", exc)
            return
        slot = getattr(engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self, spider: Any) -> None:
        if self.role == COORDINATOR:
            if not self._all_idle():
                raise DontCloseSpider
            if not self.server.exists(f"{self.key}:crawl_over"):  # one more round: the search probe's turn
                self.server.set(f"{self.key}:crawl_over", 1)
                raise DontCloseSpider
            self.server.set(f"{self.key}:done", 1)
            return  # the crawl is over for everybody
        if self.server.exists(f"{self.key}:done") or self._orphaned():
            return
        raise DontCloseSpider

    def _all_idle(self) -> bool:
        if self.server.zcard(f"{self.key}:requests"):
            return False
        now = server_time(self.server)
        busy = self.server.hgetall(f"{self.key}:busy")
        return all(now - float(ts) > self.grace for ts in busy.values())

    def _orphaned(self) -> bool:
        beat = self.server.hget(f"{self.key}:alive", COORDINATOR)
        return beat is None or server_time(self.server) - float(beat) > ORPHAN_SECONDS

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.role == COORDINATOR and reason != "finished":
            self.server.set(f"{self.key}:done", 1)  # interrupted or failed: the helpers stop too
