"""The ASGI middleware around every request: request id, rate-limit headers, the request log and
500s (RequestMiddleware), and the request body limit (BodyLimit)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import BodyTooLarge, envelope, too_large
from api.metrics import Metrics
from api.ratelimit import RateState
from api.requestlog import LogEntry
from api.runtime import Runtime

log = logging.getLogger(__name__)


def client_host(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def log_entry(state: dict[str, Any], scope: Scope, status: int, latency_ms: float,
              runtime: Runtime) -> LogEntry:
    """The log row for a finished request (client or staff user from the resolved principal)."""
    principal = state.get("principal")
    kind = getattr(principal, "kind", None)
    pid = getattr(principal, "id", None)
    return LogEntry(
        client_id=pid if kind == "client" else None, user_id=pid if kind == "user" else None,
        method=str(scope["method"])[:8], path=str(scope["path"])[:255], status=status,
        latency_ms=round(latency_ms, 3), created_at=runtime.clock(),
    )


class RequestMiddleware:
    """Stamps a request id, adds ``X-RateLimit-*`` headers, logs the request, answers 500s safely."""

    def __init__(self, app: ASGIApp, runtime: Runtime, metrics: Metrics | None = None) -> None:
        self.app = app
        self.runtime = runtime
        self.metrics = metrics

    async def _rate_headers(self, scope: Scope, state: dict[str, Any]) -> list[tuple[bytes, bytes]]:
        rate: RateState | None = state.get("rate")
        if rate is None and str(scope["path"]).startswith("/api"):
            key = f"ip:{client_host(scope)}"
            rate = await to_thread.run_sync(self.runtime.limiter.hit, key, self.runtime.rates.per_ip)
        if rate is None:
            return []
        return [(k.lower().encode(), v.encode()) for k, v in rate.headers().items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        request_id = uuid.uuid4().hex
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def wrapped(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(await self._rate_headers(scope, state))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, wrapped)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            if response_started:
                raise
            await self._internal_error(wrapped, request_id)
        finally:
            elapsed = time.perf_counter() - started
            if self.metrics is not None:
                self.metrics.observe(scope, elapsed)
            if str(scope["path"]).startswith("/api"):
                self.runtime.request_log.put(log_entry(state, scope, status, elapsed * 1000, self.runtime))

    @staticmethod
    async def _internal_error(send: Send, request_id: str) -> None:
        body = json.dumps(envelope("INTERNAL_ERROR", "Internal server error.",
                                   {"request_id": request_id})).encode()
        await send({"type": "http.response.start", "status": 500,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def content_length(scope: Scope) -> int | None:
    """The declared ``Content-Length``, or None when absent or not a plain number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class _CountedReceive:
    """``receive`` that counts the body bytes and raises BodyTooLarge (reading no more) past ``limit``."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.seen = 0

    async def __call__(self) -> Message:
        if self.seen > self.limit:
            raise BodyTooLarge(self.limit)
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                raise BodyTooLarge(self.limit)
        return message


class BodyLimit:
    """Answers 413 in the error envelope to a request body over ``limit`` bytes: before reading any
    of it when ``Content-Length`` says so, else (chunked bodies) once the chunks read pass the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, _CountedReceive(receive, self.limit), watched)
        except BodyTooLarge:  # the app let it through instead of answering it
            if started:
                raise
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(too_large(self.limit)).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
