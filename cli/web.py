"""``xunjian web``: the web console (巡检工作台) and the check API, served by uvicorn (see docs/web.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from xunjian.cli import app
from xunjian.cli.common import database_url, err, settings_from


@app.command("web")
def web(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option("--host", help="监听地址 (默认 web.host: 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="端口 (默认 web.port: 8080)")] = None,
    log_level: Annotated[str, typer.Option("--log-level", help="日志级别: debug info warning error")] = "info",
) -> None:
    """运行巡检工作台 (网页) 与发布前检查 API，直到 Ctrl-C。

    先用 xunjian users add NAME --role admin 创建账户。Example: xunjian web --host 127.0.0.1 --port 8080
    """
    import uvicorn

    from xunjian.web.app import create_app

    settings = settings_from(ctx)
    url = database_url(ctx)
    application = create_app(settings, url, config_path=ctx.find_root().obj.get("config_path"))
    host = host or settings.web.host
    port = settings.web.port if port is None else port
    from xunjian.storage.accounts import list_users
    from xunjian.storage.db import session_scope

    with session_scope(url) as s:
        if not list_users(s):
            err.print("提示: 尚无账户，先运行 xunjian users add NAME --role admin", highlight=False, markup=False)
    if not settings.web.secret_key:
        err.print("提示: 未设置 web.secret_key，本次启动使用随机密钥 (重启后需重新登录)", highlight=False, markup=False)
    err.print(f"巡检工作台: http://{host}:{port}/ (Ctrl-C 退出)", highlight=False, markup=False)
    try:
        # proxy headers are honoured by the app itself, and only when web.trust_proxy says so
        uvicorn.run(application, host=host, port=port, log_level=log_level.lower(), proxy_headers=False,
                    server_header=False, access_log=True)
    finally:
        application.state.launcher.stop_all()
