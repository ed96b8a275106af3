"""The ``xunjian`` command: a thin shell over the library (sqlite-utils / Typer style).

Each verb group lives in its own module and registers itself on :data:`app`.
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from xunjian import __version__

app = typer.Typer(
    name="xunjian",
    help="巡检 xunjian: 按国家政府网站检查指标监测政府网站。\n\n"
    "退出码: 0 完成; 1 执行失败; 2 用法错误; 3 配置错误; 4 数据库不可用; 5 站点/问题不存在; 6 输入文件无效。",
    context_settings={"help_option_names": ["-h", "--help"]},
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

#: Verb modules, each adding its commands to ``app``.
VERB_MODULES = ("sites", "scan", "findings", "demo", "score", "report", "probe", "serve", "rules", "queue", "bulletin", "users", "web")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"xunjian {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        str | None,
        typer.Option("--config", "-c", envvar="XUNJIAN_CONFIG", help="settings.yaml 的路径 (默认用内置默认值)"),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本")] = False,
) -> None:
    ctx.obj = {"config_path": config}


for _name in VERB_MODULES:
    importlib.import_module(f"xunjian.cli.{_name}")


def main() -> None:
    app()
