"""``xunjian queue-worker`` and ``xunjian queue status``: the distributed task queue (Celery)."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer
from rich.table import Table

from xunjian.cli import app
from xunjian.cli.common import FormatOption, check_format, fail, out, settings_from

queue_app = typer.Typer(help="分布式任务队列 (Celery): 查看排队、运行和失败的任务。", no_args_is_help=True)
app.add_typer(queue_app, name="queue")

EXIT_QUEUE = 10


@app.command("queue-worker")
def queue_worker(
    ctx: typer.Context,
    concurrency: Annotated[int, typer.Option("--concurrency", "-n", min=1, help="同时运行的扫描/探测任务数")] = 2,
    loglevel: Annotated[str, typer.Option("--loglevel", help="日志级别 (debug/info/warning)")] = "info",
    name: Annotated[str | None, typer.Option("--name", help="工作进程名 (默认 xunjian-<pid>@<主机名>)")] = None,
) -> None:
    """从消息队列接收扫描和探测任务并执行，直到收到 SIGTERM/Ctrl-C (执行中的任务会先完成)。

    可在任意多台机器上运行，共用同一个 PostgreSQL 数据库和消息队列。

    Example: XUNJIAN_DATABASE_URL=postgresql+psycopg://... xunjian queue-worker --concurrency 2
    """
    settings = settings_from(ctx)  # validates the config first: one clear line instead of a Celery traceback
    if ctx.find_root().obj.get("config_path"):
        os.environ["XUNJIAN_CONFIG"] = ctx.find_root().obj["config_path"]
    from xunjian.taskqueue.celeryapp import app as celery_app

    hostname = name or f"xunjian-{os.getpid()}@%h"
    argv = ["worker", f"--concurrency={concurrency}", f"--loglevel={loglevel.upper()}",
            f"--queues={settings.queue.name}", f"--hostname={hostname}", "--without-gossip", "--without-mingle"]
    celery_app.worker_main(argv)


@queue_app.command("status")
def status(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """汇总队列: 排队中的任务数，各工作进程正在运行和已预取的任务，近 24 小时失败的扫描。

    Example: xunjian queue status --format json
    """
    from xunjian.taskqueue.publish import QueueUnavailable
    from xunjian.taskqueue.status import queue_status

    fmt = check_format(fmt)
    settings = settings_from(ctx)
    try:
        summary = queue_status(settings)
    except QueueUnavailable as exc:
        fail(str(exc), EXIT_QUEUE)
    if fmt == "json":
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return
    out.print(f"队列 {summary['queue']}: 排队中 {summary['queued']} 个任务")
    table = Table("工作进程", "并发", "运行中", "已预取", "已处理")
    for worker, info in summary["workers"].items():
        table.add_row(worker, str(info["concurrency"] or "?"), ", ".join(info["running"]) or "-",
                      ", ".join(info["reserved"]) or "-", str(info["processed"]))
    if not summary["workers"]:
        out.print("没有在线的工作进程 (用 xunjian queue-worker 启动)")
    else:
        out.print(table)
    failed = summary["failed_24h_by_host"]
    out.print("近 24 小时失败的排队扫描: " + (", ".join(f"{h} {n} 个" for h, n in failed.items()) or "无"))
