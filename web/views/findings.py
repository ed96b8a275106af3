"""问题: the findings list with filters and bulk actions, one finding's page, and the form actions.

Form routes answer with a redirect back (PRG); HTMX requests get the updated fragment instead.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from xunjian.storage import triage
from xunjian.storage.accounts import list_users
from xunjian.storage.models import Site
from xunjian.web import actions, queries
from xunjian.web.auth import Principal, get_db, inspector, viewer
from xunjian.web.render import render

router = APIRouter()
FILTER_KEYS = ("site", "family", "rule", "severity", "status", "category", "assignee")


@router.get("/findings")
def findings_list(request: Request, page: int = 1, p: Principal = Depends(viewer),
                  db: Session = Depends(get_db)) -> Response:
    filters = {k: request.query_params.get(k, "") for k in FILTER_KEYS}
    filters["status"] = filters["status"] or "active"
    size = request.app.state.settings.web.page_size
    page = max(1, page)
    rows, total = queries.find(db, filters, limit=size, offset=(page - 1) * size)
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(request, "findings.html", rows=rows, total=total, filters=filters, page=page, size=size,
                  sites=queries.sites(db), categories=queries.categories(db), families=queries.FAMILIES,
                  statuses=triage.STATUSES, query=query)


EXPORT_COLUMNS = [("id", "问题编号"), ("site", "站点"), ("rule", "规则"), ("rule_zh", "问题类型"), ("severity_zh", "级别"),
                  ("page", "页面"), ("target", "问题对象"), ("message", "问题描述"), ("evidence", "证据"),
                  ("first_seen", "首次发现"), ("last_seen", "最近发现"), ("status_zh", "状态"), ("assignee", "负责人")]


@router.get("/findings.csv")
def findings_csv(request: Request, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> Response:
    """The filtered findings as CSV (UTF-8 with BOM), cells neutralised by the reports' formula guard."""
    import csv
    import io

    from xunjian.reports.tabular import finding_rows
    from xunjian.storage.findings import finding_json
    from xunjian.web.render import SEVERITY_ZH, STATUS_ZH, rule_zh

    filters = {k: request.query_params.get(k, "") for k in FILTER_KEYS}
    filters["status"] = filters["status"] or "active"
    rows, _total = queries.find(db, filters, limit=100_000)
    items = [{**finding_json(r, r.site_id), "rule_zh": rule_zh(r.rule), "severity_zh": SEVERITY_ZH.get(r.severity, r.severity),
              "status_zh": STATUS_ZH.get(r.status, r.status), "assignee": r.assignee or ""} for r in rows]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([zh for _, zh in EXPORT_COLUMNS])
    writer.writerows(finding_rows(items, EXPORT_COLUMNS))
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="findings.csv"'})


@router.get("/findings/{finding_id}")
def finding_page(request: Request, finding_id: int, p: Principal = Depends(viewer),
                 db: Session = Depends(get_db)) -> Response:
    row = triage.get_finding(db, finding_id)
    site = db.get(Site, row.site_id)
    titles = queries.page_titles(db, row.site_id, {row.page} if row.page else set())
    from xunjian.web.shots import shot_path

    has_shot = shot_path(request.app.state.settings, finding_id).is_file()
    return render(request, "finding.html", f=row, site=site, comments=triage.comments(db, finding_id), has_shot=has_shot,
                  history=triage.history(db, finding_id), action_zh=actions.ACTION_ZH,
                  users=[u.name for u in list_users(db) if u.active and u.role != "viewer"],
                  title=titles.get(row.page or "", ""), ignore_kinds=triage.IGNORE_KINDS)


@router.post("/findings/{finding_id}/screenshot")
def screenshot(request: Request, finding_id: int, p: Principal = Depends(inspector),
               db: Session = Depends(get_db)) -> Response:
    """截图: Chromium outlines the offending element on its page (the site's own pages only)."""
    from xunjian.web.shots import take

    take(db, request.app.state.settings, finding_id)
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)


@router.get("/findings/{finding_id}/screenshot.png")
def screenshot_png(request: Request, finding_id: int, p: Principal = Depends(viewer)) -> Response:
    from fastapi.responses import FileResponse

    from xunjian.web.shots import shot_path

    path = shot_path(request.app.state.settings, finding_id)
    if not path.is_file():
        raise LookupError(f"问题 #{finding_id} 没有截图")
    return FileResponse(path, media_type="image/png")


@router.post("/findings/bulk")
async def bulk(request: Request, p: Principal = Depends(inspector), db: Session = Depends(get_db)) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    ids = [int(v) for v in form.getlist("ids") if str(v).isdigit()]
    data = {k: str(form.get(k) or "") for k in ("reason", "kind", "until", "assignee", "body")}
    done, failed = 0, []
    for finding_id in ids[:1000]:
        try:
            actions.apply(db, request.app.state.settings, finding_id, action, p.name, data)
            done += 1
        except triage.TriageError as exc:
            failed.append(f"#{finding_id}: {exc}")
            if exc.status == 400:  # the input itself is wrong (no reason...): same for every finding
                break
    db.commit()
    back = str(form.get("back") or "/findings")
    back = back if back.startswith("/findings") else "/findings"
    note = urlencode({"done": done, "failed": len(failed)})
    return RedirectResponse(f"{back}{'&' if '?' in back else '?'}{note}", status_code=303)


@router.post("/findings/{finding_id}/{action}")
def act(request: Request, finding_id: int, action: str, reason: str = Form(""), kind: str = Form(""),
        until: str = Form(""), assignee: str = Form(""), body: str = Form(""), fragment: str = Form(""),
        p: Principal = Depends(inspector), db: Session = Depends(get_db)) -> Response:
    if action not in actions.ACTIONS:
        raise triage.TriageError(f"未知的操作 {action!r}", 404)
    data = {"reason": reason, "kind": kind, "until": until, "assignee": assignee, "body": body}
    actions.apply(db, request.app.state.settings, finding_id, action, p.name, data)
    db.commit()
    if fragment == "site" and request.headers.get("hx-request"):  # HTMX: the updated finding, in place
        row = triage.get_finding(db, finding_id)
        titles = queries.page_titles(db, row.site_id, {row.page} if row.page else set())
        return render(request, "_site_finding.html", f=row, titles=titles)
    return RedirectResponse(f"/findings/{finding_id}", status_code=303)
