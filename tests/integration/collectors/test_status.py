"""Status checks against real sockets on 127.0.0.1: a listening port, a closed one, a local HTTP
server (200, 503, and one that never answers), ICMP echo to loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import Target
from collectors.cycle import run_cycle
from collectors.enums import CheckKind, DeviceKind, SourceKind, Vendor
from collectors.icmp import icmp_access
from collectors.models import Device, StatusCheck
from collectors.status import CheckSpec, StatusCollector, run_checks, run_unbound_checks
from store.db import session_scope

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
LOOPBACK = "127.0.0.1"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        code = 503 if self.path == "/broken" else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    server = ThreadingHTTPServer((LOOPBACK, 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://{LOOPBACK}:{server.server_address[1]}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """A socket that accepts connections (into its backlog) and never says anything."""
    sock = socket.create_server((LOOPBACK, 0), backlog=16)
    try:
        yield sock
    finally:
        sock.close()


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_of(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def check(spec: CheckSpec, timeout_s: float = 2.0) -> tuple[bool, float | None, str | None]:
    (outcome,) = asyncio.run(run_checks([spec], timeout_s=timeout_s))
    return outcome.up, outcome.latency_ms, outcome.error


def test_tcp_up_on_a_listening_port_and_down_on_a_closed_one(
    listening: socket.socket, closed_port: int
) -> None:
    up, latency, error = check(CheckSpec("open", CheckKind.TCP, LOOPBACK, port_of(listening)))
    assert up and latency is not None and latency >= 0 and error is None
    refused = (False, None, "connection refused")
    assert check(CheckSpec("closed", CheckKind.TCP, LOOPBACK, closed_port)) == refused


def test_http_below_500_is_up_and_503_or_silence_is_down(http_url: str, listening: socket.socket) -> None:
    up, latency, _ = check(CheckSpec("web", CheckKind.HTTP, http_url + "/"))
    assert up and latency is not None
    assert check(CheckSpec("web", CheckKind.HTTP, http_url + "/broken")) == (False, None, "HTTP 503")
    silent = f"http://{LOOPBACK}:{port_of(listening)}/"
    timed_out = (False, None, "timeout after 0.3 s")
    assert check(CheckSpec("mute", CheckKind.HTTP, silent), timeout_s=0.3) == timed_out


def test_icmp_echo_to_loopback() -> None:
    access = icmp_access()
    if access.mode is None:
        pytest.skip(f"this machine allows no ICMP socket to this process: {access.reason}")
    up, latency, error = check(CheckSpec("lo", CheckKind.ICMP, LOOPBACK))
    assert (up, error) == (True, None) and latency is not None and 0 <= latency < 1000


def test_icmp_to_a_name_that_does_not_resolve_is_down_with_a_reason() -> None:
    if icmp_access().mode is None:
        pytest.skip("no ICMP socket allowed to this process")
    up, _, error = check(CheckSpec("nx", CheckKind.ICMP, "no-such-host.invalid"))
    assert not up and error


def device(session: Session, **kw: object) -> Device:
    row = Device(name="rtr-lo", kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host=LOOPBACK, enabled=True,
                 details={}, consecutive_failures=0, created_at=NOW, **kw)
    session.add(row)
    session.flush()
    return row


def cycle(session: Session, dev: Device) -> dict[str, StatusCheck]:
    """What the cycle runner does for one device: target, poll, save."""
    collector = StatusCollector(timeout_s=2.0)
    assert collector.selects(dev)
    target = Target.of(dev, lambda sealed: sealed or "")
    collector.save(session, target, asyncio.run(collector.poll(target)), now=NOW)
    return {c.name: c for c in session.scalars(select(StatusCheck).where(StatusCheck.device_id == dev.id))}


def test_a_device_poll_runs_its_checks_and_then_its_bound_ones(
    session: Session, listening: socket.socket, closed_port: int, http_url: str
) -> None:
    dev = device(session, api_port=port_of(listening), ssh_port=closed_port, http_url=http_url + "/")
    rows = cycle(session, dev)
    api, ssh = f"rtr-lo/tcp:{port_of(listening)}", f"rtr-lo/tcp:{closed_port}"
    assert set(rows) == {"rtr-lo/icmp", api, ssh, "rtr-lo/http"}
    assert (rows[api].up, rows[ssh].up, rows[ssh].last_error) == (True, False, "connection refused")
    assert rows["rtr-lo/http"].up is True and rows[api].checked_at == NOW
    assert rows["rtr-lo/icmp"].up is (icmp_access().mode is not None)

    broken = StatusCheck(name="rtr-lo portal", kind=CheckKind.HTTP, target=http_url + "/broken",
                         device_id=dev.id)
    session.add(broken)
    dev.ssh_port = None
    session.flush()
    cycle(session, dev)  # learns the bound check, drops the ssh check
    rows = cycle(session, dev)  # runs it
    assert set(rows) == {"rtr-lo/icmp", api, "rtr-lo/http", "rtr-lo portal"}
    assert (broken.up, broken.last_error) == (False, "HTTP 503")


def test_disabled_or_hostless_devices_are_not_selected(session: Session) -> None:
    dev = device(session)
    dev.enabled = False
    assert not StatusCollector().selects(dev)
    dev.enabled, dev.host = True, ""
    assert not StatusCollector().selects(dev)


def test_unbound_checks_run_and_bound_ones_are_left_alone(
    session_factory: sessionmaker[Session], listening: socket.socket, closed_port: int
) -> None:
    with session_scope(session_factory) as session:
        dev = device(session)
        session.add_all([
            StatusCheck(name="upstream", kind=CheckKind.TCP, target=LOOPBACK, port=port_of(listening)),
            StatusCheck(name="dns", kind=CheckKind.TCP, target=LOOPBACK, port=closed_port),
            StatusCheck(name="bound", kind=CheckKind.TCP, target=LOOPBACK, port=closed_port,
                        device_id=dev.id),
        ])
    saved = asyncio.run(run_unbound_checks(session_factory, now_fn=lambda: NOW, timeout_s=2.0))
    assert saved == 2
    with session_scope(session_factory) as session:
        rows = {c.name: c for c in session.scalars(select(StatusCheck))}
        assert (rows["upstream"].up, rows["upstream"].checked_at) == (True, NOW)
        assert (rows["dns"].up, rows["dns"].last_error) == (False, "connection refused")
        assert rows["bound"].checked_at is None



def test_a_status_cycle_through_the_cycle_runner(
    session_factory: sessionmaker[Session], listening: socket.socket, closed_port: int
) -> None:
    with session_scope(session_factory) as session:
        device(session, api_port=port_of(listening), ssh_port=closed_port)
    result = asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=lambda s: s or ""))
    assert (result.devices, result.failed, result.values) == (1, 0, 3)
    with session_scope(session_factory) as session:
        rows = {c.name: c.up for c in session.scalars(select(StatusCheck))}
        assert rows[f"rtr-lo/tcp:{port_of(listening)}"] is True and rows[f"rtr-lo/tcp:{closed_port}"] is False
        dev = session.scalars(select(Device)).one()
        assert set(dev.details) == {"families", "status_checks"}  # the runner keeps the mirror
