"""Scrapy settings for one site scan, built from xunjian's validated settings (one home: settings.yaml).

Every ``XJ_*``/``RENDER_*`` value a component reads is set here from :class:`xunjian.config.Settings`, so
components read them in ``from_crawler`` without defaults of their own. The scan adds ``XJ_SCAN_ID``,
``XJ_CHECK_CONTEXT``, ``XJ_CRAWL_REPORT`` and ``XJ_PROGRESS`` (:func:`xunjian.scanning.crawl`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xunjian.config import Settings

RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]


def scrapy_settings(settings: Settings, render_mode: str = "never", **extra: Any) -> dict[str, Any]:
    """``render_mode`` is the site's ``render`` (auto|always|never); see :mod:`xunjian.crawler.render`."""
    from xunjian.crawler.render import render_settings

    c = settings.crawl
    values: dict[str, Any] = {
        "BOT_NAME": "xunjian",
        "USER_AGENT": c.user_agent,
        "ROBOTSTXT_OBEY": c.robots == "obey",
        "CONCURRENT_REQUESTS": c.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": c.concurrency_per_site,
        "DOWNLOAD_DELAY": c.download_delay,
        "AUTOTHROTTLE_ENABLED": c.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(c.download_delay, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": 10.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(c.concurrency_per_site),
        "DOWNLOAD_TIMEOUT": c.timeout,
        "DNS_TIMEOUT": min(c.timeout, 10),
        "RETRY_ENABLED": c.retry_times > 0,
        "RETRY_TIMES": c.retry_times,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "HTTPERROR_ALLOW_ALL": True,
        "REDIRECT_MAX_TIMES": 20,  # as browsers (Chromium, Firefox): 11-20 hops still load; a real loop stays a loop
        "DOWNLOAD_MAXSIZE": 0,  # BodyLimit stops bodies itself, without failing the request
        "DOWNLOAD_WARNSIZE": 0,
        "COOKIES_ENABLED": True,
        # Scrapy starts this many asyncio workers for every response's output, and keeps them (finished) until
        # the response is done; the spider yields a page's requests first and its one PageItem last, so one
        # worker is enough (16 kept 27,000 finished tasks alive while pages waited for their checks, for the GC to walk).
        "CONCURRENT_ITEMS": 1,
        "TELNETCONSOLE_ENABLED": False,
        "STATS_CLASS": "xunjian.crawler.stats.PlainStats",
        # Scrapy components that do nothing for a scan cost a pass per request or per spider output: the
        # downloader's Offsite (the spider names no allowed_domains), HttpAuth (xunjian sets no credentials),
        # MetaCopyDetection (a development warning) and UrlLength (SiteSpider.follow drops the same URLs).
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
                               "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None},
        "LOG_INSTALL_ROOT_HANDLER": True,
        "LOG_LEVEL": "WARNING",  # progress is reported by the Progress extension, not by log lines
        "DEPTH_PRIORITY": 1,  # breadth first: columns before deep articles when max_pages cuts the crawl
        "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
        "SCHEDULER_MEMORY_QUEUE": "xunjian.crawler.frontier.CompactFifoQueue",  # pending pages as tuples
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
        "DOWNLOADER": "xunjian.crawler.downloader.PoliteDownloader",
        "DOWNLOADER_MIDDLEWARES": {"xunjian.crawler.netguard.PrivateNetworkGuard": 50,
                                   "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
                                   "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
                                   "xunjian.crawler.retryafter.RetryAfter": 540,
                                   # inflates bodies only up to the request's byte cap (crawler/bounds.py)
                                   "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
                                   "xunjian.crawler.bounds.BoundedDecompression": 590,
                                   "xunjian.crawler.incremental.IncrementalScan": 580,  # sees inflated bodies
                                   "xunjian.crawler.browser.RenderMiddleware": 950},
        # RemoteControl (Scrapy 2.19, on by default): an HTTP server on localhost that runs the Python code it is
        # sent (token in a job file); a scan wants no such door, nor its aiohttp import at every start.
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": None,
                       "xunjian.crawler.bodylimit.BodyLimit": 0, "xunjian.crawler.progress.Progress": 0,
                       "xunjian.crawler.search_probe.SearchProbe": 0, "xunjian.crawler.stopguard.StopGuard": 0},
        # the scan's page checks, then the store (see xunjian.scanning for the phases of a scan)
        "ITEM_PIPELINES": {"xunjian.crawler.checkpool.CheckPipeline": 200,
                           "xunjian.crawler.pipeline.StorePipeline": 300},
    }
    values.update(xunjian_values(settings))
    values.update(render_settings(settings.render, render_mode))
    if settings.crawl.split_redis_url and "XJ_SCAN_ID" in extra:  # one site's crawl split across processes
        from xunjian.crawler.split import split_settings

        values.update(split_settings(settings, values, extra["XJ_CHECK_CONTEXT"].site.id, extra["XJ_SCAN_ID"],
                                     extra.pop("XJ_SPLIT_ROLE", "coordinator")))
    values.update(extra)
    return values


def xunjian_values(settings: Settings) -> dict[str, Any]:
    """The ``XJ_*`` values xunjian's own components read in ``from_crawler``."""
    c = settings.crawl
    return {
        "XJ_ALLOW_NETWORKS": list(c.allow_networks),
        "XJ_MAX_DEPTH": c.max_depth,
        "XJ_MAX_PAGES": c.max_pages,
        "XJ_MAX_URL_LENGTH": c.max_url_length,
        "XJ_MAX_QUERY_VARIANTS": c.max_query_variants,
        "XJ_STRIP_QUERY_PARAMS": list(c.strip_query_params),
        "XJ_CHECK_EXTERNAL": c.check_external,
        "XJ_OFFLINE": c.offline,
        "XJ_RETRY_AFTER_MAX": settings.links.retry_after_max,
        "XJ_RETRY_AFTER_TIMES": settings.links.retry_after_times,
        "XJ_MAX_BODY": c.max_response_bytes,
        "XJ_MAX_PARSE_CHARS": settings.bounds.max_parse_chars,
        "XJ_MAX_LINKS_PER_PAGE": settings.bounds.max_links_per_page,
        "XJ_FRONTIER_MEMORY_ITEMS": settings.bounds.frontier_memory_items,
        "XJ_STOP_SECONDS": settings.bounds.stop_seconds,
        "XJ_INCREMENTAL": settings.incremental.enabled,
        "XJ_FULL_SCAN": os.environ.get("XUNJIAN_FULL_SCAN", "").lower() in ("1", "true", "yes"),
        "XJ_LINK_CACHE_HOURS": settings.incremental.link_cache_hours,
        "XJ_FULL_EVERY_DAYS": settings.incremental.full_every_days,
        "XJ_REVISIT": settings.incremental.revisit,
        "XJ_BATCH_SIZE": settings.database.batch_size,
        "XJ_DATABASE_URL": settings.database.url,
        "XJ_DISABLED_RULES": list(settings.checks.disabled),
        "XJ_CHECK_PROCESSES": settings.checks.processes,
    }


def quiet_scrapy_logs() -> None:
    """Keep xunjian's INFO lines (progress) and Scrapy's warnings, not Scrapy's per-crawl INFO noise."""
    import logging

    for name in ("scrapy", "twisted", "scrapy_playwright", "asyncio", "py.warnings", "filelock"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # A target that stays unreachable after its retries is a finding, not an error of the crawler.
    logging.getLogger("scrapy.downloadermiddlewares.retry").setLevel(logging.CRITICAL)
