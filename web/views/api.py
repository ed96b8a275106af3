"""The JSON API: /api/sites, /api/findings (with the triage actions), /api/scans, /api/audit.

Machine clients authenticate with ``Authorization: Bearer <token>`` (``xunjian users token NAME``);
browsers with the session cookie plus ``X-CSRF-Token`` on state-changing calls. Findings use the
contract's finding JSON (rules.md) plus the triage fields.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from xunjian.scoring import compute_site_score
from xunjian.storage import triage
from xunjian.storage.findings import finding_json
from xunjian.storage.models import Finding, Scan
from xunjian.web import actions, queries
from xunjian.web.auth import Principal, get_db, inspector, viewer
from xunjian.web.views.findings import FILTER_KEYS
from xunjian.web.views.scans import launch_scan

router = APIRouter(prefix="/api")


def _z(ts: Any) -> str | None:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ") if ts else None


def finding_out(row: Finding) -> dict[str, Any]:
    return {**finding_json(row, row.site_id), "assignee": row.assignee, "ignore_kind": row.ignore_kind,
            "ignored_reason": row.ignored_reason, "ignore_until": _z(row.ignore_until),
            "resolved_at": _z(row.resolved_at), "reopened_count": row.reopened_count}


def scan_out(scan: Scan) -> dict[str, Any]:
    return {"id": scan.id, "site": scan.site_id, "status": scan.status, "trigger": scan.trigger,
            "as_of": scan.as_of.isoformat() if scan.as_of else None, "started_at": _z(scan.started_at),
            "finished_at": _z(scan.finished_at), "pages": scan.pages_count, "targets": scan.targets_checked,
            "findings": scan.findings_count, "message": scan.message}


@router.get("/sites")
def sites(request: Request, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> JSONResponse:
    rows = queries.overview(db, request.app.state.settings)
    return JSONResponse([{"id": r["site"].id, "name": r["site"].name, "url": r["site"].url,
                          "verdict": r["score"].verdict, "score": r["score"].score, "band": r["score"].band,
                          "open_findings": r["open"], "by_family": r["families"],
                          "availability_7d": r["availability"], "trend": [h["score"] for h in r["trend"]]}
                         for r in rows])


@router.get("/sites/{site_id}")
def site(request: Request, site_id: str, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> JSONResponse:
    queries.site_page(db, request.app.state.settings, site_id)  # LookupError -> 404
    return JSONResponse(compute_site_score(db, site_id, request.app.state.settings).to_json())


@router.get("/findings")
def findings(request: Request, limit: int = 100, offset: int = 0, p: Principal = Depends(viewer),
             db: Session = Depends(get_db)) -> JSONResponse:
    filters = {k: request.query_params.get(k, "") for k in FILTER_KEYS}
    filters["status"] = filters["status"] or "active"
    rows, total = queries.find(db, filters, limit=max(1, min(limit, 1000)), offset=max(0, offset))
    return JSONResponse({"total": total, "findings": [finding_out(r) for r in rows]})


@router.get("/findings/{finding_id}")
def finding(finding_id: int, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> JSONResponse:
    row = triage.get_finding(db, finding_id)
    return JSONResponse({**finding_out(row),
                         "comments": [{"author": c.author, "body": c.body, "at": _z(c.created_at)}
                                      for c in triage.comments(db, finding_id)],
                         "history": [audit_out(a) for a in triage.history(db, finding_id)]})


async def _body(request: Request) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    if ctype == "application/json":
        try:
            data = json.loads((await request.body()).decode("utf-8") or "{}")
        except (ValueError, UnicodeDecodeError):
            raise triage.TriageError("请求体不是合法的 JSON", 400) from None
        if not isinstance(data, dict):
            raise triage.TriageError("请求体应为 JSON 对象", 400)
        return data
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return {}


@router.post("/findings/{finding_id}/{action}")
async def act(request: Request, finding_id: int, action: str, p: Principal = Depends(inspector)) -> JSONResponse:
    from fastapi.concurrency import run_in_threadpool

    if action not in actions.ACTIONS:
        raise triage.TriageError(f"未知的操作 {action!r}", 404)
    data = await _body(request)
    return JSONResponse(await run_in_threadpool(_apply, request, finding_id, action, p.name, data))


def _apply(request: Request, finding_id: int, action: str, actor: str, data: dict[str, Any]) -> dict[str, Any]:
    from xunjian.storage.db import session_scope

    with session_scope(request.app.state.db_url) as db:
        return actions.apply(db, request.app.state.settings, finding_id, action, actor, data)


@router.get("/scans")
def scans(site: str = "", limit: int = 100, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> JSONResponse:
    return JSONResponse([scan_out(s) for s in queries.scans(db, site or None, max(1, min(limit, 1000)))])


@router.post("/scans")
async def start_scan(request: Request, p: Principal = Depends(inspector)) -> JSONResponse:
    from fastapi.concurrency import run_in_threadpool

    data = await _body(request)
    site_id = str(data.get("site") or "")
    if not site_id:
        raise triage.TriageError("请提供站点编号 site", 400)
    await run_in_threadpool(_launch, request, site_id, p.name)
    return JSONResponse({"site": site_id, "status": "starting"}, status_code=202)


def _launch(request: Request, site_id: str, actor: str) -> None:
    from xunjian.storage.db import session_scope

    with session_scope(request.app.state.db_url) as db:
        launch_scan(request, db, site_id, actor)


def audit_out(a: Any) -> dict[str, Any]:
    return {"id": a.id, "at": _z(a.at), "actor": a.actor, "action": a.action, "object": a.object_type,
            "object_id": a.object_id, "site": a.site_id, "from": a.from_status, "to": a.to_status,
            "reason": a.reason, "details": a.details or {}}


@router.get("/audit")
def audit(site: str = "", finding: str = "", limit: int = 100, p: Principal = Depends(viewer),
          db: Session = Depends(get_db)) -> JSONResponse:
    entries = queries.audit_entries(db, {"site": site, "finding": finding}, limit=max(1, min(limit, 1000)))
    return JSONResponse([audit_out(a) for a in entries])
