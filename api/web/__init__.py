"""The NOC dashboard: server-rendered pages (Jinja2, inline SVG charts, own CSS) behind a staff login.

``install(app, secret_key)`` adds the pages, the static files and the signed session cookie to the API
app; ``create_app(..., web=False)`` leaves them out."""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import Response

from api.web import customers, logs, network, pages
from api.web.auth import COOKIE, SESSION_SECONDS, LoginRequired, WebForbidden, cookie_key

STATIC = Path(__file__).parent / "static"


def _to_login(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(f"/login?next={quote(exc.next_path, safe='')}", status_code=303)


def _forbidden(_request: Request, exc: Exception) -> Response:
    body = (f"<!doctype html><title>Forbidden</title><h1>Forbidden</h1><p>{escape(str(exc))}</p>"
            "<p><a href='/'>Back</a></p>")
    return HTMLResponse(body, status_code=403)


def install(app: FastAPI, secret_key: str, *, secure_cookie: bool = False) -> None:
    """Serve the dashboard from ``app``: pages, ``/static``, the session cookie and its error pages
    (``secure_cookie`` when the dashboard is only reached over HTTPS)."""
    for module in (pages, network, customers, logs):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(WebForbidden, _forbidden)
    app.add_middleware(SessionMiddleware, secret_key=cookie_key(secret_key), session_cookie=COOKIE,
                       max_age=SESSION_SECONDS, same_site="lax", https_only=secure_cookie)
