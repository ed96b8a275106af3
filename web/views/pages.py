"""Read-only pages: 总览 (/), 站点 (/sites/{id}), 可用性 (/availability), 审计日志 (/audit)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from xunjian.storage.types import utcnow
from xunjian.web import charts, queries, shots
from xunjian.web.actions import ACTION_ZH
from xunjian.web.auth import Principal, get_db, viewer
from xunjian.web.render import render

router = APIRouter()


@router.get("/")
def overview(request: Request, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> Response:
    rows = queries.overview(db, request.app.state.settings)
    for row in rows:
        row["spark"] = charts.sparkline(row["trend"])
    return render(request, "overview.html", rows=rows)


@router.get("/sites/{site_id}")
def site(request: Request, site_id: str, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> Response:
    data = queries.site_page(db, request.app.state.settings, site_id)
    data["trend"] = charts.sparkline(data["history"], width=240, height=40)
    data["shots"] = shots.existing(request.app.state.settings)
    return render(request, "site.html", **data)


@router.get("/availability")
def availability(request: Request, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> Response:
    now = utcnow()
    probes = queries.probes_by_site(db, now)
    timeout = request.app.state.settings.probe.timeout
    items = [{"site": s, "chart": charts.probe_chart(probes.get(s.id, []), now, timeout=timeout)}
             for s in queries.sites(db)]
    return render(request, "availability.html", items=items)


@router.get("/audit")
def audit_log(request: Request, site: str = "", actor: str = "", finding: str = "", page: int = 1,
              p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> Response:
    size = request.app.state.settings.web.page_size
    filters = {"site": site, "actor": actor, "finding": finding}
    page = max(1, page)
    entries = queries.audit_entries(db, filters, limit=size, offset=(page - 1) * size)
    return render(request, "audit.html", entries=entries, filters=filters, page=page, size=size,
                  action_zh=ACTION_ZH, sites=queries.sites(db))
