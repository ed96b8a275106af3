"""``xunjian bulletin --from DATE --to DATE [--sites ID...] --out 通报.docx``: the inspection bulletin (通报)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from xunjian.cli import app
from xunjian.cli.common import EXIT_CONFIG, EXIT_NOT_FOUND, EXIT_USAGE, fail, out, session, settings_from, warn


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} 应为 YYYY-MM-DD 格式的日期，收到 {value!r}", EXIT_USAGE)


@app.command("bulletin")
def bulletin(
    ctx: typer.Context,
    from_: Annotated[str, typer.Option("--from", help="检查期开始日期 YYYY-MM-DD (按扫描的 as_of)")],
    to: Annotated[str, typer.Option("--to", help="检查期结束日期 YYYY-MM-DD")],
    sites: Annotated[list[str] | None, typer.Option("--sites", help="只含这些站点 (可重复，或用逗号分隔)")] = None,
    out_path: Annotated[Path, typer.Option("--out", "-o", help="输出的 Word 文件")] = Path("通报.docx"),
    title: Annotated[str | None, typer.Option("--title", help="通报标题 (默认按检查期生成)")] = None,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="装有 LibreOffice 时同时生成 PDF")] = True,
) -> None:
    """生成检查通报 (Word 公文格式)：总体情况、存在问题、下一步工作要求、不合格网站名单、得分情况。

    得分与 xunjian score --all 一致。Example: xunjian bulletin --from 2026-11-01 --to 2026-11-30 --out 通报.docx
    """
    from xunjian.reports.bulletin import BulletinError, build_bulletin
    from xunjian.reports.bulletin_docx import convert_pdf, write_docx
    from xunjian.scoring import ProfileError

    start, end = _day(from_, "--from"), _day(to, "--to")
    ids = [s.strip() for item in sites or () for s in item.split(",") if s.strip()] or None
    settings = settings_from(ctx)
    with session(ctx) as s:
        try:
            data = build_bulletin(s, settings, start, end, ids, title=title)
        except ProfileError as exc:
            fail(str(exc), EXIT_CONFIG)
        except BulletinError as exc:
            fail(escape(str(exc)), EXIT_NOT_FOUND)
    if out_path.suffix.lower() != ".docx":
        out_path = out_path.with_suffix(".docx")
    write_docx(out_path, data)
    out.print(f"已生成通报: {escape(str(out_path))} (检查网站 {len(data.sites)} 个，不合格 {len(data.failed)} 个)")
    if pdf:
        pdf_path, problem = convert_pdf(out_path)
        if problem:
            warn(problem)
        else:
            out.print(f"已生成 PDF: {escape(str(pdf_path))}")
