"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that records what it is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One request as the receiver saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the server got and how it answers: ``script`` statuses first, in order, then ``status``."""

    port: int = 0
    status: int = 200
    reply: dict[str, Any] = field(default_factory=lambda: {"ok": True})
    requests: list[Received] = field(default_factory=list)
    script: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def next_status(self) -> int:
        """The status of the next answer (the script's head while it lasts)."""
        return self.script.pop(0) if self.script else self.status

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(state: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(size) if size else b""
            state.requests.append(Received(self.command, self.path, dict(self.headers.items()), body))
            raw = json.dumps(state.reply).encode()
            self.send_response(state.next_status())
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_POST = do_GET = do_PUT = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(state: Receiver | None = None) -> Iterator[Receiver]:
    """Serve ``state`` on its port (0 = any free one) until the block ends."""
    state = state or Receiver()
    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", state.port), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
