"""/login, /logout and /healthz (the only routes that answer without a login)."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from itsdangerous import BadSignature
from sqlalchemy import text
from sqlalchemy.orm import Session

from xunjian.storage.accounts import authenticate
from xunjian.storage.triage import audit
from xunjian.web.auth import (PRE_COOKIE, SESSION_COOKIE, Principal, checked, client_address, get_db, is_tls,
                              serializer, session_cookie)
from xunjian.web.render import render

router = APIRouter()


def _safe_next(value: str | None) -> str:
    """Only a local path (never //host or a scheme): no open redirect after login."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _pre_token(request: Request) -> str | None:
    raw = request.cookies.get(PRE_COOKIE)
    if not raw:
        return None
    try:
        return str(serializer(request, "xj-pre").loads(raw, max_age=3600))
    except BadSignature:
        return None


def _login_page(request: Request, error: str = "", status: int = 200, next_url: str = "/") -> Response:
    token = _pre_token(request) or secrets.token_urlsafe(24)
    request.state.pre_csrf = token
    response = render(request, "login.html", status_code=status, error=error, next_url=next_url)
    response.set_cookie(PRE_COOKIE, serializer(request, "xj-pre").dumps(token), max_age=3600, httponly=True,
                        samesite="lax", secure=is_tls(request), path="/login")
    return response


@router.get("/healthz")
def healthz(db: Session = Depends(get_db)) -> JSONResponse:
    try:
        db.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means not healthy
        return JSONResponse({"status": "error", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:  # noqa: A002 - query name
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/"), db: Session = Depends(get_db)) -> Response:  # noqa: A002
    expected = _pre_token(request)
    if not expected or not hmac.compare_digest(csrf_token, expected):
        return _login_page(request, "页面已过期，请重新登录", 403, _safe_next(next))
    limiter = request.app.state.login_limiter
    keys = (f"user:{username.strip().lower()[:64]}", f"addr:{client_address(request)}")
    if limiter.blocked(*keys):
        return _login_page(request, "登录失败次数过多，请稍后再试", 429, _safe_next(next))
    user = authenticate(db, username.strip(), password)
    if user is None:
        limiter.hit(*keys)
        audit(db, username.strip()[:64] or "?", "login_failed", "user", username.strip()[:64] or "?",
              details={"address": client_address(request)})
        db.commit()
        return _login_page(request, "用户名或密码错误", 401, _safe_next(next))
    limiter.reset(keys[0])
    audit(db, user.name, "login", "user", user.name, details={"address": client_address(request)})
    db.commit()
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session_cookie(request, user),
                        max_age=int(request.app.state.settings.web.session_hours * 3600), httponly=True,
                        samesite="lax", secure=is_tls(request), path="/")
    response.delete_cookie(PRE_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, p: Principal = Depends(checked), db: Session = Depends(get_db)) -> Response:
    from xunjian.storage.models import User

    user = db.get(User, p.user_id)
    if user is not None and p.via == "cookie":
        user.session_epoch += 1  # every cookie of this user stops working
        audit(db, user.name, "logout", "user", user.name)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
