"""Findings as CSV and JSON, and the formula guard shared with the Excel writer.

Text from crawled pages is untrusted: a cell starting with ``= + - @`` (or a tab / carriage return)
would run as a formula when the file is opened in a spreadsheet, so :func:`neutralise` prefixes it
with an apostrophe (OWASP "CSV injection"). JSON needs no guard and keeps values as they are.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xunjian.reports.data import SiteReport

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

#: (key, Chinese header) of the findings table, shared by CSV and Excel.
FINDING_COLUMNS = [
    ("id", "问题编号"), ("site", "站点"), ("rule", "规则"), ("rule_zh", "问题类型"), ("severity_zh", "级别"),
    ("indicator_name", "所属指标"), ("page", "页面"), ("page_title", "页面标题"), ("target", "问题对象"),
    ("message", "问题描述"), ("page_count", "涉及页面数"), ("example_pages", "示例页面"), ("evidence", "证据"),
    ("first_seen", "首次发现"), ("last_seen", "最近发现"), ("status_zh", "状态"),
]
FIXED_COLUMNS = FINDING_COLUMNS[:11] + [("first_seen", "首次发现"), ("resolved_at", "整改确认时间")]


def neutralise(value: Any) -> Any:
    """A string that a spreadsheet would read as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def cell_value(finding: dict[str, Any], key: str) -> Any:
    value = finding.get(key)
    if key == "evidence":
        return json.dumps(value or {}, ensure_ascii=False, sort_keys=True)
    if key == "page_count" and not value:  # a site-level finding: no page
        return ""
    if key == "example_pages":  # a grouped finding's example pages (evidence.pages), one per line
        return "\n".join(value or [])
    return "" if value is None else value


def finding_rows(findings: list[dict[str, Any]], columns=FINDING_COLUMNS) -> list[list[Any]]:  # noqa: ANN001
    return [[neutralise(cell_value(f, key)) for key, _ in columns] for f in findings]


def write_csv(path: Path, reports: list[SiteReport]) -> Path:
    """UTF-8 with BOM (so Excel reads the Chinese), one row per current finding, formulas neutralised."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([zh for _, zh in FINDING_COLUMNS])
        for report in reports:
            writer.writerows(finding_rows(report.findings))
    return path


def write_json(path: Path, reports: list[SiteReport]) -> Path:
    """The contract's finding JSON (rules.md) array, with the report's Chinese labels added."""
    items = [f for report in reports for f in report.findings]
    path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
