"""The Excel workbook shaped like the bulletins' annexes (openpyxl).

Sheets: 汇总 (one row per site: verdict, score, band, veto items, counts per indicator), 问题清单 (every
current finding with a hyperlink to its page and a Chinese description), 已整改 (findings resolved since
the previous report). Crawled text is neutralised against formula injection (see ``tabular``), and
only http(s) URLs become hyperlinks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from xunjian.reports.data import VERDICT_ZH
from xunjian.reports.tabular import FINDING_COLUMNS, FIXED_COLUMNS, cell_value, neutralise

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from xunjian.reports.data import SiteReport

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="9C1C1C")
LINK_FONT = Font(color="0563C1", underline="single")
FAIL_FONT = Font(bold=True, color="C00000")
LINK_KEYS = ("page", "target")
WIDTHS = {"问题描述": 48, "页面": 40, "问题对象": 40, "证据": 40, "页面标题": 30, "示例页面": 40, "所属指标": 22, "问题类型": 22}


def _safe(value: Any) -> Any:
    """Formula-neutralised, without the control characters an xlsx file cannot hold."""
    value = neutralise(value)
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _is_web_url(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _header(ws: Worksheet, titles: list[str]) -> None:
    ws.append(titles)
    for i, title in enumerate(titles, 1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(title, 14)
    ws.freeze_panes = "A2"


def _summary(ws: Worksheet, reports: list[SiteReport]) -> None:
    indicators = reports[0].indicators if reports else []
    _header(ws, ["站点编号", "站点名称", "网址", "结论", "得分", "分档", "单项否决项", "扣分合计", "加分", "问题总数"]
            + [i["name"] for i in indicators] + ["扫描说明"])
    for r in reports:
        s = r.score
        veto = "；".join(f"{v['id']} {v['name']}" for v in s["veto"])
        lost = round(sum(d["points"] for d in s["deductions"]), 2)
        row = [r.site["id"], r.site["name"], r.site["url"], VERDICT_ZH[s["verdict"]], s["score"], s["band"],
               veto, lost, s["bonus"], len(r.findings)] + [s["counts"].get(i["id"], 0) for i in indicators] + [r.scan_note]
        ws.append([_safe(v) for v in row])
        if s["verdict"] == "fail":
            ws.cell(row=ws.max_row, column=4).font = FAIL_FONT
        if _is_web_url(r.site["url"]):
            ws.cell(row=ws.max_row, column=3).hyperlink = r.site["url"]


def _findings(ws: Worksheet, findings: list[dict[str, Any]], columns: list[tuple[str, str]]) -> None:
    _header(ws, [zh for _, zh in columns])
    for f in findings:
        ws.append([_safe(cell_value(f, key)) for key, _ in columns])
        for col, (key, _) in enumerate(columns, 1):
            cell = ws.cell(row=ws.max_row, column=col)
            if key in LINK_KEYS and _is_web_url(f.get(key)):
                cell.hyperlink = f[key]
                cell.font = LINK_FONT
            if key in ("message", "evidence", "example_pages"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.auto_filter.ref = ws.dimensions


def write_workbook(path: Path, reports: list[SiteReport]) -> Path:
    """Write the three-sheet workbook for one or many sites."""
    wb = Workbook()
    summary = wb.active
    summary.title = "汇总"
    _summary(summary, reports)
    _findings(wb.create_sheet("问题清单"), [f for r in reports for f in r.findings], FINDING_COLUMNS)
    _findings(wb.create_sheet("已整改"), [f for r in reports for f in r.fixed], FIXED_COLUMNS)
    wb.save(path)
    return path
