"""Scoring by the national indicators (国办秘函〔2019〕19号): findings + probe stats + profile -> verdict.

The profile (``rules/indicators.yaml`` or a city's own file named by ``scoring.profile``) holds every
weight, threshold and code-to-indicator mapping; this module holds none. :func:`compute_score` is pure
(finding dicts in, :class:`ScoreResult` out). :func:`compute_site_score` gathers a site's current
findings and probe statistics from the database, and :func:`record_score` stores the result as a
``scores`` row after a scan (it never commits). "Now" is a parameter everywhere, for reproducible runs.

Model (indicators.md §1): any veto item -> fail; else 100 minus the per-indicator capped deductions
(bodies without services: 75 minus the rest, times 4/3); below 60 -> fail; above 80 a portal may earn
bonus points; final = deduction score + bonus.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from sqlalchemy import func, select

from xunjian.config import RULES_DIR
from xunjian.storage.types import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xunjian.config import Settings
    from xunjian.storage.models import Score

REQUIRED_KEYS = ("base_points", "pass_threshold", "bonus_gate", "bonus_max", "veto", "indicators")


class ProfileError(Exception):
    """The indicator profile is missing or invalid; the message names the file and key."""


@dataclass
class ProbeStats:
    """Availability probes of one site over the veto window."""

    total: int = 0
    failed: int = 0
    window_days: int = 7

    @property
    def ratio(self) -> float | None:
        return self.failed / self.total if self.total else None


@dataclass
class SiteFacts:
    """What scoring needs to know about the site itself."""

    id: str
    kind: str = "portal"
    has_services: bool = True
    bonus: dict[str, float] = field(default_factory=dict)


@dataclass
class ScoreResult:
    site: str
    verdict: str
    score: float
    deduction_score: float
    veto: list[dict[str, Any]]
    deductions: list[dict[str, Any]]
    bonus: float
    band: str
    profile: str
    availability: dict[str, Any]
    counts: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "site": self.site, "verdict": self.verdict, "score": self.score, "veto": self.veto,
            "deductions": self.deductions, "bonus": self.bonus, "deduction_score": self.deduction_score,
            "band": self.band, "profile": self.profile, "availability": self.availability,
            "counts": self.counts,
        }


# --------------------------------------------------------------------------------------------- profile

def profile_path(name: str) -> Path:
    """A profile name in ``rules/`` or a path to a city's own file."""
    path = Path(name)
    if path.is_absolute() or path.exists():
        return path
    return RULES_DIR / name


def load_profile(settings: Settings | None = None, path: str | Path | None = None) -> dict[str, Any]:
    """Read and validate the profile selected in settings (``scoring.profile``) or given by path."""
    name = str(path) if path else (settings.scoring.profile if settings else "indicators.yaml")
    file = profile_path(name)
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"指标方案文件无法读取: {file}: {exc.strerror}") from None
    except yaml.YAMLError:
        raise ProfileError(f"指标方案文件不是合法的 YAML: {file}") from None
    if not isinstance(data, dict):
        raise ProfileError(f"指标方案文件的顶层必须是键值映射: {file}")
    for key in REQUIRED_KEYS:
        if key not in data:
            raise ProfileError(f"指标方案 {file} 缺少配置项 '{key}'")
    ids = [ind.get("id") for ind in data["indicators"]]
    if len(set(ids)) != len(ids) or None in ids:
        raise ProfileError(f"指标方案 {file}: 'indicators' 的 id 必须唯一且不能为空")
    data.setdefault("id", file.stem)
    return data


def _rule_index(profile: dict[str, Any]) -> dict[str, tuple[dict[str, Any], float, bool]]:
    index: dict[str, tuple[dict[str, Any], float, bool]] = {}
    for ind in profile["indicators"]:
        for code, spec in (ind.get("rules") or {}).items():
            if isinstance(spec, dict):
                index[code] = (ind, float(spec.get("points", 0)), bool(spec.get("once", False)))
            else:
                index[code] = (ind, float(spec), False)
    return index


def _fallback_indicator(profile: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": profile.get("fallback_indicator", "other"),
        "name": profile.get("fallback_indicator_name", "其他"),
        "area": profile.get("fallback_area", ""), "cap": profile.get("fallback_cap", 5), "rules": {},
    }


