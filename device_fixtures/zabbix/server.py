"""A Zabbix frontend's ``api_jsonrpc.php`` over HTTP on loopback, honouring the shared Faults.

As the frontend does: only POST with Content-Type application/json-rpc, application/json or
application/jsonrequest is served (anything else: 412 Precondition Failed, empty body); OPTIONS
answers the CORS headers; replies are ``Content-Type: application/json``.

Faults (device_fixtures/faults.py), read on every request:
- latency_s: the reply waits that long.
- cut_reply: while set, every reply announces its full length, sends half the body and closes.
- trap: every call is answered -32500 "Application error." (as a failing database would).
- silent: the request is read and never answered; the connection stays open until the client
  gives up or the server stops.
- wrong_credentials: every ``user.login`` fails as a wrong password does.
"""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from device_fixtures.faults import Faults
from device_fixtures.zabbix.jsonrpc import Conditions, handle
from device_fixtures.zabbix.state import ZabbixState, make_zabbix_state

API_PATH = "/api_jsonrpc.php"
ALLOWED_CONTENT = frozenset({"application/json-rpc", "application/json", "application/jsonrequest"})
CORS = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Allow-Headers", "Content-Type"),
    ("Access-Control-Allow-Methods", "POST"),
    ("Access-Control-Max-Age", "1000"),
)


class _HttpServer(ThreadingHTTPServer):
    """The listening socket plus what every request handler needs."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], state: ZabbixState, faults: Faults) -> None:
        super().__init__(address, _Handler)
        self.state = state
        self.faults = faults
        self.stopping = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    """One HTTP connection (keep-alive) to the frontend."""

    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""
    server: _HttpServer

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet (tests and the demo would drown in access logs)."""

    def do_OPTIONS(self) -> None:
        """CORS preflight: the headers and nothing else."""
        self._send(200, b"", content_type=None)

    def do_GET(self) -> None:
        """No JSON-RPC content type on a GET: what the frontend answers."""
        self._send(412 if self._is_api() else 404, b"", content_type=None)

    def do_POST(self) -> None:
        """One JSON-RPC request (or batch)."""
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not self._is_api():
            self._send(404, b"", content_type=None)
            return
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type not in ALLOWED_CONTENT:
            self._send(412, b"", content_type=None)
            return
        faults = self.server.faults
        if faults.silent:
            self._hold()
            return
        if faults.latency_s > 0 and self.server.stopping.wait(faults.latency_s):
            return
        conditions = Conditions(self._bearer(), faults.trap, faults.wrong_credentials)
        reply = handle(self.server.state, body, conditions)
        self._send(200, reply, cut=faults.cut_reply)

    def _is_api(self) -> bool:
        return self.path.split("?")[0].endswith(API_PATH)

    def _bearer(self) -> str | None:
        value = self.headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return token.strip() or None

    def _send(
        self, status: int, body: bytes, *, content_type: str | None = "application/json", cut: bool = False
    ) -> None:
        try:
            self.send_response(status)
            for name, value in CORS:
                self.send_header(name, value)
            if content_type is not None:
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if cut:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if cut else body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return
        if cut:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    def _hold(self) -> None:
        """Never answer: wait until the client hangs up or the server stops, then drop the line."""
        self.close_connection = True
        while not self.server.stopping.is_set():
            readable, _, _ = select.select([self.connection], [], [], 0.1)
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return
                except OSError:
                    return


class ZabbixServer:
    """A running simulated Zabbix frontend: its address, state and fault knobs."""

    def __init__(self, state: ZabbixState, faults: Faults, host: str = "127.0.0.1", port: int = 0) -> None:
        self.state = state
        self.faults = faults
        self._httpd = _HttpServer((host, port), state, faults)
        self.host = host
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._serve, name=f"zabbix-{self.port}", daemon=True)

    def _serve(self) -> None:
        self._httpd.serve_forever(poll_interval=0.05)

    @property
    def url(self) -> str:
        """The frontend's base URL (what ZabbixAPI(url) takes; the API is at url + /api_jsonrpc.php)."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The JSON-RPC endpoint."""
        return self.url + API_PATH

    def start(self) -> None:
        """Serve in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release the port (held requests are dropped unanswered)."""
        self._httpd.stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()


def default_state() -> ZabbixState:
    """A small network: a router, two OLTs, radios and switches, with a few problems."""
    names = ["core-rtr-1", "olt-north", "olt-south", "ap-north-1", "ap-south-1", "sw-hq-1"]
    return make_zabbix_state([(n, f"10.10.0.{k}") for k, n in enumerate(names, 1)], seed=0, problems=4)


@contextmanager
def serve_zabbix(
    state: ZabbixState | None = None, *, host: str = "127.0.0.1", port: int = 0, faults: Faults | None = None
) -> Iterator[ZabbixServer]:
    """Run a simulated Zabbix server for the duration of the block."""
    server = ZabbixServer(state if state is not None else default_state(), faults or Faults(), host, port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
