"""The self-contained HTML report of one site (Jinja2, autoescaped).

Everything from crawled pages (titles, messages, URLs, evidence) is escaped by Jinja2's autoescape;
only http(s) URLs become links, and a Content-Security-Policy forbids scripts in the report. Screenshots
are embedded as ``data:`` URIs (the PNG files are also kept beside the report).
"""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from xunjian.reports.data import VERDICT_ZH

if TYPE_CHECKING:
    from xunjian.reports.data import SiteReport

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _is_web(value: Any) -> bool:
    return isinstance(value, str) and value.lower().startswith(("http://", "https://"))


def _tojson_pretty(value: Any) -> str:
    # A plain string: autoescape escapes it (unlike Jinja's own |tojson, which is marked safe for <script>).
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def _evidence_items(value: Any, limit: int = 160) -> list[tuple[str, str]]:
    """Evidence as short (key, text) pairs; autoescape escapes both when rendered."""
    if not isinstance(value, dict):
        return [("", _tojson_pretty(value)[:limit])]
    items = []
    for key, item in sorted(value.items()):
        if key == "pages":  # a grouped finding's example pages: listed beside the page, not as raw JSON
            continue
        text = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False, default=str)
        items.append((str(key), text if len(text) <= limit else text[:limit] + "…"))
    return items


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined)
    env.filters["is_web"] = _is_web
    env.filters["tojson_pretty"] = _tojson_pretty
    env.filters["evidence_items"] = _evidence_items
    return env


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def render_html(report: SiteReport) -> str:
    shots = {fid: _data_uri(p) for fid, p in report.screenshots.items() if p.exists()}
    return environment().get_template("site_report.html.j2").render(
        site=report.site, score=report.score, findings=report.findings, fixed=report.fixed, shots=shots,
        verdict_zh=VERDICT_ZH[report.score["verdict"]],
        generated_at=report.generated_at.strftime("%Y-%m-%d %H:%M"),
        since=report.since.strftime("%Y-%m-%d %H:%M") if report.since else "",
        scan_note=report.scan_note,
    )


def write_html(path: Path, report: SiteReport) -> Path:
    path.write_text(render_html(report), encoding="utf-8")
    return path
