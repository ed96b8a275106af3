"""``xunjian demo``: serve the bundled sample government site on 127.0.0.1 and scan it."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from xunjian.cli import app
from xunjian.cli.common import database_url, err, out, session
from xunjian.cli.scan import scan_one
from xunjian.demo.server import SiteServer
from xunjian.storage.registry import parse_registry, upsert_sites

DEMO_SITE = Path(__file__).resolve().parents[1] / "demo" / "site"
DEMO_AS_OF = date(2026, 11, 22)  # the sample site's dates are written relative to this day
DEMO_ID = "demo-gov"


@app.command()
def demo(
    ctx: typer.Context,
    port: Annotated[int, typer.Option(help="本地端口 (0 为自动选择)")] = 0,
    keep_serving: Annotated[bool, typer.Option("--serve", help="扫描后继续提供示例站点，按 Ctrl-C 退出")] = False,
) -> None:
    """在 127.0.0.1 上运行内置示例政府网站并扫描它 (无需网络)。

    Example: xunjian demo
    """
    db_url = database_url(ctx)
    with SiteServer(DEMO_SITE, port=port) as server:
        registry = Path(tempfile.mkdtemp(prefix="xunjian-demo-")) / "sites.yaml"
        registry.write_text(
            "sites:\n"
            f"  - id: {DEMO_ID}\n    name: 示例市人民政府\n    url: {server.url}\n    kind: portal\n"
            '    site_code: "1199000001"\n    sponsor: 示例市人民政府办公室\n    render: never\n',
            encoding="utf-8",
        )
        with session(ctx) as s:
            upsert_sites(s, parse_registry(registry))
        err.print(f"示例站点已在 {server.url} 运行，按 {DEMO_AS_OF} 评估 (站点内日期以该日为准)")
        code = scan_one(ctx, DEMO_ID, DEMO_AS_OF, trigger="demo",
                        extra_env={"XUNJIAN_ALLOW_NETWORKS": "127.0.0.0/8", "XUNJIAN_OFFLINE": "1"})
        out.print(f"\n数据库: {db_url}\n查看全部问题: xunjian findings {DEMO_ID} --format json\n"
                  f"评分: xunjian score {DEMO_ID}    报告: xunjian report {DEMO_ID} --out report/")
        if keep_serving:
            err.print(f"示例站点继续运行于 {server.url}，按 Ctrl-C 退出")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
    raise typer.Exit(code)
