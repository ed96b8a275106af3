"""配置 (admins): change the safe subset of settings (:mod:`xunjian.web.settingsadmin`) from the browser
(``/admin/settings``) or the API (``POST /api/settings`` with ``{"probe.interval_minutes": 10, ...}``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, RedirectResponse, Response

from xunjian.web import settingsadmin
from xunjian.web.auth import Principal, admin
from xunjian.web.render import render
from xunjian.web.views.api import _body

router = APIRouter()


def _page(request: Request, values: dict[str, Any], error: str = "", status: int = 200) -> Response:
    settings = request.app.state.settings
    secrets_set = {k: bool(settingsadmin.current(settings, k)) for k, kind in settingsadmin.EDITABLE.items()
                   if kind == "secret"}
    return render(request, "settings_form.html", status_code=status, values=values, error=error,
                  editable=settingsadmin.EDITABLE, labels=settingsadmin.LABEL_ZH, secrets_set=secrets_set,
                  path=settingsadmin.config_path(request.app), no_file=settingsadmin.NO_FILE)


@router.get("/admin/settings")
def settings_page(request: Request, p: Principal = Depends(admin)) -> Response:
    return _page(request, settingsadmin.shown(request.app.state.settings))


def _apply(request: Request, actor: str, data: dict[str, Any]) -> dict[str, Any]:
    from xunjian.storage.db import session_scope

    with session_scope(request.app.state.db_url) as db:
        return settingsadmin.apply(request.app, db, actor, data)


@router.post("/admin/settings")
async def settings_save(request: Request, p: Principal = Depends(admin)) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}
    try:
        await run_in_threadpool(_apply, request, p.name, form)
    except settingsadmin.SettingsError as exc:
        return _page(request, {**settingsadmin.shown(request.app.state.settings), **form}, str(exc), 400)
    return RedirectResponse("/admin/settings?saved=1", status_code=303)


@router.post("/api/settings")
async def settings_api(request: Request, p: Principal = Depends(admin)) -> JSONResponse:
    data = await _body(request)
    form = {k: (", ".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v)))
            for k, v in data.items()}
    form.update({f"clear:{k}": "1" for k, v in data.items() if v is None})
    unknown = sorted(k for k in data if k not in settingsadmin.EDITABLE)
    if unknown:
        return JSONResponse({"error": f"不能在控制台修改的配置项: {', '.join(unknown)}"}, status_code=400)
    try:
        changed = await run_in_threadpool(_apply, request, p.name, form)
    except settingsadmin.SettingsError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"changed": changed})
