"""``xunjian scan SITE [--as-of DATE]`` and ``xunjian scan --all``."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from xunjian.cli import app
from xunjian.cli.common import EXIT_NOT_FOUND, EXIT_USAGE, database_url, err, fail, out, session
from xunjian.cli.runner import run_worker
from xunjian.cli.summary import print_findings_summary
from xunjian.storage.registry import get_site, list_sites

STATUS_ZH = {"complete": "完成", "partial": "部分完成 (达到页面上限)", "interrupted": "已中断", "failed": "失败"}


def parse_as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--as-of 应为 YYYY-MM-DD 格式的日期，收到 {value!r}", EXIT_USAGE)


def scan_one(ctx: typer.Context, site_id: str, as_of: date | None, trigger: str = "cli",
             extra_env: dict[str, str] | None = None) -> int:
    """Scan one site in a worker process; print the outcome; return the worker's exit code."""
    db_url = database_url(ctx)
    code, done = run_worker(site_id, as_of, trigger, ctx.find_root().obj.get("config_path"), extra_env)
    if not done:
        err.print(f"[red]扫描 {site_id} 未能运行 (退出码 {code})[/]")
        return code
    status = STATUS_ZH.get(done["status"], done["status"])
    line = (f"扫描 #{done['scan_id']} {site_id}: {status}，页面 {done['pages']}，核验链接 {done['targets']}，"
            f"问题 {done['findings']}")
    line += f"，发送告警 {done['alerts']}" if done.get("alerts") else ""
    err.print(line + (f" — {done['message']}" if done.get("message") else ""), highlight=False)
    if done["status"] in ("complete", "partial"):
        print_findings_summary(db_url, site_id)
    return code


def enqueue_scans(ctx: typer.Context, ids: list[str], day: date | None) -> None:
    """Publish one scan task per site to the queue (``--queue``); exit 10 when the broker is down."""
    from xunjian.cli.common import settings_from
    from xunjian.cli.queue import EXIT_QUEUE
    from xunjian.taskqueue.publish import QueueUnavailable, enqueue

    try:
        sent = enqueue(settings_from(ctx), "scan", ids, day)
    except QueueUnavailable as exc:
        fail(str(exc), EXIT_QUEUE)
    for item in sent:
        out.print(f"已排队: 扫描 {item.site_id} (任务 {item.task_id})", highlight=False)


@app.command()
def scan(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Argument(help="站点编号 (sites list 中的 id)")] = None,
    all_sites: Annotated[bool, typer.Option("--all", help="依次扫描所有已登记站点")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="按此日期 (YYYY-MM-DD) 评估所有日期规则，默认今天")] = None,
    queue: Annotated[bool, typer.Option("--queue", help="不在本机扫描: 把扫描任务发布到消息队列，由 queue-worker 执行，立即返回")] = False,
    full: Annotated[bool, typer.Option("--full", help="全量扫描: 重新下载和检查每个页面，不用链接核验缓存")] = False,
    all_articles: Annotated[bool, typer.Option(
        "--all-articles", help="首次扫描时语言模型错别字检查 (TX005) 也检查一年以前的文章 (默认只查近 12 个月)")] = False,
) -> None:
    """抓取并检查一个站点 (或全部站点)，结果写入数据库。

    扫描完成即退出码 0 (无论发现多少问题)；中断为 130，失败为 1，站点正被扫描为 9。

    Example: xunjian scan demo-gov --as-of 2026-11-22
    """
    day = parse_as_of(as_of)
    if bool(site) == all_sites:
        fail("请指定一个站点编号，或使用 --all", EXIT_USAGE)
    with session(ctx) as s:
        if site and get_site(s, site) is None:
            fail(f"站点 {site!r} 未登记 (先用 xunjian sites import 导入)", EXIT_NOT_FOUND)
        ids = [site] if site else [x.id for x in list_sites(s)]
    if not ids:
        fail("尚未登记任何站点 (先用 xunjian sites import 导入)", EXIT_NOT_FOUND)
    if queue:
        enqueue_scans(ctx, ids, day)
        return
    env = {**({"XUNJIAN_FULL_SCAN": "1"} if full else {}), **({"XUNJIAN_TX005_ALL_PAGES": "1"} if all_articles else {})}
    codes = {}
    for site_id in ids:
        codes[site_id] = scan_one(ctx, site_id, day, extra_env=env or None)
        if codes[site_id] == 130:
            break
    if len(ids) > 1:
        out.print("全部扫描: " + ", ".join(f"{k}={'完成' if v == 0 else f'退出码 {v}'}" for k, v in codes.items()))
        raise typer.Exit(0 if all(v == 0 for v in codes.values()) else 1)
    raise typer.Exit(codes[ids[0]])
