"""The syslog receiver on a real UDP socket: simulated routers log to it, rows land linked to their
device and customer, a burst loses nothing, odd lines are kept, and it embeds in a running loop."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator

import librouteros
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from collectors import logparse
from collectors.enums import DeviceKind, Vendor
from collectors.models import AccessLog, Device, HotspotLog, PppAuthLog, RouterLog
from collectors.syslog import ReceiverConfig, SyslogReceiver, serve_syslog
from device_fixtures import syslog as fx
from device_fixtures.routeros import build_router, serve_routeros
from device_fixtures.syslog import SyslogTarget
from store.db import session_scope
from tests import factories as f


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(m.__table__)).scalar_one()
                   for m in logparse.LOG_MODELS)


def inventory(sessions: sessionmaker[Session], names: list[str], usernames: list[str]) -> dict[str, int]:
    """Routers (all on 127.0.0.1) and customers; returns the device ids by name."""
    with session_scope(sessions) as session:
        op, pkg = f.operator(session), f.package(session)
        for user in usernames:
            f.customer(session, op, pkg, username=user)
        devices = [Device(name=n, kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host="127.0.0.1",
                          api_port=8728, details={}, created_at=f.NOW) for n in names]
        session.add_all(devices)
        session.flush()
        return {d.name: d.id for d in devices}


def settle(rx: SyslogReceiver, quiet_s: float = 0.3, limit_s: float = 10.0) -> None:
    """Wait until nothing new arrives for ``quiet_s`` and all that arrived is written."""
    deadline = time.monotonic() + limit_s
    last = -1
    while time.monotonic() < deadline and rx.received != last:
        last = rx.received
        time.sleep(quiet_s)
    assert rx.wait_written(rx.received, timeout=limit_s)


@pytest.fixture
def sessions(session_factory: sessionmaker[Session]) -> Iterator[sessionmaker[Session]]:
    yield session_factory


def test_fixture_routers_log_into_the_tables_linked_to_devices_and_customers(
    sessions: sessionmaker[Session], committed: Engine,
) -> None:
    routers = [build_router(f"rtr-s{n}", 30, seed=n, index=n) for n in (1, 2)]
    usernames = sorted({u for r in routers for u in r.subscribers})
    ids = inventory(sessions, ["rtr-s1", "rtr-s2"], usernames[:-3])
    with serve_syslog(sessions, flush_ms=20) as rx, serve_routeros(routers) as fleet:
        for state in routers:
            state.mean_session_s = state.mean_offline_s = 600.0
            state.syslog_target = SyslogTarget("127.0.0.1", rx.port)
        for _ in range(6):
            for state in routers:
                state.advance(300)
        api = librouteros.connect(fleet.host, "admin", "admin", port=fleet.port)
        api.close()
        settle(rx)
        sent = sum(len(state.menus["/log"]) for state in routers)  # /log was empty when syslog began
    assert 0 < sent < 2000 and rx.received == rx.stored == sent == count(committed)
    with session_scope(sessions) as session:
        hot = session.scalars(select(HotspotLog)).all()
        ppp = session.scalars(select(PppAuthLog)).all()
        assert hot and ppp
        seen = [(r.device_id, r.username, r.customer_id) for r in hot]
        seen += [(r.device_id, r.username, r.customer_id) for r in ppp]
        assert {d for d, _, _ in seen} == set(ids.values())  # one address, told apart by hostname
        known = set(usernames[:-3])
        assert all((customer is not None) == (user in known) for _, user, customer in seen)
        api_login = session.scalars(select(AccessLog).where(AccessLog.via == "api")).all()
        assert {(r.event, r.device_id) for r in api_login} >= {("logged_in", ids["rtr-s1"])}
        other = session.scalars(select(RouterLog)).all()
        assert all(r.source_ip == "127.0.0.1" for r in other)
        assert any(r.message.startswith("<pppoe-") and "terminating" in r.message for r in other)


def test_a_burst_loses_nothing(sessions: sessionmaker[Session], committed: Engine) -> None:
    ids = inventory(sessions, ["rtr-b"], ["u00001"])
    burst = 10_000
    with serve_syslog(sessions) as rx, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for n in range(burst):
            message = fx.hotspot_logged_in("u00001" if n % 2 else f"x{n}", f"10.5.{n % 250}.{n % 200 + 1}")
            sock.sendto(fx.format_frame(time.time(), "rtr-b", fx.HOTSPOT, message), ("127.0.0.1", rx.port))
        settle(rx)
        assert rx.received == burst
    assert count(committed) == burst
    with session_scope(sessions) as session:
        rows = session.execute(select(HotspotLog.customer_id, HotspotLog.device_id, func.count())
                               .group_by(HotspotLog.customer_id, HotspotLog.device_id)).all()
    linked = {(c is not None, d) for c, d, _n in rows}
    assert linked == {(True, ids["rtr-b"]), (False, ids["rtr-b"])}


def test_odd_lines_and_unknown_sources_are_kept(sessions: sessionmaker[Session], committed: Engine) -> None:
    inventory(sessions, ["rtr-x", "rtr-y"], [])  # both on 127.0.0.1: only a hostname tells them apart
    lines = [b"not syslog at all", b"", b"<30>Jan  2 03:04:05 who-knows system,info hello", b"\xff\xfe\x00"]
    with serve_syslog(sessions, flush_ms=10) as rx, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for line in lines:
            sock.sendto(line, ("127.0.0.1", rx.port))
        settle(rx, quiet_s=0.1)
    with session_scope(sessions) as session:
        rows = session.scalars(select(RouterLog).order_by(RouterLog.id)).all()
        assert [r.message for r in rows] == ["not syslog at all", "", "hello", "\ufffd\ufffd"]
        assert all(r.device_id is None for r in rows) and rows[2].topics == "system,info"


def test_start_and_stop_inside_a_running_loop(sessions: sessionmaker[Session], committed: Engine) -> None:
    inventory(sessions, [], [])

    async def scenario() -> SyslogReceiver:
        rx = SyslogReceiver(sessions, ReceiverConfig(port=0, flush_ms=10_000))
        port = await rx.start()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for n in range(5):
                sock.sendto(fx.format_frame(time.time(), "r", fx.SYSTEM, f"line {n}"), ("127.0.0.1", port))
        for _ in range(500):
            if rx.received >= 5:
                break
            await asyncio.sleep(0.01)
        await rx.stop()  # writes what is pending even before the flush interval
        return rx

    rx = asyncio.run(scenario())
    assert rx.stored == 5 and count(committed) == 5


def test_devices_heard_from_are_marked(sessions: sessionmaker[Session], committed: Engine) -> None:
    ids = inventory(sessions, ["rtr-h", "rtr-q"], [])
    with serve_syslog(sessions, flush_ms=10) as rx, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        frame = fx.format_frame(time.time(), "rtr-h", fx.SYSTEM, "router rebooted")
        sock.sendto(frame, ("127.0.0.1", rx.port))
        settle(rx, quiet_s=0.1)
    with session_scope(sessions) as session:
        rows = session.scalars(select(Device).where(Device.id.in_(ids.values())))
        seen = {d.name: d.syslog_seen_at for d in rows}
    assert seen["rtr-q"] is None and seen["rtr-h"] is not None
