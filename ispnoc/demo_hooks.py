"""The demo's webhook receiver: a real HTTP server on 127.0.0.1 that checks each delivery's
HMAC signature with the endpoint's secret and keeps what it received, so the demo can show
``customer.suspended`` and ``customer.activated`` arriving as an integrator would see them."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from api.webhooks import verify


@dataclass(frozen=True)
class Delivery:
    """One webhook as received: its event, whether the signature checked out, its data."""

    event: str
    signed: bool
    data: dict[str, Any]


@dataclass
class HookBox:
    """Where deliveries land; ``secret`` is set once the endpoint exists."""

    secret: str = ""
    port: int = 0
    received: list[Delivery] = field(default_factory=list)
    on_delivery: Callable[[Delivery], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ispnoc-webhook"

    def take(self, body: bytes, signature: str) -> Delivery:
        """Check and keep one delivery."""
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {}
        delivery = Delivery(event=str(payload.get("event", "?")),
                            signed=bool(self.secret) and verify(body, self.secret, signature),
                            data=dict(payload.get("data") or {}))
        with self.lock:
            self.received.append(delivery)
        if self.on_delivery is not None:
            self.on_delivery(delivery)
        return delivery


def _handler(box: HookBox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            delivery = box.take(self.rfile.read(size), self.headers.get("X-Signature", ""))
            self.send_response(204 if delivery.signed else 401)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def webhook_receiver(box: HookBox | None = None) -> Iterator[HookBox]:
    """Serve a receiver on a free port until the block ends."""
    box = box or HookBox()
    server = ThreadingHTTPServer(("127.0.0.1", box.port), _handler(box))
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="demo-webhooks", daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