def indicator_for(code: str, profile: dict[str, Any]) -> tuple[dict[str, Any], float, bool]:
    """(indicator, points per finding, once) for a rule code; unknown codes by family prefix."""
    index = _rule_index(profile)
    if code in index:
        return index[code]
    by_id = {ind["id"]: ind for ind in profile["indicators"]}
    target = (profile.get("family_defaults") or {}).get(code[:2])
    ind = by_id.get(target) if target else None
    return (ind or _fallback_indicator(profile)), float(profile.get("default_points", 0)), False


# --------------------------------------------------------------------------------------------- pure scoring

def _brief(f: dict[str, Any], points: float | None = None) -> dict[str, Any]:
    out = {k: f.get(k) for k in ("id", "rule", "severity", "page", "target", "message")}
    page_count = (f.get("evidence") or {}).get("page_count")
    if page_count is not None:
        out["page_count"] = page_count  # a grouped finding: one problem on this many pages, deducted once
    if points is not None:
        out["points"] = points
    return out


def _excluded(f: dict[str, Any], rules: list[dict[str, Any]]) -> bool:
    for ex in rules:
        if f["rule"] != ex.get("code"):
            continue
        value = (f.get("evidence") or {}).get(ex.get("evidence", ""))
        if value is not None and "above" in ex and _num(value) > float(ex["above"]):
            return True
    return False


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def veto_items(
    findings: list[dict[str, Any]], stats: ProbeStats | None, profile: dict[str, Any]
) -> list[dict[str, Any]]:
    """The veto items met, each with the findings (or probe figures) that triggered it."""
    hits: list[dict[str, Any]] = []
    listed = {c for item in profile["veto"] if item.get("kind") == "severity"
              for c in item.get("codes") or []}
    for item in profile["veto"]:
        kind = item.get("kind")
        base = {"id": item["id"], "name": item.get("name", item["id"])}
        if kind == "availability":
            if stats and stats.total >= int(item.get("min_probes", 0)) and stats.ratio is not None \
                    and stats.ratio >= float(item["ratio"]):
                reason = f"近{stats.window_days}天监测 {stats.total} 次，失败 {stats.failed} 次 ({stats.ratio:.1%})"
                hits.append({**base, "reason": reason, "findings": [],
                             "probes": {"total": stats.total, "failed": stats.failed, "ratio": stats.ratio}})
        elif kind == "count":
            codes = set(item.get("codes") or [])
            excludes = item.get("exclude") or []
            matched = [f for f in findings if f["rule"] in codes and not _excluded(f, excludes)]
            if len(matched) >= int(item["min_count"]):
                reason = f"{'、'.join(sorted(codes))} 共 {len(matched)} 项 (阈值 {item['min_count']})"
                hits.append({**base, "reason": reason, "findings": [_brief(f) for f in matched]})
        elif kind == "severity":
            codes = set(item.get("codes") or [])
            matched = [f for f in findings if f.get("severity") == "veto"
                       and (f["rule"] in codes or (not codes and f["rule"] not in listed))]
            if matched:
                hits.append({**base, "reason": f"{len(matched)} 项单项否决级问题",
                             "findings": [_brief(f) for f in matched]})
    return hits


def _drop_double_penalties(findings: list[dict[str, Any]], profile: dict[str, Any]) -> list[dict[str, Any]]:
    """§1.10: within a group, one target is deducted under its first-listed code only."""
    dropped: set[int] = set()
    for group in profile.get("no_double_penalty") or []:
        order = {code: i for i, code in enumerate(group)}
        best: dict[str, tuple[int, int]] = {}
        for i, f in enumerate(findings):
            if f["rule"] in order and f.get("target"):
                rank = order[f["rule"]]
                prev = best.get(f["target"])
                if prev is None or rank < prev[0]:
                    if prev is not None:
                        dropped.add(prev[1])
                    best[f["target"]] = (rank, i)
                else:
                    dropped.add(i)
    return [f for i, f in enumerate(findings) if i not in dropped]


LINK_RULES = ("LK001", "LK002", "LK003", "LK004", "LK005")


