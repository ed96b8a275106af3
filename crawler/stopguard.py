"""StopGuard: SIGTERM or Ctrl-C stops a scan within ``bounds.stop_seconds``, whatever it is doing.

Scrapy's graceful stop waits for every transfer under way (a trickling or silent server holds it until
the download timeout) and for every item in the pipeline, and the pipeline waits for the pages queued in
the check process. Measured on the old code: a SIGTERM during a 1 GiB gzip page was honoured about four
minutes later. On the first SIGTERM/SIGINT this extension:

1. kills the check process (:func:`xunjian.crawler.checkpool.abort_all`): pages still waiting for their
   checks are stored without them, nothing is checked inline;
2. stops the transfers under way at their next bytes (``StopDownload``; the spider records nothing for
   them, as for requests never sent);
3. starts a watchdog thread: if the process is still alive ``stop_seconds`` later (a silent server, a
   long parse), it marks the scan ``interrupted`` itself (pages already written are kept), releases the
   site lock and ends the process with exit code 130.

Then Scrapy's own handler runs (graceful stop; a second signal kills). Settings: ``XJ_STOP_SECONDS``.
Stats: ``stopguard/*``.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import StopDownload

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
EXIT_INTERRUPTED = 130


class StopGuard:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stop_seconds = crawler.settings.getfloat("XJ_STOP_SECONDS", 8.0)
        self.stopping_since: float | None = None
        self._previous: dict[int, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopGuard:
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.bytes_received, signal=signals.bytes_received)
        return ext

    def engine_started(self) -> None:
        from twisted.internet import reactor

        reactor.callLater(0, self.install)  # after Scrapy installed its own handlers at reactor start-up

    def install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.getsignal(signum)
            signal.signal(signum, self.handle)

    def handle(self, signum: int, frame: Any) -> None:
        if self.stopping_since is None:
            self.stopping_since = time.monotonic()
            self.crawler.stats.set_value("stopguard/signal", signum)
            from xunjian.crawler.checkpool import abort_all

            aborted = abort_all()
            self.crawler.stats.set_value("stopguard/check_process_killed", aborted)
            threading.Thread(target=self._watchdog, name="xunjian-stopguard", daemon=True).start()
        previous = self._previous.get(signum)
        if callable(previous):
            previous(signum, frame)

    def bytes_received(self, data: bytes, request: Any, spider: Any) -> None:
        if self.stopping_since is not None:
            self.crawler.stats.inc_value("stopguard/transfers_stopped")
            raise StopDownload(fail=True)

    def _watchdog(self) -> None:
        assert self.stopping_since is not None
        time.sleep(max(0.0, self.stopping_since + self.stop_seconds - time.monotonic()))
        logger.warning("扫描在 %.0f 秒内未能正常停止，强制结束 (已保存的数据保留)", self.stop_seconds)
        writer = threading.Thread(target=self._mark_interrupted, daemon=True)
        writer.start()
        writer.join(1.5)  # a locked database must not keep the process alive
        logging.shutdown()
        os._exit(EXIT_INTERRUPTED)

    def _mark_interrupted(self) -> None:
        s = self.crawler.settings
        try:
            from xunjian.storage.db import session_scope
            from xunjian.storage.locks import release_site_lock
            from xunjian.storage.models import Scan
            from xunjian.storage.scans import finish_scan

            with session_scope(s["XJ_DATABASE_URL"]) as session:
                scan = session.get(Scan, s.getint("XJ_SCAN_ID"))
                if scan is not None and scan.status == "running":
                    finish_scan(session, scan.id, "interrupted", "扫描被中断 (强制停止)，已保存已抓取的数据")
                    release_site_lock(session, scan.site_id, scan.id)
        except Exception:  # the process ends anyway; the next scan's start finds the stale lock
            logger.exception("强制停止时无法标记扫描状态")
