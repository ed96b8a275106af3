"""``xunjian sites import FILE`` and ``xunjian sites list``."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from xunjian.cli import app
from xunjian.cli.common import EXIT_INPUT, FormatOption, check_format, err, fail, out, session
from xunjian.storage.registry import RegistryError, list_sites, parse_registry, upsert_sites

sites_app = typer.Typer(help="站点清单: 导入与列出", no_args_is_help=True)
app.add_typer(sites_app, name="sites")


@sites_app.command("import")
def import_(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="站点清单文件 (YAML 或 CSV)")],
) -> None:
    """导入或更新站点清单；任何一条有误则全部不写入。

    Example: xunjian sites import sites.yaml
    """
    try:
        entries = parse_registry(file)
    except RegistryError as exc:
        for line in exc.lines():
            err.print(line, highlight=False, markup=False)
        fail(str(exc), EXIT_INPUT)
    with session(ctx) as s:
        result = upsert_sites(s, entries)
    err.print(f"已导入 {len(entries)} 个站点: 新增 {len(result.created)}, 更新 {len(result.updated)}")


def availability_summary(s, site_ids):  # noqa: ANN001, ANN201
    """Weekly availability per site id."""
    from xunjian.probes import weekly_availability

    return {sid: weekly_availability(s, sid) for sid in site_ids}


@sites_app.command("list")
def list_(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """列出已登记的站点 (含近 7 天可用性)。

    Example: xunjian sites list --format json
    """
    fmt = check_format(fmt)
    with session(ctx) as s:
        sites = list_sites(s)
        avail = availability_summary(s, [x.id for x in sites])
        rows = [
            {"id": x.id, "name": x.name, "url": x.url, "kind": x.kind, "status": x.status,
             "site_code": x.site_code, "render": x.render, "availability": avail.get(x.id)}
            for x in sites
        ]
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("编号", "名称", "网址", "类型", "状态", "网站标识码", "近7天可用性")
    for r in rows:
        a = r["availability"]
        table.add_row(r["id"], r["name"], r["url"], r["kind"], r["status"], r["site_code"] or "",
                      str(a.get("summary", "")) if isinstance(a, dict) else "")
    out.print(table)
