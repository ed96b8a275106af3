"""Who is asking: signed session cookies (browsers) or Bearer API tokens (machines); CSRF; roles.

The session cookie (``xj_session``) is signed with itsdangerous and carries the user id, the user's
``session_epoch`` (bumped on logout and disable, which voids every older cookie) and the CSRF token that
every page puts into ``<meta name="csrf-token">``. A state-changing request authenticated by the cookie
must send that token back (form field ``csrf_token`` or header ``X-CSRF-Token``); token-authenticated
API calls carry no cookie and need none. Before login, the login form is protected the same way by a
pre-session cookie (``xj_pre``).
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from xunjian.storage.accounts import role_at_least, user_for_token
from xunjian.storage.db import session_factory
from xunjian.storage.models import User

SESSION_COOKIE, PRE_COOKIE = "xj_session", "xj_pre"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class NotAuthenticated(Exception):
    """No valid session or token: pages redirect to /login, the API answers 401."""


class Forbidden(Exception):
    """Logged in, but the role or the CSRF token does not allow this request (403)."""


@dataclass(frozen=True)
class Principal:
    user_id: int
    name: str
    role: str
    csrf: str
    via: str  # cookie | token

    def can(self, role: str) -> bool:
        return role_at_least(self.role, role)


def serializer(request: Request, salt: str = "xj-session") -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt=salt)


def get_db(request: Request) -> Iterator[Session]:
    """One session per request; handlers that change data commit themselves."""
    session = session_factory(request.app.state.db_url)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def is_tls(request: Request) -> bool:
    web = request.app.state.settings.web
    if web.cookie_secure != "auto":
        return web.cookie_secure == "always"
    if web.trust_proxy and request.headers.get("x-forwarded-proto", "").lower() == "https":
        return True
    return request.url.scheme == "https"


def client_address(request: Request) -> str:
    if request.app.state.settings.web.trust_proxy and request.headers.get("x-forwarded-for"):
        return request.headers["x-forwarded-for"].split(",")[0].strip()[:64]
    return request.client.host if request.client else "?"


def session_cookie(request: Request, user: User) -> str:
    return serializer(request).dumps({"u": user.id, "e": user.session_epoch, "c": secrets.token_urlsafe(24)})


def _cookie_principal(request: Request, db: Session) -> Principal | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    max_age = int(request.app.state.settings.web.session_hours * 3600)
    try:
        data = serializer(request).loads(raw, max_age=max_age)
    except BadSignature:
        return None
    user = db.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or user.session_epoch != data.get("e"):
        return None
    return Principal(user.id, user.name, user.role, str(data.get("c", "")), "cookie")


def _token_principal(request: Request, db: Session) -> Principal | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    user = user_for_token(db, header[7:].strip())
    if user is None:
        return None
    db.commit()  # last_used_at
    return Principal(user.id, user.name, user.role, "", "token")


def optional_principal(request: Request, db: Session = Depends(get_db)) -> Principal | None:
    p = _token_principal(request, db) or _cookie_principal(request, db)
    request.state.principal = p
    return p


def principal(request: Request, p: Principal | None = Depends(optional_principal)) -> Principal:
    if p is None:
        raise NotAuthenticated()
    return p


async def sent_csrf(request: Request) -> str:
    """The CSRF token the request sent: header first, else the form field."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip() in FORM_TYPES:
        form = await request.form()
        value = form.get("csrf_token")
        return value if isinstance(value, str) else ""
    return ""


async def checked(request: Request, p: Principal = Depends(principal)) -> Principal:
    """The principal, with the CSRF token verified for state-changing cookie-authenticated requests."""
    if request.method not in SAFE_METHODS and p.via == "cookie":
        token = await sent_csrf(request)
        if not token or not hmac.compare_digest(token, p.csrf):
            raise Forbidden("缺少或无效的 CSRF 令牌，请刷新页面后重试")
    return p


def require(role: str):  # noqa: ANN201 - a FastAPI dependency
    def dependency(p: Principal = Depends(checked)) -> Principal:
        if not p.can(role):
            raise Forbidden(f"权限不足: 需要{ {'inspector': '巡检员', 'admin': '管理员'}.get(role, role) }角色")
        return p

    return dependency


viewer = require("viewer")
inspector = require("inspector")
admin = require("admin")
