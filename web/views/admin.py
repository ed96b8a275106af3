"""管理 (admins): register and edit sites, their per-site allowed words, and the operational settings.

Sites are validated by the registry's own model (the one ``xunjian sites import`` uses, see
:mod:`xunjian.web.sitesadmin`); a safe subset of settings is written to the console's settings file
(:mod:`xunjian.web.settingsadmin`). Secrets (the database URL's password, the secret key, the webhook URL)
are never shown. Every change is an audit row.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from xunjian.storage.db import redact
from xunjian.storage.models import Site
from xunjian.storage.triage import audit
from xunjian.web import queries, sitesadmin
from xunjian.web.auth import Principal, admin, get_db
from xunjian.web.render import render

router = APIRouter()


def _settings_view(settings) -> dict:  # noqa: ANN001
    data = settings.model_dump()
    data["database"]["url"] = redact(settings.database.url)
    data["web"]["secret_key"] = "(已设置)" if settings.web.secret_key else "(未设置: 每次启动随机)"
    if settings.alerts.webhook_url:  # webhook URLs often carry their access token
        data["alerts"]["webhook_url"] = "(已设置)"
    return data


@router.get("/admin")
def admin_page(request: Request, p: Principal = Depends(admin), db: Session = Depends(get_db)) -> Response:
    from xunjian.web.settingsadmin import config_path

    return render(request, "admin.html", sites=queries.sites(db), settings=_settings_view(request.app.state.settings),
                  config_path=config_path(request.app))


@router.post("/admin/sites/{site_id}/allow-words")
def allow_words(request: Request, site_id: str, words: str = Form(""), p: Principal = Depends(admin),
                db: Session = Depends(get_db)) -> Response:
    site = db.get(Site, site_id)
    if site is None:
        raise LookupError(f"站点 {site_id} 未登记")
    new = sorted({w.strip() for w in words.replace("，", ",").replace("\n", ",").split(",") if w.strip()})[:500]
    old = list((site.extra or {}).get("allow_words", []))
    site.extra = {**(site.extra or {}), "allow_words": new}
    audit(db, p.name, "site_allow_words", "site", site_id, site_id=site_id, details={"from": old, "to": new})
    db.commit()
    return RedirectResponse("/admin", status_code=303)


def _site_form(request: Request, site_id: str | None, values: dict, errors: dict, status: int = 200) -> Response:
    return render(request, "site_form.html", status_code=status, site_id=site_id, values=values, errors=errors,
                  field_zh=sitesadmin.FIELD_ZH, choices=sitesadmin.CHOICES_ZH)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


@router.get("/admin/sites/new")
def new_site_page(request: Request, p: Principal = Depends(admin)) -> Response:
    return _site_form(request, None, sitesadmin.form_values(None), {})


@router.post("/admin/sites")
async def create_site(request: Request, p: Principal = Depends(admin)) -> Response:
    from fastapi.concurrency import run_in_threadpool

    data = await _form(request)
    try:
        site_id = await run_in_threadpool(_save, request, p.name, None, data)
    except sitesadmin.SiteFormError as exc:
        return _site_form(request, None, data, exc.fields, exc.status)
    return RedirectResponse(f"/admin/sites/{site_id}?saved=1", status_code=303)


@router.get("/admin/sites/{site_id}")
def edit_site_page(request: Request, site_id: str, p: Principal = Depends(admin),
                   db: Session = Depends(get_db)) -> Response:
    site = db.get(Site, site_id)
    if site is None:
        raise LookupError(f"站点 {site_id} 未登记")
    return _site_form(request, site_id, sitesadmin.form_values(site), {})


@router.post("/admin/sites/{site_id}")
async def update_site(request: Request, site_id: str, p: Principal = Depends(admin)) -> Response:
    from fastapi.concurrency import run_in_threadpool

    data = await _form(request)
    try:
        await run_in_threadpool(_save, request, p.name, site_id, data)
    except sitesadmin.SiteFormError as exc:
        return _site_form(request, site_id, {**data, "id": site_id}, exc.fields, exc.status)
    return RedirectResponse(f"/admin/sites/{site_id}?saved=1", status_code=303)


def _save(request: Request, actor: str, site_id: str | None, data: dict) -> str:
    """Create (``site_id`` None) or update one site and commit; returns its id."""
    from xunjian.storage.db import session_scope

    with session_scope(request.app.state.db_url) as db:
        if site_id is None:
            return sitesadmin.create_site(db, actor, data).id
        sitesadmin.update_site(db, actor, site_id, data)
        return site_id
