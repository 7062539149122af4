"""Build the FastAPI app from settings: routers, error envelope, middleware, request log."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from api import errors, metrics, web
from api.config import ApiSettings
from api.middleware import BodyLimit, RequestMiddleware
from api.ratelimit import RateLimiter, make_storage
from api.requestlog import RequestLogWriter
from api.runtime import Runtime
from store import keyring
from store.db import make_engine, make_session_factory

DESCRIPTION = """ispnoc REST API. v1: bearer tokens from `POST /api/auth/login`.
v2 (preferred): client credentials at `POST /api/v2/auth/token`, tokens prefixed `v2_`.
Lists take `page` and `per_page` (max 100) and answer `{data, meta}`; errors answer
`{error: {code, message, details}}`. Every response carries `X-RateLimit-Limit` and
`X-RateLimit-Remaining`; a 429 also `Retry-After`."""

# Routers in import order.
ROUTERS = (
    "api.v1.auth", "api.v2.auth",
    "api.v1.dashboard", "api.v1.customers", "api.v1.customers_write", "api.v1.billing",
    "api.v1.operators_write",
    "api.v2.customers", "api.v2.customers_write", "api.v2.billing", "api.v2.bills_write",
    "api.v2.payments_write", "api.v2.vouchers", "api.v2.accounts", "api.v2.admin",
    "api.v1.sms", "api.v2.sms", "api.v1.vpn", "api.v2.vpn", "api.v2.webhooks",
    "api.v1.network", "api.v1.monitoring", "api.v1.logs",
    "api.v2.network", "api.v2.monitoring", "api.v2.logs",
)


def _routers() -> list[APIRouter]:
    found: list[APIRouter] = []
    for name in ROUTERS:
        module = importlib.import_module(name)
        found.extend(r for r in (getattr(module, "router", None), getattr(module, "router_v1", None),
                                 getattr(module, "router_v2", None)) if isinstance(r, APIRouter))
    return found


def _engine_of(sessions: sessionmaker[Session], settings: ApiSettings) -> Engine:
    """The engine the sessions use (the one on ``settings.database_url`` if they are not bound)."""
    bind = sessions.kw.get("bind")
    if isinstance(bind, Connection):
        return bind.engine
    return bind if isinstance(bind, Engine) else make_engine(settings.database_url)


def _runtime(settings: ApiSettings, sessions: sessionmaker[Session] | None) -> Runtime:
    """The app's state; the signing key is ISPNOC_SECRET_KEY or the one the store keeps (made once)."""
    sessions = sessions or make_session_factory(make_engine(settings.database_url))
    secret = keyring.signing_key(_engine_of(sessions, settings), settings.secret_key)
    limiter = RateLimiter(make_storage(settings.redis_url))
    return Runtime(settings=settings, sessions=sessions, limiter=limiter,
                   request_log=RequestLogWriter(sessions), secret=secret)


def _metrics_token(settings: ApiSettings) -> str | None:
    token = getattr(settings, "metrics_token", None)
    return token.get_secret_value() if token is not None else None


def create_app(settings: ApiSettings, session_factory: sessionmaker[Session] | None = None, *,
               dashboard: bool = True) -> FastAPI:
    """The API app (and, unless ``dashboard`` is False, the NOC dashboard at ``/``); sessions from
    ``session_factory`` or a new engine on ``settings.database_url``."""
    runtime = _runtime(settings, session_factory)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        runtime.request_log.start()
        try:
            yield
        finally:
            runtime.request_log.stop()

    app = FastAPI(title="ispnoc API", version="2.0", description=DESCRIPTION, docs_url="/docs",
                  redoc_url=None, lifespan=lifespan)
    app.state.runtime = runtime
    errors.install(app)
    for router in _routers():
        app.include_router(router)
    app.state.metrics = metrics.Metrics(runtime, token=_metrics_token(settings))
    app.include_router(metrics.router)
    if dashboard:
        web.install(app, runtime.key)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestMiddleware, runtime=runtime, metrics=app.state.metrics)
    return app
