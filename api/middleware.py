"""One ASGI middleware around every request: request id, rate-limit headers, the request log, 500s."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import envelope
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
