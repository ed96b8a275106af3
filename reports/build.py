"""Write every report file for some sites: the library call behind ``xunjian report``.

Per site: ``<site>.html`` (screenshots in ``screenshots/<site>/``), ``<site>-findings.csv`` and
``<site>-findings.json``; one workbook for the run (``<site>.xlsx``, or ``xunjian-report.xlsx`` with
``--all``). Each reported site remembers the report time, so the next report's 已整改 sheet lists what
was fixed since this one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from xunjian.reports.data import build_site_report, mark_reported
from xunjian.reports.excel import write_workbook
from xunjian.reports.html import write_html
from xunjian.reports.screenshots import capture
from xunjian.reports.tabular import write_csv, write_json
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings


def write_reports(
    session: Session, settings: Settings, out_dir: Path, site_ids: list[str] | None = None,
    screenshots: bool = True, since: datetime | None = None, now: datetime | None = None,
) -> tuple[list[Path], list[str]]:
    """Write the reports of ``site_ids`` (all registered sites when None); returns (files, warnings)."""
    from xunjian.scoring import load_profile
    from xunjian.storage.registry import list_sites

    now = now or utcnow()
    profile = load_profile(settings)
    ids = site_ids if site_ids is not None else [s.id for s in list_sites(session)]
    reports = [build_site_report(session, sid, settings, now=now, since=since, profile=profile)
               for sid in ids]
    written: list[Path] = []
    warnings: list[str] = []
    for report in reports:
        sid = report.site["id"]
        if screenshots:
            shots, notes = capture(report.findings, report.site, out_dir / "screenshots" / sid,
                                   settings.report, executable_path=settings.render.executable_path)
            report.screenshots, report.warnings = shots, notes
            warnings.extend(notes)
            written.extend(shots.values())
        written.append(write_html(out_dir / f"{sid}.html", report))
        written.append(write_csv(out_dir / f"{sid}-findings.csv", [report]))
        written.append(write_json(out_dir / f"{sid}-findings.json", [report]))
    name = f"{ids[0]}.xlsx" if site_ids is not None and len(ids) == 1 else "xunjian-report.xlsx"
    written.append(write_workbook(out_dir / name, reports))
    for sid in ids:
        mark_reported(session, sid, now)
    return written, warnings
