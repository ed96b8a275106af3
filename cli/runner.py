"""Run one scan in a worker process and show its progress (bar on a terminal, log lines otherwise).

The worker runs in its own session (process group), so a Ctrl-C reaches only this parent, which
forwards one SIGINT: the worker marks the scan interrupted and keeps what it stored. SIGTERM is
forwarded the same way.
"""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from xunjian.cli.common import err, is_terminal
from xunjian.worker import launch

if TYPE_CHECKING:
    from subprocess import Popen


def _events(proc: Popen[str]):  # noqa: ANN202
    assert proc.stdout is not None
    for line in proc.stdout:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError:
            continue


def run_worker(site_id: str, as_of: date | None, trigger: str, config_path: str | None,
               extra_env: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    """Start the worker, relay its progress, return (exit code, final 'done' event or {})."""
    env = dict(os.environ)
    if config_path:
        env["XUNJIAN_CONFIG"] = config_path
    env.update(extra_env or {})
    proc = launch(site_id, as_of=as_of, trigger=trigger, progress="json", env=env, new_session=True)
    stopping = {"signal": None}

    def forward(signum: int, _frame: Any) -> None:
        if stopping["signal"] is None:
            err.print("[yellow]正在中断扫描，保存已抓取的数据…[/]")
            stopping["signal"] = signum
            proc.send_signal(signal.SIGINT if signum == signal.SIGINT else signal.SIGTERM)

    old = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    done: dict[str, Any] = {}
    try:
        if is_terminal():
            with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), TextColumn("{task.fields[info]}"),
                          TimeElapsedColumn(), console=err, transient=True) as bar:
                task = bar.add_task(f"扫描 {site_id}", info="")
                for event in _events(proc):
                    if event.get("event") == "progress":
                        bar.update(task, info=f"页面 {event['pages']} | 已核验链接 {event['links']} | 异常 {event['errors']}")
                    elif event.get("event") == "done":
                        done = event
        else:
            last = 0.0
            for event in _events(proc):
                if event.get("event") == "progress" and time.monotonic() - last >= 5:
                    last = time.monotonic()
                    err.print(f"扫描 {site_id}: 页面 {event['pages']}, 已核验链接 {event['links']}, 异常 {event['errors']}",
                              highlight=False)
                elif event.get("event") == "done":
                    done = event
        code = proc.wait()
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    return code, done
