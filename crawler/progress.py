"""Report crawl progress once a second: pages, link targets checked, errors.

``XJ_PROGRESS`` selects the sink: ``json`` prints one JSON object per line on stdout (read by the
``xunjian scan`` parent process, which draws a progress bar), ``log`` writes a plain log line,
anything else turns the extension off (``NotConfigured``).
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self



def emit(event: dict, mode: str) -> None:
    if mode == "json":
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        sys.stderr.write("进度: 页面 {pages}, 已核验链接 {links}, 异常 {errors}\n".format(**event))
        sys.stderr.flush()


class Progress:
    def __init__(self, stats, mode: str, interval: float = 1.0):  # noqa: ANN001
        self.stats = stats
        self.mode = mode
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mode = crawler.settings.get("XJ_PROGRESS")
        if mode not in ("json", "log"):
            raise NotConfigured
        ext = cls(crawler.stats, mode, crawler.settings.getfloat("XJ_PROGRESS_INTERVAL", 1.0))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> dict:
        get = self.stats.get_value
        return {
            "event": "progress",
            "pages": get("pages/stored", 0),
            "links": get("links/results", 0),
            "errors": get("links/not_ok", 0),
            "requests": get("downloader/request_count", 0),
        }

    def report(self) -> None:
        emit(self.snapshot(), self.mode)

    def spider_opened(self, spider) -> None:  # noqa: ANN001
        self.loop = task.LoopingCall(self.report)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider, reason: str) -> None:  # noqa: ANN001
        if self.loop and self.loop.running:
            self.loop.stop()
