"""What every verb shares: settings from the context, the database, errors as one line, consoles.

Exit codes (documented in ``xunjian --help``): 0 done; 1 the work ran but failed (scan failed);
2 bad usage; 3 bad config; 4 database unreachable; 5 unknown site or finding; 6 invalid input file.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from xunjian.config import ConfigError, Settings, load_settings
from xunjian.storage.db import DatabaseError, ensure_schema

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

EXIT_FAILED, EXIT_USAGE, EXIT_CONFIG, EXIT_DATABASE, EXIT_NOT_FOUND, EXIT_INPUT = 1, 2, 3, 4, 5, 6

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

FormatOption = Annotated[str, typer.Option("--format", "-f", help="输出格式: table 或 json", case_sensitive=False)]


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    """Print one line on stderr and exit with ``code``; never a traceback."""
    err.print(f"[bold red]错误[/]: {message}", highlight=False)
    raise typer.Exit(code)


def warn(message: str) -> None:
    err.print(f"[yellow]提示[/]: {message}", highlight=False)


def settings_from(ctx: typer.Context) -> Settings:
    """The settings loaded once per invocation (``--config`` / ``XUNJIAN_CONFIG``)."""
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    root.obj = obj
    if "settings" not in obj:
        try:
            obj["settings"] = load_settings(obj.get("config_path"))
        except ConfigError as exc:
            fail(str(exc), EXIT_CONFIG)
    return obj["settings"]


def database_url(ctx: typer.Context) -> str:
    """The database URL, with the schema migrated to the newest version."""
    settings = settings_from(ctx)
    url = settings.database.url
    root = ctx.find_root()
    if not root.obj.get("schema_ready"):
        try:
            ensure_schema(url)
        except DatabaseError as exc:
            fail(str(exc), EXIT_DATABASE)
        root.obj["schema_ready"] = True
    return url


def session(ctx: typer.Context) -> Session:
    from xunjian.storage.db import session_scope

    return session_scope(database_url(ctx))  # type: ignore[return-value]


def check_format(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in ("table", "json"):
        fail(f"未知的输出格式 {fmt!r}，可选 table 或 json", EXIT_USAGE)
    return fmt


def is_terminal() -> bool:
    return sys.stderr.isatty()
