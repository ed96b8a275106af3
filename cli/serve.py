"""``xunjian serve``: the 7×24 scheduler in the foreground until SIGTERM / SIGINT (see docs/running-7x24.md)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer

from xunjian.cli import app
from xunjian.cli.common import EXIT_DATABASE, database_url, fail, settings_from


@app.command("serve")
def serve(
    ctx: typer.Context,
    log_level: Annotated[str, typer.Option("--log-level", help="日志级别: DEBUG INFO WARNING ERROR")] = "INFO",
) -> None:
    """在前台运行 7×24 调度: 可用性探测、夜间扫描、域名检查、告警，直到收到 SIGTERM/SIGINT。

    Example: xunjian serve --config /etc/xunjian/settings.yaml
    """
    from xunjian.scheduler import Service
    from xunjian.storage.db import DatabaseError

    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    settings = settings_from(ctx)
    url = database_url(ctx)
    stop = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        received.append(signum)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service = Service(settings, url)
    try:
        service.start()
    except DatabaseError as exc:
        fail(str(exc), EXIT_DATABASE)
    while not stop.wait(1.0):
        pass
    logging.getLogger("xunjian.scheduler").info("received %s, stopping", signal.Signals(received[0]).name)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the orderly stop short
    service.stop()
