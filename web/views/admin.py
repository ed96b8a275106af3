"""管理 (admins): the sites with their per-site allowed words, and the effective settings (read only).

Sites come from the registry (``xunjian sites import``); the console edits only what the registry does not
hold: the words the text checks must not report on a site (``Site.extra["allow_words"]``). Settings are shown,
never edited here (they live in settings.yaml); the database URL's password and the secret key are hidden.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from xunjian.storage.db import redact
from xunjian.storage.models import Site
from xunjian.storage.triage import audit
from xunjian.web import queries
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
    return render(request, "admin.html", sites=queries.sites(db), settings=_settings_view(request.app.state.settings))


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
