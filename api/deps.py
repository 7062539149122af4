"""Request dependencies as ``Annotated`` aliases: the session, the clock, the caller, paging, limits.

Dependencies that do no I/O are ``async def``: FastAPI runs each sync one in a worker thread, and
those hops cost more than the work itself on a list request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import anyio
from anyio import to_thread
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from api import auth
from api.errors import ApiError, Forbidden, TooManyRequests, Unauthorized
from api.middleware import client_host
from api.models import ApiVersion
from api.permissions import Area, allowed
from api.ratelimit import RateState, tighter
from api.runtime import Runtime
from api.schemas.common import MAX_PAGE
from billing.errors import NotFound


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _finish(session: Session, error: BaseException | None) -> None:
    try:
        if error is None or (isinstance(error, ApiError) and error.keep_changes):
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


def _quiet(session: Session) -> bool:
    """True when committing ``session`` does no I/O: nothing to flush and no driver transaction open
    (a read-only request on SQLite)."""
    if session.new or session.dirty or session.deleted:
        return False
    if not session.in_transaction():
        return True
    try:
        dbapi = session.connection().connection.dbapi_connection
    except SQLAlchemyError:
        return False
    return getattr(dbapi, "in_transaction", True) is False


# Commits and rollbacks run on threads of their own: a transaction holding a lock that the request
# threads queue on (a customer's row, SQLite's write lock) must never wait for one of those threads.
ENDINGS = anyio.CapacityLimiter(16)


async def _end(session: Session, error: BaseException | None) -> None:
    if error is None and _quiet(session):
        _finish(session, error)
        return
    with anyio.CancelScope(shield=True):
        await to_thread.run_sync(_finish, session, error, limiter=ENDINGS)


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITERS = {"sqlite": 1}  # SQLite has one writer at a time: queue here, not on its busy timeout
MAX_WRITERS = 16


def _writers(request: Request, runtime: Runtime) -> anyio.Semaphore:
    """The app's gate for requests that may write, on this event loop.

    A writing request can hold a lock (a customer's row, SQLite's write lock) that others then wait
    on in worker threads, while it still needs a worker thread itself to finish (FastAPI validates
    a sync route's response in one): fewer writers than threads means it always finds one."""
    gate: tuple[asyncio.AbstractEventLoop, anyio.Semaphore] | None = getattr(
        request.app.state, "writers", None)
    loop = asyncio.get_running_loop()
    if gate is None or gate[0] is not loop:
        bind = runtime.sessions.kw.get("bind")
        dialect = getattr(getattr(bind, "dialect", None), "name", "")
        gate = (loop, anyio.Semaphore(WRITERS.get(dialect, MAX_WRITERS), fast_acquire=True))  # FIFO
        request.app.state.writers = gate
    return gate[1]


async def admit_writer(request: Request, runtime: Runtime, session: Session) -> None:
    """Queue a request that may write at the writers' gate (once), after it is authenticated; the
    gate is passed on when its transaction ends."""
    if request.method in SAFE_METHODS or "writers" in session.info:
        return
    gate = _writers(request, runtime)
    await gate.acquire()
    session.info["writers"] = gate


def _leave(session: Session) -> None:
    gate: anyio.Semaphore | None = session.info.pop("writers", None)
    if gate is not None:
        gate.release()


async def get_session(runtime: RuntimeDep) -> AsyncIterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on an error (kept
    when the ApiError says so). Opening a session does no I/O, so it takes no worker thread; ending
    one takes a worker thread only when there is something to commit or roll back."""
    session = runtime.sessions()
    try:
        yield session
    except Exception as exc:
        await _end(session, exc)
        _leave(session)
        raise
    except BaseException as exc:  # cancelled: no awaiting now
        _finish(session, exc)
        _leave(session)
        raise
    await _end(session, None)
    _leave(session)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_now(runtime: RuntimeDep) -> datetime:
    return runtime.clock()


NowDep = Annotated[datetime, Depends(get_now)]


def _count(request: Request, runtime: Runtime, key: str, per_minute: int) -> RateState:
    rate = tighter(getattr(request.state, "rate", None), runtime.limiter.hit(key, per_minute))
    request.state.rate = rate
    if not rate.allowed:
        raise TooManyRequests()
    return rate


def ip_limited(request: Request, runtime: RuntimeDep) -> None:
    """Unauthenticated calls (the auth endpoints, failed tokens) are limited per source address."""
    _count(request, runtime, f"ip:{client_host(request.scope)}", runtime.rates.per_ip)


BEARER = HTTPBearer(auto_error=False, description="v1: a login token; v2: a `v2_` client token")
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]


def bearer(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise Unauthorized("Missing bearer token.")
    return credentials.credentials.strip()


def _principal(request: Request, session: Session, runtime: Runtime, version: ApiVersion,
               credentials: HTTPAuthorizationCredentials | None) -> auth.Principal:
    try:
        token = bearer(credentials)
        principal = auth.resolve(session, token, version, key=runtime.key, now=runtime.clock())
        if not auth.ip_allowed(principal.allowed_ips, client_host(request.scope)):
            raise Unauthorized("Source address not allowed for this client.")
    except Unauthorized:
        ip_limited(request, runtime)
        raise
    request.state.principal = principal
    _count(request, runtime, principal.rate_key, runtime.rates.per_minute[(version, principal.tier)])
    return principal


def v1_principal(request: Request, session: SessionDep, runtime: RuntimeDep,
                 credentials: BearerDep) -> auth.Principal:
    """The caller of a v1 route (a v1 token, else 401)."""
    return _principal(request, session, runtime, ApiVersion.V1, credentials)


def v2_principal(request: Request, session: SessionDep, runtime: RuntimeDep,
                 credentials: BearerDep) -> auth.Principal:
    """The caller of a v2 route (a ``v2_`` token, else 401)."""
    return _principal(request, session, runtime, ApiVersion.V2, credentials)


V1Client = Annotated[auth.Principal, Depends(v1_principal)]
V2Client = Annotated[auth.Principal, Depends(v2_principal)]


def guard(version: ApiVersion, area: Area) -> Callable[..., Coroutine[Any, Any, None]]:
    """A router dependency: a valid token of ``version`` whose role may use ``area`` (else 401/403);
    a request that may write then waits its turn at the writers' gate."""

    async def check_v1(request: Request, principal: V1Client, runtime: RuntimeDep,
                       session: SessionDep) -> None:
        if not allowed(principal.role, area, request.method, scoped=principal.operator_id is not None):
            raise Forbidden()
        await admit_writer(request, runtime, session)

    async def check_v2(request: Request, principal: V2Client, runtime: RuntimeDep,
                       session: SessionDep) -> None:
        if not allowed(principal.role, area, request.method, scoped=principal.operator_id is not None):
            raise Forbidden()
        await admit_writer(request, runtime, session)

    return check_v1 if version is ApiVersion.V1 else check_v2


def intensive(request: Request, runtime: RuntimeDep, principal: V2Client) -> None:
    """The tighter limit for resource-intensive operations (voucher batches, broadcasts, exports)."""
    _count(request, runtime, f"heavy:{principal.rate_key}", runtime.rates.intensive)


def intensive_v1(request: Request, runtime: RuntimeDep, principal: V1Client) -> None:
    """The resource-intensive limit for v1 callers."""
    _count(request, runtime, f"heavy:{principal.rate_key}", runtime.rates.intensive)


def in_scope(principal: auth.Principal, operator_id: int) -> None:
    """A scoped caller naming another operator gets the same 404 as for a missing one."""
    if principal.operator_id is not None and principal.operator_id != operator_id:
        raise NotFound("operator not found", field="operator_id")


@dataclass(frozen=True)
class PageParams:
    """``page`` and ``per_page`` from the query string."""

    page: int
    per_page: int


async def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number")] = 1,
    per_page: Annotated[int, Query(ge=1, le=100, description="records per page (max 100)")] = 20,
) -> PageParams:
    return PageParams(page, per_page)


PageDep = Annotated[PageParams, Depends(page_params)]
