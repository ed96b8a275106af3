"""``xunjian users add|list|disable|token``: accounts of the web console (巡检工作台)."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from xunjian.cli import app
from xunjian.cli.common import EXIT_NOT_FOUND, EXIT_USAGE, FormatOption, check_format, err, fail, out, session

users_app = typer.Typer(no_args_is_help=True, help="工作台账户: add 添加; list 列出; disable 停用; token 生成 API 令牌。")
app.add_typer(users_app, name="users")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    else:
        value = typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    return value


@users_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option("--role", "-r", help="admin(管理员) | inspector(巡检员) | viewer(只读)")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码 (一行)")] = False,
) -> None:
    """添加工作台用户 (密码以 argon2 哈希保存)。

    Example: echo 's3cret-pass' | xunjian users add zhang --role inspector --password-stdin
    """
    from xunjian.storage.accounts import AccountError, add_user

    password = _read_password(password_stdin)
    with session(ctx) as s:
        try:
            add_user(s, name, role.lower(), password)
        except AccountError as exc:
            fail(str(exc), EXIT_USAGE)
    err.print(f"已添加用户 {name} ({role})", highlight=False, markup=False)


@users_app.command("list")
def list_cmd(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """列出工作台用户。

    Example: xunjian users list --format json
    """
    from xunjian.storage.accounts import list_users

    fmt = check_format(fmt)
    with session(ctx) as s:
        items = [{"name": u.name, "role": u.role, "active": u.active,
                  "created_at": u.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "last_login_at": u.last_login_at.strftime("%Y-%m-%dT%H:%M:%SZ") if u.last_login_at else None}
                 for u in list_users(s)]
    if fmt == "json":
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    table = Table("用户名", "角色", "状态", "创建时间", "最近登录")
    for u in items:
        table.add_row(Text(u["name"]), u["role"], "启用" if u["active"] else "已停用", u["created_at"],
                      u["last_login_at"] or "")
    out.print(table)


@users_app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="用户名")]) -> None:
    """停用用户: 立即退出其所有会话，吊销其 API 令牌。

    Example: xunjian users disable zhang
    """
    from xunjian.storage.accounts import AccountError, disable_user

    with session(ctx) as s:
        try:
            disable_user(s, name)
        except AccountError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
    err.print(f"已停用用户 {name}", highlight=False, markup=False)


@users_app.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="用户名")],
    label: Annotated[str | None, typer.Option("--label", help="令牌用途说明")] = None,
) -> None:
    """为用户生成 API 令牌 (Authorization: Bearer ...)；令牌只显示这一次，库中只存哈希。

    Example: xunjian users token cms-bot --label "CMS 发布前检查"
    """
    from xunjian.storage.accounts import AccountError, create_token

    with session(ctx) as s:
        try:
            value = create_token(s, name, label)
        except AccountError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
    typer.echo(value)
    err.print("请妥善保存，此令牌不会再次显示", highlight=False, markup=False)
