"""``POST /api/sites`` (register a site) and ``POST /api/sites/{id}`` (change its registry fields), for admins.

Same validation as the 管理 page and ``xunjian sites import`` (:mod:`xunjian.web.sitesadmin`); a wrong
field answers 400 ``{"error": ..., "fields": {field: message}}`` and writes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from xunjian.web.auth import Principal, admin
from xunjian.web.views.admin import _save
from xunjian.web.views.api import _body

router = APIRouter(prefix="/api")


def site_out(request: Request, site_id: str) -> dict[str, Any]:
    from xunjian.storage.db import session_scope
    from xunjian.storage.models import Site
    from xunjian.web.sitesadmin import current_entry

    with session_scope(request.app.state.db_url) as db:
        return current_entry(db.get(Site, site_id))


@router.post("/sites")
async def create(request: Request, p: Principal = Depends(admin)) -> JSONResponse:
    data = await _body(request)
    site_id = await run_in_threadpool(_save, request, p.name, None, data)
    return JSONResponse(await run_in_threadpool(site_out, request, site_id), status_code=201)


@router.post("/sites/{site_id}")
async def update(request: Request, site_id: str, p: Principal = Depends(admin)) -> JSONResponse:
    data = await _body(request)
    await run_in_threadpool(_save, request, p.name, site_id, data)
    return JSONResponse(await run_in_threadpool(site_out, request, site_id))
