"""The MikroTik collector against simulated RouterOS routers (librouteros async over real TCP): the
poll, the store after it, sessions opened and closed over ticks, usage, reboots and failures."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import CollectError, Target
from collectors.cycle import run_cycle
from collectors.enums import DeviceKind, SessionKind, SourceKind, Vendor
from collectors.mikrotik import MikrotikCollector, MikrotikPoll
from collectors.models import (
    AccessLog,
    Device,
    DeviceSample,
    InterfaceStat,
    IpPool,
    RouterLog,
    SubscriberSession,
    UsageDaily,
)
from device_fixtures.routeros import RouterOSFleet, RouterState, build_router, serve_routeros
from store.db import session_scope
from tests import factories as f

PASSWORD = "s3cret-pw"


@pytest.fixture
def router() -> Iterator[tuple[RouterState, RouterOSFleet]]:
    state = build_router("rtr-mt", 40, seed=5)
    state.credentials = {"admin": PASSWORD}
    with serve_routeros([state]) as fleet:
        yield state, fleet


def add_device(session: Session, fleet: RouterOSFleet, **details: object) -> Target:
    """The router in the inventory, and the target the cycle would make of it."""
    dev = Device(name="rtr-mt", kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host=fleet.host,
                 api_port=fleet.port, username="admin", details=dict(details), created_at=f.NOW)
    session.add(dev)
    session.flush()
    return Target.of(dev, lambda _sealed: PASSWORD)


def add_customers(session: Session, state: RouterState) -> dict[str, int]:
    """A customer for every subscriber but the last, by username."""
    op, pkg = f.operator(session), f.package(session)
    names = sorted(state.subscribers)[:-1]
    return {n: f.customer(session, op, pkg, username=n).id for n in names}


def clock(state: RouterState) -> datetime:
    return datetime.fromtimestamp(state.clock, UTC)


def poll(target: Target, timeout_s: float = 5.0) -> MikrotikPoll:
    return asyncio.run(MikrotikCollector(timeout_s).poll(target))


def cycle(session: Session, state: RouterState, target: Target, advance_s: float = 0) -> MikrotikPoll:
    """Let the router's clock run, poll it, and save at the router's time."""
    if advance_s:
        state.advance(advance_s)
    result = poll(target)
    MikrotikCollector().save(session, target, result, now=clock(state))
    session.flush()
    return result


def live(state: RouterState) -> set[tuple[str, str]]:
    with state.lock:
        return {(s.kind.value, s.name) for s in state.subscribers.values() if s.session is not None}


def open_sessions(session: Session) -> set[tuple[str, str]]:
    rows = session.scalars(select(SubscriberSession).where(SubscriberSession.ended_at.is_(None)))
    return {("pppoe" if r.kind is SessionKind.PPP else "hotspot", r.username) for r in rows}


def test_poll_and_save_fill_the_store(session: Session, router: tuple[RouterState, RouterOSFleet]) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    customers = add_customers(session, state)
    result = cycle(session, state, target)
    assert result.identity == "rtr-mt" and result.resource.version == "6.49.10"
    dev = session.get(Device, target.device_id)
    assert dev is not None and (dev.identity, dev.version, dev.model) == ("rtr-mt", "6.49.10", state.board)
    assert dev.uptime_s is not None and dev.cpu_load is not None and 0 <= dev.cpu_load <= 100
    names = set(session.scalars(select(InterfaceStat.name).where(InterfaceStat.device_id == dev.id)))
    assert names == {f"ether{n}" for n in range(1, 6)}  # the dynamic <pppoe-...> ones are sessions
    pools = {p.name: p for p in session.scalars(select(IpPool))}
    assert set(pools) == {"pppoe-pool", "hs-pool", "suspended-pool"}
    assert pools["hs-pool"].size == 4 * 256 - 3
    hotspot_online = sum(1 for kind, _ in live(state) if kind == "hotspot")
    assert pools["hs-pool"].used == hotspot_online > 0  # no /ip/pool/used here: counted from sessions
    assert open_sessions(session) == live(state) and live(state)
    linked = {r.username: r.customer_id for r in session.scalars(select(SubscriberSession))}
    assert all(linked[n] == customers.get(n) for n in linked)
    metrics = set(session.scalars(select(DeviceSample.metric)))
    assert {"cpu_load", "ppp_sessions", "hotspot_sessions"} <= metrics


def usage(session: Session) -> dict[int, tuple[int, int]]:
    return {u.customer_id: (u.bytes_in, u.bytes_out) for u in session.scalars(select(UsageDaily))}


def router_bytes(state: RouterState) -> dict[str, tuple[int, int]]:
    with state.lock:
        subs = state.subscribers.values()
        return {s.name: (s.bytes_in, s.bytes_out) for s in subs if s.session is not None}


def test_sessions_open_and_close_over_ticks_and_usage_only_grows(
    session: Session, router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    state.mean_session_s = state.mean_offline_s = 900.0  # lively churn
    target = add_device(session, fleet)
    add_customers(session, state)
    cycle(session, state, target)
    assert usage(session) == {}  # the first poll is a baseline
    seen: dict[int, tuple[int, int]] = {}
    for _ in range(4):
        cycle(session, state, target, advance_s=300)
        assert open_sessions(session) == live(state)
        now = usage(session)
        assert all(now[c][0] >= seen.get(c, (0, 0))[0] and now[c][1] >= seen.get(c, (0, 0))[1] for c in now)
        seen = now
    closed = session.scalar(select(func.count()).where(SubscriberSession.ended_at.is_not(None)))
    recent = clock(state) - timedelta(seconds=1200)
    opened_later = session.scalar(select(func.count()).where(SubscriberSession.started_at > recent))
    assert closed and opened_later
    assert sum(b for pair in seen.values() for b in pair) > 0
    rx = session.scalars(select(InterfaceStat.rx_bps).where(InterfaceStat.name == "ether1")).one()
    assert rx is not None and rx > 0


def test_usage_of_a_steady_session_is_exactly_what_the_router_counted(
    session: Session, router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    state.mean_session_s, state.mean_offline_s = 1e12, 1e12  # nobody comes or goes
    target = add_device(session, fleet)
    customers = add_customers(session, state)
    cycle(session, state, target)
    first = router_bytes(state)
    cycle(session, state, target, advance_s=120)
    cycle(session, state, target, advance_s=120)
    last = router_bytes(state)
    got = usage(session)
    expected = {customers[n]: (b_in - first[n][0], b_out - first[n][1])
                for n, (b_in, b_out) in last.items() if n in customers}
    assert len(expected) > 20 and got == expected


def test_reboot_gives_no_negative_rates_and_closes_sessions(
    session: Session, router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    add_customers(session, state)
    cycle(session, state, target)
    cycle(session, state, target, advance_s=300)
    before_usage = usage(session)
    before_uptime = session.get(Device, target.device_id).uptime_s  # type: ignore[union-attr]
    state.faults.reboot()
    cycle(session, state, target, advance_s=60)
    dev = session.get(Device, target.device_id)
    assert dev is not None and dev.uptime_s is not None and before_uptime is not None
    assert dev.uptime_s < before_uptime
    rates = session.execute(select(InterfaceStat.rx_bps, InterfaceStat.tx_bps)).all()
    assert all(r is None or r >= 0 for pair in rates for r in pair)
    wan = session.scalars(select(InterfaceStat).where(InterfaceStat.name == "ether1")).one()
    assert wan.rx_bps is not None and wan.rx_bps >= 0 and wan.rx_bytes < 10**12
    assert all(v >= 0 for v in session.scalars(select(DeviceSample.value)))
    assert open_sessions(session) == live(state)
    after = usage(session)
    assert all(after[c][0] >= b[0] and after[c][1] >= b[1] for c, b in before_usage.items())
    cycle(session, state, target, advance_s=60)
    assert all(r is None or r >= 0 for pair in session.execute(
        select(InterfaceStat.rx_bps, InterfaceStat.tx_bps)).all() for r in pair)


Router = tuple[RouterState, RouterOSFleet]


def test_log_is_read_past_its_cursor_only(session: Session, router: Router) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    for _ in range(3):
        cycle(session, state, target)
    logins = session.execute(select(AccessLog.event, func.count()).where(AccessLog.via == "api")
                             .group_by(AccessLog.event)).all()
    assert dict(logins) == {"logged_in": 3, "logged_out": 2}  # each poll's logout shows up in the next


def test_a_router_sending_syslog_is_not_read_for_its_log(
    session: Session, router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    target = add_device(session, fleet, syslog=True)
    result = cycle(session, state, target)
    assert result.logs is None
    assert session.scalar(select(func.count()).select_from(AccessLog)) == 0


@pytest.mark.parametrize("fault", ["wrong_credentials", "trap", "cut_reply"])
def test_faults_become_collect_errors_without_the_password(
    session: Session, router: tuple[RouterState, RouterOSFleet], fault: str,
) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    state.faults.update(**{fault: True})
    with pytest.raises(CollectError) as err:
        poll(target)
    assert PASSWORD not in str(err.value) and "rtr-mt" in str(err.value)
    if fault == "wrong_credentials":
        assert "login refused" in str(err.value)


def test_a_silent_router_fails_within_the_timeout(
    session: Session, router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    state.faults.silent = True
    began = time.monotonic()
    with pytest.raises(CollectError, match=r"no answer within 0\.5 s"):
        poll(target, timeout_s=0.5)
    assert time.monotonic() - began < 2.0


def test_connection_refused_is_a_collect_error(session: Session, router: Router) -> None:
    _state, fleet = router
    target = add_device(session, fleet)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with pytest.raises(CollectError, match="ConnectionRefusedError"):
        poll(dataclasses.replace(target, api_port=closed_port))


def test_log_cursor_starts_again_after_a_reboot(session: Session, router: Router) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    cycle(session, state, target)
    cycle(session, state, target, advance_s=60)
    state.faults.reboot()
    cycle(session, state, target, advance_s=60)
    cycle(session, state, target, advance_s=60)
    reboots = session.scalars(select(RouterLog.message).where(RouterLog.message == "router rebooted")).all()
    assert reboots == ["router rebooted"]
    assert all(r.source_ip is None for r in session.scalars(select(RouterLog)))  # read over the API


def test_log_is_not_stored_twice_while_syslog_arrives(session: Session, router: Router) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    dev = session.get(Device, target.device_id)
    assert dev is not None
    dev.syslog_seen_at = clock(state) - timedelta(minutes=2)  # what the receiver notes
    session.flush()
    cycle(session, state, target)
    assert session.scalar(select(func.count()).select_from(AccessLog)) == 0
    dev = session.get(Device, target.device_id)
    assert dev is not None and dev.details["mikrotik"]["log_cursor"] >= 0  # still moved on


def test_the_cycle_runs_the_real_collector_over_a_fleet(session_factory: sessionmaker[Session]) -> None:
    routers = [build_router(f"rtr-c{k}", 10, seed=2, index=k) for k in range(3)]
    routers[1].faults.wrong_credentials = True
    with serve_routeros(routers) as fleet:
        with session_scope(session_factory) as s:
            s.add_all(Device(name=e.name, kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host=e.host,
                             api_port=e.port, username="admin", password_enc="admin", details={},
                             created_at=f.NOW) for e in fleet)
        result = asyncio.run(run_cycle(session_factory, SourceKind.MIKROTIK, reveal=lambda v: v or "",
                                       timeout_s=5.0))
    assert (result.devices, result.failed) == (3, 1) and result.values > 0
    assert "login refused" in result.errors["rtr-c1"]
    with session_scope(session_factory) as s:
        up = {d.name: d.identity for d in s.scalars(select(Device)) if d.identity}
        sessions_seen = s.scalar(select(func.count()).select_from(SubscriberSession))
    assert up == {"rtr-c0": "rtr-c0", "rtr-c2": "rtr-c2"} and sessions_seen


@pytest.mark.parametrize(("version", "details"), [("7.18.2", {}), ("6.40.9", {"login": "token"})])
def test_other_routeros_versions(session: Session, version: str, details: dict[str, str]) -> None:
    state = build_router("rtr-mt", 12, seed=9)
    state.version = version
    state.refresh_resource()
    state.menus["/ppp/active"].rows.clear()  # nothing online over PPP: v7.18 answers !empty
    with serve_routeros([state]) as fleet:
        target = add_device(session, fleet, **details)
        target = dataclasses.replace(target, password="admin")
        result = cycle(session, state, target)
    assert result.resource.version == version
    assert [s.kind for s in result.sessions] == [SessionKind.HOTSPOT] * len(result.sessions)
    logins = session.scalars(select(AccessLog.at).where(AccessLog.via == "api")).all()
    assert len(logins) == 1 and abs((logins[0] - clock(state)).total_seconds()) < 5


def test_a_reboot_seen_only_in_the_boot_time_closes_the_sessions_at_the_boot(
    session: Session, router: Router,
) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    cycle(session, state, target)
    cycle(session, state, target, advance_s=300)
    before = session.scalars(select(SubscriberSession.id).where(SubscriberSession.ended_at.is_(None))).all()
    state.advance(200)
    state.faults.reboot()
    boot = clock(state)
    cycle(session, state, target, advance_s=1000)  # uptime 1000 s > the 300 s seen last time
    ended = session.scalars(select(SubscriberSession.ended_at).where(SubscriberSession.id.in_(before))).all()
    assert len(ended) == len(before) > 0 and all(e is not None and abs((e - boot).total_seconds()) < 2
                                                 for e in ended)
    assert open_sessions(session) == live(state)
    assert all(r is None or r >= 0 for pair in session.execute(
        select(InterfaceStat.rx_bps, InterfaceStat.tx_bps)).all() for r in pair)


def test_account_drift_between_the_router_and_the_store(session: Session, router: Router) -> None:
    state, fleet = router
    target = add_device(session, fleet)
    op, pkg = f.operator(session), f.package(session)
    names = sorted(state.subscribers)
    for name in names[:-1]:  # the router's last subscriber has no customer
        f.customer(session, op, pkg, username=name, router_id=target.device_id)
    f.customer(session, op, pkg, username="ghost0001", router_id=target.device_id)  # not on the router
    f.customer(session, op, pkg, username="elsewhere", router_id=None)  # another router's business
    result = poll(target)
    assert result.accounts is not None
    assert {a.name for a in result.accounts} == set(names)
    assert {a.hotspot for a in result.accounts} == {True, False}
    MikrotikCollector().save(session, target, result, now=f.NOW)
    drift = session.get(Device, target.device_id).details["accounts"]  # type: ignore[union-attr]
    assert drift["total"] == len(names)
    assert (drift["unknown_on_router"], drift["unknown_on_router_count"]) == ([names[-1]], 1)
    assert (drift["missing_on_router"], drift["missing_on_router_count"]) == (["ghost0001"], 1)
