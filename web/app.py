"""The FastAPI application: security headers, static files, error pages, and the routers of each page.

Everything but ``/login``, ``/healthz`` and ``/static`` needs a login: pages redirect to /login, the API
answers 401. A strict Content-Security-Policy allows scripts and styles only from ``/static`` (no inline
script, no inline event handlers), no framing, no plugins.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from xunjian.storage.accounts import AccountError
from xunjian.storage.triage import TriageError
from xunjian.web.auth import Forbidden, NotAuthenticated
from xunjian.web.ratelimit import RateLimiter
from xunjian.web.render import render
from xunjian.web.sitesadmin import SiteFormError

if TYPE_CHECKING:
    from xunjian.config import Settings

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def _error(request: Request, status: int, message: str) -> Response:
    if wants_json(request) or request.headers.get("hx-request"):
        if request.headers.get("hx-request") and not wants_json(request):
            return Response(message, status_code=status, media_type="text/plain; charset=utf-8")
        return JSONResponse({"error": message}, status_code=status)
    return render(request, "error.html", status_code=status, status=status, message=message)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _unauthenticated(request: Request, exc: NotAuthenticated) -> Response:
        if wants_json(request):
            return JSONResponse({"error": "需要登录或 API 令牌"}, status_code=401,
                                headers={"WWW-Authenticate": "Bearer"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        return _error(request, 403, str(exc))

    @app.exception_handler(TriageError)
    async def _triage(request: Request, exc: TriageError) -> Response:
        return _error(request, exc.status, str(exc))

    @app.exception_handler(AccountError)
    async def _account(request: Request, exc: AccountError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(SiteFormError)
    async def _site_form(request: Request, exc: SiteFormError) -> Response:
        if wants_json(request):
            return JSONResponse({"error": str(exc), "fields": exc.fields}, status_code=exc.status)
        return _error(request, exc.status, str(exc))

    @app.exception_handler(LookupError)
    async def _missing(request: Request, exc: LookupError) -> Response:
        return _error(request, 404, str(exc).strip("'\""))


def routers() -> list:
    from xunjian.web.views import admin, api, checkapi, findings, login, pages, scans, settingsview, siteapi, users

    return [m.router for m in (login, pages, findings, scans, users, admin, settingsview, api, siteapi, checkapi)]


def route_table() -> list[tuple[str, str]]:
    """(method, path) of every route of the console (for docs and the login-required test)."""
    return sorted((method, route.path) for router in routers() for route in router.routes
                  for method in getattr(route, "methods", ()) or ())


def create_app(settings: Settings, db_url: str | None = None, config_path: str | None = None) -> FastAPI:
    """The console over ``db_url`` (default: ``settings.database.url``, already migrated)."""
    from xunjian.web.scans import ScanLauncher

    app = FastAPI(title="巡检工作台", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.db_url = db_url or settings.database.url
    app.state.config_path = config_path
    app.state.secret = settings.web.secret_key or secrets.token_urlsafe(32)
    web = settings.web
    app.state.login_limiter = RateLimiter(web.login_attempts, web.login_window_seconds)
    app.state.check_limiter = RateLimiter(web.check_per_minute, 60.0)
    app.state.launcher = ScanLauncher(settings, app.state.db_url, config_path)

    @app.middleware("http")
    async def _security_headers(request: Request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        for key, value in HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    _install_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in routers():
        app.include_router(router)
    return app
