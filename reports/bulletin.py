"""The inspection bulletin (通报): what it says, gathered from the database with the scoring functions.

:func:`build_bulletin` returns plain data (:class:`Bulletin`): the sites checked in the period (a scan
with ``as_of`` in it), each scored by :func:`xunjian.scoring.compute_site_score` — the function behind
``xunjian score --all``, so the bulletin's verdicts and scores are the same numbers —, the problem
categories of ``rules/bulletin.yaml`` with the sites and counts under each, and the score bands of the
indicator profile. :mod:`xunjian.reports.bulletin_docx` writes it as a Word document (GB/T 9704 layout)
and, when LibreOffice is installed, a PDF beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import select

from xunjian.config import RULES_DIR
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings


@cache
def bulletin_rules() -> dict[str, Any]:
    with open(RULES_DIR / "bulletin.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass
class SiteLine:
    id: str
    name: str
    url: str
    kind: str
    verdict: str
    score: float
    band: str
    veto: list[str]
    counts: dict[str, int] = field(default_factory=dict)  # category name -> problems


@dataclass
class Category:
    name: str
    sites: list[tuple[str, int]]  # (site name, problems)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.sites)


@dataclass
class Bulletin:
    title: str
    issuer: str
    period_from: date
    period_to: date
    generated_at: datetime
    scored_at: datetime
    sites: list[SiteLine]
    categories: list[Category]
    bands: list[tuple[str, list[SiteLine]]]
    requirements: list[str]

    def by_kind(self) -> list[tuple[str, int, int]]:
        """(kind label, sites checked, qualified) for each site kind present, then the total."""
        kinds = bulletin_rules()["kinds"]
        rows = []
        for kind, label in kinds.items():
            sites = [s for s in self.sites if s.kind == kind]
            if sites:
                rows.append((label, len(sites), sum(s.verdict == "pass" for s in sites)))
        rows.append(("合计", len(self.sites), sum(s.verdict == "pass" for s in self.sites)))
        return rows

    @property
    def failed(self) -> list[SiteLine]:
        return [s for s in self.sites if s.verdict != "pass"]


class BulletinError(Exception):
    """Nothing to report (no site checked in the period, unknown site); the message says why."""


def rate(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "—"


def checked_sites(session: Session, start: date, end: date, site_ids: list[str] | None) -> list[Any]:
    """Registered sites with a complete or failed scan whose as_of is in [start, end] (the sites checked)."""
    from xunjian.storage.models import Scan, Site

    scanned = select(Scan.site_id).where(Scan.as_of >= start, Scan.as_of <= end,
                                         Scan.status.in_(("complete", "failed")))
    query = select(Site).where(Site.id.in_(scanned)).order_by(Site.id)  # no DISTINCT: JSON columns (PostgreSQL)
    if site_ids:
        unknown = sorted(set(site_ids) - set(session.scalars(select(Site.id).where(Site.id.in_(site_ids)))))
        if unknown:
            raise BulletinError(f"站点未登记: {'、'.join(unknown)}")
        query = query.where(Site.id.in_(site_ids))
    return list(session.scalars(query))


def _last_scan_failed(session: Session, site_id: str, start: date, end: date) -> bool:
    from xunjian.storage.models import Scan

    last = session.scalars(select(Scan).where(Scan.site_id == site_id, Scan.as_of >= start, Scan.as_of <= end,
                                              Scan.status.in_(("complete", "failed")))
                           .order_by(Scan.id.desc())).first()
    return last is not None and last.status == "failed"


def _category_counts(rows: list[Any], vetoes: list[str], failed_scan: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for cat in bulletin_rules()["categories"]:
        codes = set(cat.get("codes") or ())
        n = sum(1 for r in rows if r.rule in codes)
        if not n and (set(cat.get("veto") or ()) & set(vetoes) or (cat.get("failed_scan") and failed_scan)):
            n = 1
        if n:
            counts[cat["name"]] = n
    return counts


def build_bulletin(session: Session, settings: Settings | None, start: date, end: date,
                   site_ids: list[str] | None = None, now: datetime | None = None,
                   title: str | None = None) -> Bulletin:
    """The bulletin of the sites checked from ``start`` to ``end`` (scored as of ``now``)."""
    from xunjian.scoring import compute_site_score, load_profile
    from xunjian.storage.findings import current_findings

    if end < start:
        raise BulletinError(f"结束日期 {end} 早于开始日期 {start}")
    issued = utcnow()
    now = now or min(issued, datetime.combine(end, time(23, 59, 59), tzinfo=UTC))
    profile = load_profile(settings)
    lines = []
    for site in checked_sites(session, start, end, site_ids):
        result = compute_site_score(session, site.id, settings, now=now, profile=profile)
        rows = current_findings(session, site.id, ("open",), now=now)
        vetoes = [v["id"] for v in result.veto]
        lines.append(SiteLine(site.id, site.name, site.url, site.kind, result.verdict, result.score, result.band,
                              vetoes, _category_counts(rows, vetoes, _last_scan_failed(session, site.id, start, end))))
    if not lines:
        raise BulletinError(f"{start} 至 {end} 期间没有完成检查的站点 (先运行 xunjian scan)")
    lines.sort(key=lambda s: (s.verdict != "pass", -s.score, s.id))
    rules = bulletin_rules()
    categories = [Category(c["name"], [(s.name, s.counts[c["name"]]) for s in lines if c["name"] in s.counts])
                  for c in rules["categories"]]
    band_labels = [str(b["label"]) for b in profile.get("bands") or []]
    extra = sorted({s.band for s in lines} - set(band_labels))
    bands = [(label, [s for s in lines if s.band == label]) for label in band_labels + extra]
    period = _period(start, end)
    return Bulletin(title=title or rules["title"].format(period=period), issuer=rules["issuer"],
                    period_from=start, period_to=end, generated_at=issued, scored_at=now, sites=lines, categories=categories,
                    bands=bands, requirements=list(rules["requirements"]))


def _period(start: date, end: date) -> str:
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.year}年{start.month}月"
    if start.year == end.year:
        return f"{start.year}年{start.month}—{end.month}月"
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


def zh_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


__all__ = ["Bulletin", "BulletinError", "Category", "SiteLine", "build_bulletin", "bulletin_rules", "rate", "zh_date"]
