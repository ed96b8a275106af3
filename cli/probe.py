"""``xunjian probe SITE`` / ``xunjian probe --all``: one availability probe now, recorded."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from xunjian.cli import app
from xunjian.cli.common import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    FormatOption,
    check_format,
    database_url,
    err,
    fail,
    out,
    settings_from,
    warn,
)

OUTCOME_ZH = {"up": "正常", "slow": "响应慢", "down": "失败"}


def _probe_one(url: str, site_id: str, settings, domain: bool) -> dict:  # noqa: ANN001 - Settings
    from xunjian.probes import probe_and_record, weekly_availability
    from xunjian.storage.db import session_scope

    done = probe_and_record(url, site_id, settings, domain=domain)  # ProbeRefused propagates
    assert done is not None  # the caller checked the site is registered
    result = done.result
    with session_scope(url) as s:
        weekly = weekly_availability(s, site_id)
    return {
        "site": site_id, "url": done.site.url, "at": result.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "outcome": done.outcome, "status": result.status,
        "elapsed": result.elapsed, "error_class": result.error_class, "error": result.error,
        "tls_expires_at": result.tls.not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
        if result.tls and result.tls.not_after else None,
        "findings": [f.to_dict() for f in done.findings], "alerts": [m.subject for m in done.alerts],
        "availability": weekly,
    }


@app.command("probe")
def probe(
    ctx: typer.Context,
    site: Annotated[str | None, typer.Argument(help="站点编号")] = None,
    all_: Annotated[bool, typer.Option("--all", help="探测全部站点")] = False,
    domain: Annotated[bool, typer.Option("--domain", help="同时检查域名 (IPv6 FN001、政府域名 FN003)")] = False,
    fmt: FormatOption = "table",
) -> None:
    """立即探测站点首页一次并记录 (失败记为 AV001)；探测完成即退出码 0，无论结果。

    Example: xunjian probe demo-gov
    """
    from sqlalchemy import select

    from xunjian.probes import ProbeRefused
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site

    fmt = check_format(fmt)
    if bool(site) == all_:
        fail("请指定一个站点编号，或使用 --all", EXIT_USAGE)
    settings = settings_from(ctx)
    url = database_url(ctx)
    with session_scope(url) as s:
        ids = list(s.scalars(select(Site.id).order_by(Site.id))) if all_ else [site]
        if site and s.get(Site, site) is None:
            fail(f"站点 {site!r} 未登记 (先用 xunjian sites import 导入)", EXIT_NOT_FOUND)
    if not ids:
        warn("没有已登记的站点")
    results, refused = [], []
    for sid in ids:
        try:
            results.append(_probe_one(url, sid, settings, domain))
        except ProbeRefused as exc:
            refused.append(sid)
            err.print(f"[yellow]跳过[/] {sid}: {exc}", highlight=False)
    if fmt == "json":
        typer.echo(json.dumps(results, ensure_ascii=False, indent=2))
    elif results:
        table = Table("站点", "结果", "HTTP", "耗时(秒)", "错误", "问题", "近7天可用性")
        for r in results:
            table.add_row(r["site"], OUTCOME_ZH[r["outcome"]], str(r["status"] or ""),
                          f"{r['elapsed']:.2f}" if r["elapsed"] is not None else "", r["error"] or "",
                          " ".join(f["rule"] for f in r["findings"]), r["availability"]["summary"])
        out.print(table)
    if refused and not results:
        fail(f"未能探测: {', '.join(refused)} (内网地址未允许，见 crawl.allow_networks / XUNJIAN_ALLOW_NETWORKS)")
