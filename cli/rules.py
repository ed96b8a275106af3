"""``xunjian rules [--format table|json]``: the rule catalogue (checks/codes.py, docs/rules.md).

Reads no settings and no database: the catalogue is part of the program.
"""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from xunjian.checks.codes import catalogue
from xunjian.cli import app
from xunjian.cli.common import FormatOption, check_format, out

SEVERITY_ZH = {"veto": "否决", "deduct": "扣分", "warn": "提示", "info": "信息"}
STATUS_ZH = {"implemented": "已实现", "planned": "计划中"}


@app.command("rules")
def rules(fmt: FormatOption = "table") -> None:
    """列出全部规则: 编码、名称、中文名、严重程度、对应指标、检查模块、实现函数及状态。

    Example: xunjian rules ; xunjian rules --format json
    """
    rows = catalogue()
    if check_format(fmt) == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("编码", "名称", "中文名", "严重程度", "指标", "实现函数 (xunjian.)", "状态")
    for r in rows:
        emitter = (r["emitter"] or r["module"]).removeprefix("xunjian.")
        table.add_row(r["code"], r["name"], Text(r["zh"]), SEVERITY_ZH[r["severity"]], r["indicator"],
                      Text(emitter), STATUS_ZH[r["status"]])
    out.print(table)
    implemented = sum(r["status"] == "implemented" for r in rows)
    out.print(Text(f"共 {len(rows)} 条规则, 已实现 {implemented} 条, 计划中 {len(rows) - implemented} 条"))
