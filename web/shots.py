"""截图 on demand: the offending element of one finding outlined in red, taken with the report's screenshot code
(:func:`xunjian.reports.screenshots.capture`, Debian Chromium, the site's own pages only) and kept as
``<web.screenshot_dir>/finding-<id>.png``. The scans store no screenshots; the console takes them when asked.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from xunjian.storage.findings import finding_json
from xunjian.storage.models import Site
from xunjian.storage.triage import TriageError, get_finding

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings


def shot_dir(settings: Settings) -> Path:
    return Path(settings.web.screenshot_dir)


def shot_path(settings: Settings, finding_id: int) -> Path:
    return shot_dir(settings) / f"finding-{int(finding_id)}.png"


def existing(settings: Settings) -> set[int]:
    """Ids of the findings that have a screenshot."""
    folder = shot_dir(settings)
    if not folder.is_dir():
        return set()
    ids = set()
    for item in folder.glob("finding-*.png"):
        stem = item.stem.removeprefix("finding-")
        if stem.isdigit():
            ids.add(int(stem))
    return ids


def take(session: Session, settings: Settings, finding_id: int) -> Path:
    """Take (or retake) the screenshot of one finding; :class:`TriageError` when it cannot be taken."""
    from xunjian.reports.screenshots import capture

    row = get_finding(session, finding_id)
    site = session.get(Site, row.site_id)
    if site is None or not row.page:
        raise TriageError("该问题没有所在页面，无法截图", 400)
    info = {"id": site.id, "url": site.url, "aliases": list(site.aliases or [])}
    cfg = settings.report.model_copy(update={"screenshot_rules": [row.rule[:2]], "screenshot_max_pages": 1,
                                             "screenshot_max_shots": 1})
    shots, warnings = capture([finding_json(row, row.site_id)], info, shot_dir(settings), cfg,
                              settings.render.executable_path)
    if row.id not in shots:
        raise TriageError("未能截图: " + ("; ".join(warnings) or "页面上没有找到该问题的位置"), 422)
    return shots[row.id]
