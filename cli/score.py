"""``xunjian score SITE --format json|table`` and ``xunjian score --all`` (the ranking by score band)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from xunjian.cli import app
from xunjian.cli.common import (
    EXIT_CONFIG, EXIT_NOT_FOUND, EXIT_USAGE, FormatOption, check_format, fail, out, session, settings_from,
)

VERDICT_ZH = {"pass": "合格", "fail": "不合格"}


def _print_site(result: dict) -> None:
    verdict = VERDICT_ZH[result["verdict"]]
    band = f" {result['band']}" if result["band"] != verdict else ""
    head = Text(f"{result['site']}: {verdict}, 得分 {result['score']:.2f}"
                f" (扣分部分 {result['deduction_score']:.2f}, 加分 {result['bonus']:.2f}){band}")
    out.print(head)
    for v in result["veto"]:
        out.print(Text(f"  单项否决 {v['id']} {v['name']}: {v['reason']}"))
        for f in v["findings"][:20]:
            out.print(Text(f"    - [{f['rule']}] {f['message']} {f.get('target') or f.get('page') or ''}"))
    table = Table("指标", "领域", "扣分", "上限", "问题数")
    for d in result["deductions"]:
        table.add_row(Text(d["name"]), Text(d["area"]), f"{d['points']:.2f}", f"{d['cap']:.2f}",
                      str(len(d["findings"])))
    if result["deductions"]:
        out.print(table)


@app.command("score")
def score(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Argument(help="站点编号")] = None,
    all_: Annotated[bool, typer.Option("--all", help="所有站点的得分排名")] = False,
    fmt: FormatOption = "table",
) -> None:
    """按国家检查指标给站点评分: 结论、得分、单项否决项及扣分明细。

    Example: xunjian score demo-gov --format json ; xunjian score --all
    """
    from xunjian.scoring import ProfileError, compute_site_score, ranking

    fmt = check_format(fmt)
    if bool(site) == all_:
        fail("请给出一个站点编号，或使用 --all", EXIT_USAGE)
    settings = settings_from(ctx)
    with session(ctx) as s:
        try:
            results = ranking(s, settings) if all_ else [compute_site_score(s, site, settings)]
        except ProfileError as exc:
            fail(str(exc), EXIT_CONFIG)
        except LookupError as exc:
            fail(escape(str(exc).strip("'\"")), EXIT_NOT_FOUND)
    data = [r.to_json() for r in results]
    if fmt == "json":
        typer.echo(json.dumps(data if all_ else data[0], ensure_ascii=False, indent=2))
        return
    if not all_:
        _print_site(data[0])
        return
    table = Table("名次", "站点", "结论", "得分", "分档", "否决项")
    for i, r in enumerate(data, 1):
        table.add_row(str(i), r["site"], VERDICT_ZH[r["verdict"]], f"{r['score']:.2f}", r["band"],
                      "、".join(v["id"] for v in r["veto"]))
    out.print(table)
