"""PoliteDownloader: Scrapy's Downloader with the per-site concurrency limit actually enforced.

In Scrapy 2.19 ``Downloader._process_queue`` schedules each transfer as a coroutine and only that
coroutine marks the request as transferring, so the ``while free_transfer_slots() > 0`` loop drains
the whole slot queue at once: ``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` let 17 requests reach one host
(measured; ``tests/test_politeness.py``). Government servers are small; xunjian must be polite. This
subclass counts a request as transferring when it is scheduled (``_download`` adds it again, a no-op
on a set, and removes it when the transfer ends). Setting: ``DOWNLOADER``.

It also makes a stop quick: Scrapy hands up to CONCURRENT_REQUESTS requests to the downloader, where they
wait in the per-site queue; a graceful stop (SIGINT/SIGTERM) used to download every one of them first
(34 s on a slow site). Once the engine is stopping, requests that have not started fail with
:class:`ScanStopping` and only the transfers under way finish.
"""

from __future__ import annotations

from time import monotonic
from typing import TYPE_CHECKING

from scrapy.core.downloader import Downloader, _schedule_coro, call_later  # noqa: PLC2701 - same module's helpers
from scrapy.exceptions import IgnoreRequest
from twisted.python.failure import Failure

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot


class ScanStopping(IgnoreRequest):
    """The scan is stopping: this request was never sent."""


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and not engine.running:
            while slot.queue:
                _request, queue_dfd = slot.queue.popleft()
                queue_dfd.errback(Failure(ScanStopping("扫描已停止，未发送")))
            return
        if slot.latercall:
            return
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)  # count it now, not when the coroutine first runs
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break

