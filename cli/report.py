"""``xunjian report [SITE|--all] --out DIR``: Excel workbook, HTML per site (screenshots), CSV and JSON."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xunjian.cli import app
from xunjian.cli.common import (
    EXIT_CONFIG, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_USAGE, err, fail, session, settings_from, warn,
)


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        fail(f"--since 应为 YYYY-MM-DD 格式: {value!r}", EXIT_USAGE)


@app.command("report")
def report(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Argument(help="站点编号")] = None,
    all_: Annotated[bool, typer.Option("--all", help="所有已登记站点")] = False,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="报告输出目录")] = Path("reports-out"),
    screenshots: Annotated[bool | None, typer.Option("--screenshots/--no-screenshots",
                                                     help="HTML 报告是否附截图 (默认按 settings.yaml)")] = None,
    since: Annotated[str | None, typer.Option("--since", help="已整改清单的起始日期 (默认: 上次报告时间)")] = None,
) -> None:
    """生成检查报告: Excel 工作簿、每站 HTML 报告 (含截图)、问题 CSV 与 JSON。

    Example: xunjian report demo-gov --out out/ ; xunjian report --all --out out/
    """
    from xunjian.reports.build import write_reports
    from xunjian.scoring import ProfileError

    if bool(site) == all_:
        fail("请给出一个站点编号，或使用 --all", EXIT_USAGE)
    settings = settings_from(ctx)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail(f"无法创建输出目录 {out_dir}: {exc.strerror}", EXIT_FAILED)
    with session(ctx) as s:
        try:
            written, warnings = write_reports(
                s, settings, out_dir, None if all_ else [site],
                screenshots=settings.report.screenshots if screenshots is None else screenshots,
                since=_since(since),
            )
        except ProfileError as exc:
            fail(str(exc), EXIT_CONFIG)
        except LookupError as exc:
            fail(escape(str(exc).strip("'\"")), EXIT_NOT_FOUND)
    for message in dict.fromkeys(warnings):
        warn(escape(message))
    for path in written:
        err.print(f"已写入 {path}", highlight=False, markup=False)
