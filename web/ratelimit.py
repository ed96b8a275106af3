"""A small in-process sliding-window rate limiter (one uvicorn process serves the console)."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """At most ``limit`` events per key within ``window`` seconds; memory bounded by ``max_keys``."""

    def __init__(self, limit: int, window: float, max_keys: int = 10_000):
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:  # drop the stalest key: bounded memory
                self._events.pop(next(iter(self._events)))
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        return events

    def blocked(self, *keys: str) -> bool:
        """True when any key has used up its budget (nothing is recorded)."""
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.limit for k in keys)

    def hit(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def allow(self, key: str) -> bool:
        """Record one event for ``key`` if its budget allows it; False when over the limit."""
        now = time.monotonic()
        with self._lock:
            events = self._recent(key, now)
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True

    def reset(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._events.pop(k, None)
