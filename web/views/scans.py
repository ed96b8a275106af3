"""扫描: scan history, running scans (HTMX-polled fragment), and 立即重新扫描 for one site."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from xunjian.storage.models import Scan, Site
from xunjian.storage.triage import TriageError, audit
from xunjian.web import queries
from xunjian.web.auth import Principal, get_db, inspector, viewer
from xunjian.web.render import render

router = APIRouter()


def launch_scan(request: Request, db: Session, site_id: str, actor: str) -> None:
    """Start a scan of one site in a worker process (409 when one is already running)."""
    if db.get(Site, site_id) is None:
        raise LookupError(f"站点 {site_id} 未登记")
    running = db.scalars(select(Scan).where(Scan.site_id == site_id, Scan.status == "running")).first()
    launcher = request.app.state.launcher
    if running is not None or launcher.running(site_id):
        raise TriageError(f"站点 {site_id} 正在扫描中，请等待本次扫描结束")
    launcher.launch(site_id)
    audit(db, actor, "scan_start", "site", site_id, site_id=site_id, reason="立即重新扫描")
    db.commit()


def _running(request: Request, db: Session) -> list[dict]:
    items = queries.running_scans(db)
    launched = request.app.state.launcher.launched
    for item in items:
        live = launched.get(item["scan"].site_id)
        item["live"] = live.progress if live and live.exit_code is None else {}
    starting = [sid for sid, live in launched.items() if live.exit_code is None
                and not any(i["scan"].site_id == sid for i in items)]
    # a launch the worker refused (site locked, unknown, bad config): shown until the next launch
    refused = [{"scan": None, "site_id": sid, "pages": 0, "live": {}, "refused": live.exit_code}
               for sid, live in launched.items() if live.exit_code not in (None, 0, 1, 130) and live.done is None]
    return items + [{"scan": None, "site_id": sid, "pages": 0, "live": {}} for sid in starting] + refused


@router.get("/scans")
def scans_page(request: Request, site: str = "", p: Principal = Depends(viewer),
               db: Session = Depends(get_db)) -> Response:
    return render(request, "scans.html", scans=queries.scans(db, site or None), running=_running(request, db),
                  sites=queries.sites(db), site=site)


@router.get("/scans/running")
def running_fragment(request: Request, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> Response:
    return render(request, "_running.html", running=_running(request, db))


@router.post("/scans/rescan")
def rescan_form(request: Request, site: str = Form(...), p: Principal = Depends(inspector),
                db: Session = Depends(get_db)) -> Response:
    launch_scan(request, db, site, p.name)
    return RedirectResponse("/scans", status_code=303)


@router.post("/scans/{site_id}/rescan")
def rescan(request: Request, site_id: str, p: Principal = Depends(inspector),
           db: Session = Depends(get_db)) -> Response:
    launch_scan(request, db, site_id, p.name)
    return RedirectResponse("/scans", status_code=303)
