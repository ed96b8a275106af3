"""``xunjian findings SITE`` (current findings) and sub-commands ``ignore``, ``ignore-phrase``, ``history``.

``findings SITE --format json`` prints the rules.md finding JSON array on stdout and nothing else;
messages go to stderr. A click group with a default command lets ``findings SITE`` and
``findings ignore ID`` live side by side (so no site can be named ``ignore``, ``ignore-phrase``, ``history``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from xunjian.checks.codes import RULES
from xunjian.cli import app
from xunjian.cli.common import EXIT_NOT_FOUND, EXIT_USAGE, FormatOption, check_format, err, fail, out, session

STATUSES = ("open", "resolved", "ignored")
STATUS_ZH = {"open": "未整改", "resolved": "已整改", "ignored": "已忽略"}


class DefaultGroup(TyperGroup):
    """A group whose first argument, when it is not a sub-command, goes to the ``show`` command."""

    default_command = "show"

    def parse_args(self, ctx, args):  # noqa: ANN001, ANN201 - click signature
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


findings_app = typer.Typer(
    cls=DefaultGroup, no_args_is_help=True,
    help="问题清单: findings SITE 列出站点当前问题; ignore / ignore-phrase 忽略; history 历次得分。",
)
app.add_typer(findings_app, name="findings")


def _require_site(s, site_id: str) -> None:  # noqa: ANN001
    from xunjian.storage.models import Site

    if s.get(Site, site_id) is None:
        fail(escape(f"站点 {site_id!r} 未登记 (先运行 xunjian sites import)"), EXIT_NOT_FOUND)


def _t(value: object) -> Text:
    """Crawled text is untrusted: never interpreted as rich markup."""
    return Text("" if value is None else str(value))


def _page_cell(f: dict) -> Text:
    """The page, and for a grouped finding (any rule with evidence.page_count) how many pages share it."""
    from xunjian.reports.data import grouped_pages, pages_zh

    count, _pages = grouped_pages(f.get("evidence") or {}, f.get("page"))
    text = _t(f["page"])
    if count > 1:
        text.append(f" (共 {pages_zh(count)})", style="dim")
    return text


@findings_app.command("show")
def show(
    ctx: typer.Context,
    site: Annotated[str, typer.Argument(help="站点编号")],
    fmt: FormatOption = "table",
    status: Annotated[
        str, typer.Option("--status", "-s", help="open(未整改) | resolved(已整改) | ignored(已忽略)")
    ] = "open",
) -> None:
    """列出站点的问题 (默认: 最近一次完整检查的问题及近 7 天可用性监测问题)。

    Example: xunjian findings demo-gov --format json --status open
    """
    from xunjian.crawler.budget import partial_note
    from xunjian.storage.findings import current_findings, finding_json, latest_complete_scan

    fmt = check_format(fmt)
    status = status.lower()
    if status not in STATUSES:
        fail(escape(f"未知的状态 {status!r}，可选 open、resolved 或 ignored"), EXIT_USAGE)
    with session(ctx) as s:
        _require_site(s, site)
        items = [finding_json(r, site) for r in current_findings(s, site, (status,), include_partial=True)]
        note = partial_note(latest_complete_scan(s, site, include_partial=True))
    if note:  # on stderr: the JSON/CSV on stdout keeps its shape
        err.print(note, highlight=False, markup=False)
    if fmt == "json":
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    table = Table("编号", "规则", "问题", "页面", "说明", "首次发现", "状态")
    for col in table.columns[2:5]:
        col.overflow = "fold"  # full URLs and messages, wrapped, never cut
    for f in items:
        rule = RULES.get(f["rule"])
        table.add_row(str(f["id"]), f["rule"], _t(rule.zh if rule else f["rule"]), _page_cell(f),
                      _t(f["message"]), f["first_seen"] or "", STATUS_ZH.get(f["status"], f["status"]))
    out.print(table)
    err.print(f"{site}: {len(items)} 项{STATUS_ZH[status]}问题", highlight=False, markup=False)


@findings_app.command("ignore")
def ignore(
    ctx: typer.Context,
    finding_id: Annotated[int, typer.Argument(metavar="ID", help="问题编号 (见 findings SITE 的 id)")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="忽略原因 (必填)")],
) -> None:
    """忽略一个问题；以后的检查再发现它仍保持忽略。

    Example: xunjian findings ignore 42 --reason "附件已按要求下线"
    """
    from xunjian.storage.findings import ignore_finding

    if not reason.strip():
        fail("忽略原因不能为空", EXIT_USAGE)
    with session(ctx) as s:
        try:
            row = ignore_finding(s, finding_id, reason.strip())
        except LookupError as exc:
            fail(str(exc), EXIT_NOT_FOUND)
        rule, site = row.rule, row.site_id
    err.print(f"已忽略问题 #{finding_id} ({rule}, 站点 {site})", highlight=False, markup=False)


@findings_app.command("ignore-phrase")
def ignore_phrase_cmd(
    ctx: typer.Context,
    site: Annotated[str, typer.Argument(help="站点编号")],
    phrase: Annotated[str, typer.Argument(help="文字检查不再报告的词语")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="忽略原因 (必填)")],
    rule: Annotated[str | None, typer.Option("--rule", help="只对该规则忽略 (如 TX002)")] = None,
) -> None:
    """让文字类检查在该站点不再报告某个词语。

    Example: xunjian findings ignore-phrase demo-gov "机构改革前名称" --reason "历史文件原文"
    """
    from xunjian.storage.findings import ignore_phrase

    if not reason.strip() or not phrase.strip():
        fail("词语和忽略原因都不能为空", EXIT_USAGE)
    with session(ctx) as s:
        _require_site(s, site)
        ignore_phrase(s, site, phrase.strip(), reason.strip(), rule=rule)
    err.print(f"站点 {site} 已忽略词语: {phrase.strip()}", highlight=False, markup=False)


@findings_app.command("history")
def history(
    ctx: typer.Context,
    site: Annotated[str, typer.Argument(help="站点编号")],
    fmt: FormatOption = "table",
) -> None:
    """站点历次检查的得分 (每次检查一行)。

    Example: xunjian findings history demo-gov --format json
    """
    from xunjian.scoring import score_history

    fmt = check_format(fmt)
    with session(ctx) as s:
        _require_site(s, site)
        items = score_history(s, site)
    if fmt == "json":
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    table = Table("检查编号", "检查状态", "检查日期", "计算时间", "结论", "得分", "分档", "否决项")
    for h in items:
        table.add_row(str(h["scan_id"] or ""), h["scan_status"] or "", h["as_of"] or "", h["computed_at"],
                      "合格" if h["verdict"] == "pass" else "不合格", f"{h['score']:.2f}", h["band"] or "",
                      "、".join(h["veto"]))
    out.print(table)