def _one_per_link_target(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indicators count unusable links by target, not by the pages linking them: one link finding per target,
    the first-listed code winning (grouped findings already are; older per-(page, target) rows count once)."""
    from xunjian.urls import fingerprint_url

    keyed = [(f, fingerprint_url(f["target"]) if f["rule"] in LINK_RULES and f.get("target") else None) for f in findings]
    best: dict[str, int] = {}
    for f, k in keyed:
        if k is not None:
            best[k] = min(best.get(k, 99), LINK_RULES.index(f["rule"]))
    out, kept = [], set()
    for f, k in keyed:
        if k is not None and (k in kept or LINK_RULES.index(f["rule"]) != best[k]):
            continue
        kept.add(k)
        out.append(f)
    return out


def deductions(
    findings: list[dict[str, Any]], profile: dict[str, Any], skip_area: str | None = None
) -> list[dict[str, Any]]:
    """Per-indicator deductions (capped), in profile order; indicators without findings are left out."""
    scored = set(profile.get("scored_severities") or ["veto", "deduct"])
    groups: dict[str, dict[str, Any]] = {}
    once_seen: set[tuple[str, str]] = set()
    kept = _one_per_link_target([f for f in findings if f.get("severity") in scored])
    for f in _drop_double_penalties(kept, profile):
        ind, points, once = indicator_for(f["rule"], profile)
        if skip_area and ind.get("area") == skip_area:
            continue
        entry = groups.setdefault(ind["id"], {"indicator": ind["id"], "name": ind.get("name", ind["id"]),
                                              "area": ind.get("area", ""), "cap": float(ind.get("cap", 0)),
                                              "raw_points": 0.0, "findings": []})
        if once and (ind["id"], f["rule"]) in once_seen:
            points = 0.0
        once_seen.add((ind["id"], f["rule"]))
        entry["raw_points"] += points
        entry["findings"].append(_brief(f, points))
    order = {ind["id"]: i for i, ind in enumerate(profile["indicators"])}
    out = sorted(groups.values(), key=lambda e: order.get(e["indicator"], len(order)))
    for entry in out:
        entry["raw_points"] = round(entry["raw_points"], 2)
        entry["points"] = round(min(entry["cap"], entry["raw_points"]), 2)
    return out


def band_of(score: float, verdict: str, profile: dict[str, Any]) -> str:
    if verdict == "fail" and score <= 0:
        return "不合格"
    for band in profile.get("bands") or []:
        if score >= float(band["min"]):
            return str(band["label"])
    return ""


def bonus_points(site: SiteFacts, profile: dict[str, Any]) -> float:
    caps = {b["id"]: float(b.get("cap", 0)) for b in profile.get("bonus") or []}
    total = sum(min(caps[k], max(0.0, _num(v))) for k, v in site.bonus.items() if k in caps)
    return round(min(float(profile["bonus_max"]), total), 2)


def compute_score(
    findings: list[dict[str, Any]], stats: ProbeStats | None, profile: dict[str, Any], site: SiteFacts
) -> ScoreResult:
    """The indicator score of one site from its current (open) findings and probe statistics."""
    vetoes = veto_items(findings, stats, profile)
    ns = profile.get("no_services") or {}
    skip = ns.get("skip_area") if not site.has_services and ns else None
    deds = deductions(findings, profile, skip_area=skip)
    lost = sum(d["points"] for d in deds)
    if skip:
        base = float(ns.get("base", profile["base_points"]))
        d_score = (base - lost) * float(ns.get("scale_to", profile["base_points"])) / base
    else:
        d_score = float(profile["base_points"]) - lost
    d_score = round(max(0.0, d_score), 2)
    bonus = 0.0
    if vetoes:
        verdict, final = "fail", 0.0
    elif d_score < float(profile["pass_threshold"]):
        verdict, final = "fail", d_score
    else:
        if d_score > float(profile["bonus_gate"]) and site.kind in (profile.get("bonus_kinds") or ["portal"]):
            bonus = bonus_points(site, profile)
        verdict, final = "pass", round(d_score + bonus, 2)
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        counts[indicator_for(f["rule"], profile)[0]["id"]] += 1
    availability = {"probes": stats.total if stats else 0, "failed": stats.failed if stats else 0,
                    "ratio": stats.ratio if stats else None}
    return ScoreResult(site=site.id, verdict=verdict, score=final, deduction_score=d_score, veto=vetoes,
                       deductions=deds, bonus=bonus, band=band_of(final, verdict, profile),
                       profile=str(profile.get("id", "")), availability=availability, counts=dict(counts))


# --------------------------------------------------------------------------------------------- database

def probe_stats(session: Session, site_id: str, now: datetime, window_days: int = 7) -> ProbeStats:
    """Probes and failed probes (outcome ``down``) of the site over the last ``window_days``."""
    from xunjian.storage.models import Probe

    since = now - timedelta(days=window_days)
    rows = session.execute(
        select(Probe.outcome, func.count())
        .where(Probe.site_id == site_id, Probe.at >= since, Probe.at <= now)
        .group_by(Probe.outcome)
    ).all()
    total = sum(n for _, n in rows)
    failed = sum(n for outcome, n in rows if outcome == "down")
    return ProbeStats(total=total, failed=failed, window_days=window_days)


def _window_days(profile: dict[str, Any]) -> int:
    for item in profile["veto"]:
        if item.get("kind") == "availability":
            return int(item.get("window_days", 7))
    return 7


def site_facts(site: Any) -> SiteFacts:
    extra = site.extra or {}
    bonus = extra.get("bonus") if isinstance(extra.get("bonus"), dict) else {}
    return SiteFacts(id=site.id, kind=site.kind, has_services=bool(site.has_services), bonus=bonus)


def compute_site_score(
    session: Session, site_id: str, settings: Settings | None = None, now: datetime | None = None,
    profile: dict[str, Any] | None = None,
) -> ScoreResult:
    """Score a registered site from the database as it is now (LookupError for an unknown site)."""
    from xunjian.storage.findings import current_findings, finding_json
    from xunjian.storage.models import Site

    now = now or utcnow()
    profile = profile or load_profile(settings)
    site = session.get(Site, site_id)
    if site is None:
        raise LookupError(f"站点 {site_id!r} 未登记")
    rows = current_findings(session, site_id, ("open",), now=now)
    findings = [finding_json(r, site_id) for r in rows]
    stats = probe_stats(session, site_id, now, _window_days(profile))
    return compute_score(findings, stats, profile, site_facts(site))


def record_score(
    session: Session, site_id: str, scan_id: int | None, settings: Settings | None = None,
    now: datetime | None = None,
) -> Score:
    """Compute the site's score after a scan and add it as a ``scores`` row (flushed, not committed)."""
    from xunjian.storage.models import Score

    now = now or utcnow()
    result = compute_site_score(session, site_id, settings, now=now)
    row = Score(site_id=site_id, scan_id=scan_id, computed_at=now, verdict=result.verdict,
                score=result.score, details=result.to_json())
    session.add(row)
    session.flush()
    return row


def score_history(session: Session, site_id: str) -> list[dict[str, Any]]:
    """Score per scan, oldest first: scan id, status and as_of, verdict, score, band."""
    from xunjian.storage.models import Scan, Score

    rows = session.execute(
        select(Score, Scan).outerjoin(Scan, Scan.id == Score.scan_id)
        .where(Score.site_id == site_id).order_by(Score.computed_at, Score.id)
    ).all()
    out = []
    for score, scan in rows:
        details = score.details or {}
        out.append({
            "scan_id": score.scan_id, "scan_status": scan.status if scan else None,
            "as_of": scan.as_of.isoformat() if scan and scan.as_of else None,
            "computed_at": score.computed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verdict": score.verdict, "score": score.score, "band": details.get("band"),
            "veto": [v.get("id") for v in details.get("veto") or []],
        })
    return out


def ranking(
    session: Session, settings: Settings | None = None, now: datetime | None = None
) -> list[ScoreResult]:
    """Every registered site scored now, best first (failed sites by veto last)."""
    from xunjian.storage.registry import list_sites

    profile = load_profile(settings)
    results = [compute_site_score(session, s.id, settings, now=now, profile=profile)
               for s in list_sites(session)]
    return sorted(results, key=lambda r: (r.verdict != "pass", -r.score, r.site))
