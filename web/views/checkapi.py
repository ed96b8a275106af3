"""POST /api/check: the findings the page checks (TX, SC, MT) would give an article, before it is published.

Body: JSON ``{"html": "...", "text": "...", "url": "...", "title": "...", "site": "SITE_ID", "as_of":
"YYYY-MM-DD"}`` (``html`` or ``text`` required) or the same fields as a form. Plain text gets the text
and security checks only (a text has no page labels). Rate-limited per client (``web.check_per_minute``).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from xunjian.storage.models import Site
from xunjian.web.auth import Principal, client_address, get_db, viewer
from xunjian.web.pagecheck import article_record, check_page, context_for

router = APIRouter()


async def _payload(request: Request, limit: int) -> dict[str, Any]:
    body = await request.body()
    if len(body) > limit:
        raise ValueError(f"内容过大 (超过 {limit} 字节)")
    ctype = request.headers.get("content-type", "").split(";")[0].strip()
    if ctype == "application/json":
        data = json.loads(body.decode("utf-8") or "{}")
        if not isinstance(data, dict):
            raise ValueError("请求体应为 JSON 对象")
        return data
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    return {"html": body.decode("utf-8", "replace")} if ctype == "text/html" else {"text": body.decode("utf-8", "replace")}


@router.post("/api/check")
async def check(request: Request, p: Principal = Depends(viewer), db: Session = Depends(get_db)) -> JSONResponse:
    web = request.app.state.settings.web
    if not request.app.state.check_limiter.allow(f"{p.name}|{client_address(request)}"):
        return JSONResponse({"error": f"请求过于频繁 (每分钟最多 {web.check_per_minute} 次)"}, status_code=429,
                            headers={"Retry-After": "60"})
    try:
        data = await _payload(request, web.check_max_bytes)
        as_of = date.fromisoformat(str(data["as_of"])) if data.get("as_of") else date.today()
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"error": f"请求无效: {exc}"}, status_code=400)
    html, text = data.get("html"), data.get("text")
    if not (isinstance(html, str) and html.strip()) and not (isinstance(text, str) and text.strip()):
        return JSONResponse({"error": "请提供 html 或 text"}, status_code=400)
    site = db.get(Site, str(data["site"])) if data.get("site") else None
    if data.get("site") and site is None:
        return JSONResponse({"error": f"站点 {data['site']} 未登记"}, status_code=404)
    record = article_record(data.get("url"), html if isinstance(html, str) else None,
                            text if isinstance(text, str) else None, data.get("title"))
    families = ("TX", "SC", "MT") if isinstance(html, str) and html.strip() else ("TX", "SC")
    settings = request.app.state.settings
    ctx = context_for(settings, site, as_of, record.url)
    findings, errors = await run_in_threadpool(check_page, record, ctx, settings, families)
    items = [{**f.to_dict(), "site": site.id if site else None, "status": "open"} for f in findings]
    return JSONResponse({"findings": items, "count": len(items), "families": list(families),
                         "errors": errors, "as_of": as_of.isoformat()})
