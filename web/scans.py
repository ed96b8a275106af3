"""Scans started from the console: one worker process per scan, through :func:`xunjian.worker.launch`
(the one launcher of scans: ``python -m xunjian.worker``), with its JSON progress kept in memory.

A thread per scan reads the worker's progress lines (so its pipe never fills) and reaps it. Progress of
scans started elsewhere (CLI, scheduler) is read from the database (pages stored so far).
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

    from xunjian.config import Settings


@dataclass
class Launched:
    site_id: str
    started: float
    proc: subprocess.Popen[str]
    progress: dict[str, Any] = field(default_factory=dict)
    done: dict[str, Any] | None = None
    exit_code: int | None = None


class ScanLauncher:
    """Starts console scans and remembers their live progress (per site, the latest launch)."""

    def __init__(self, settings: Settings, db_url: str, config_path: str | None = None):
        self.settings = settings
        self.db_url = db_url
        self.config_path = config_path
        self.launched: dict[str, Launched] = {}
        self._lock = threading.Lock()

    def running(self, site_id: str) -> bool:
        item = self.launched.get(site_id)
        return item is not None and item.exit_code is None

    def launch(self, site_id: str) -> Launched:
        from xunjian.worker import launch

        with self._lock:
            if self.running(site_id):
                raise RuntimeError(f"站点 {site_id} 的扫描已在进行中")
            env = dict(os.environ, XUNJIAN_DATABASE_URL=self.db_url)
            if self.config_path:
                env["XUNJIAN_CONFIG"] = self.config_path
            proc = launch(site_id, trigger="web", progress="json", env=env)
            item = self.launched[site_id] = Launched(site_id, time.time(), proc)
        threading.Thread(target=self._follow, args=(item,), name=f"scan-{site_id}", daemon=True).start()
        return item

    def _follow(self, item: Launched) -> None:
        assert item.proc.stdout is not None
        for line in item.proc.stdout:
            if not line.startswith("{"):
                continue
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("event") == "progress":
                item.progress = event
            elif event.get("event") == "done":
                item.done = event
        item.exit_code = item.proc.wait()

    def stop_all(self, timeout: float = 10.0) -> None:
        """On shutdown: ask running workers to stop (they mark their scans interrupted)."""
        for item in list(self.launched.values()):
            if item.exit_code is None and item.proc.poll() is None:
                item.proc.terminate()
        deadline = time.monotonic() + timeout
        for item in list(self.launched.values()):
            try:
                item.proc.wait(max(0.1, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - killing is the fallback
                item.proc.kill()
