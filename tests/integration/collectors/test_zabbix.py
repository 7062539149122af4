"""The Zabbix collector (pyzabbix over real HTTP) against the simulated Zabbix server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import CollectError, Target
from collectors.cycle import run_cycle
from collectors.enums import DeviceKind, DeviceStatus, SourceKind, Vendor
from collectors.models import Device, ZabbixHost, ZabbixProblem
from collectors.zabbix import ZabbixCollector, ZabbixSnapshot
from device_fixtures.faults import Faults
from device_fixtures.zabbix import ZabbixServer, ZabbixState, make_zabbix_state, serve_zabbix
from store.db import session_scope

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
HOSTS = [("core-rtr-1", "10.1.0.1"), ("olt-north", "10.1.0.2"), ("ap-south-1", "10.1.0.3"),
         ("sw-hq-1", "10.1.0.4")]
PASSWORD = "zbx-Secret-4711"


def state_of(version: str) -> ZabbixState:
    state = make_zabbix_state(HOSTS, seed=7, problems=6, version=version)
    state.users["Admin"].password = PASSWORD
    return state


@pytest.fixture
def faults() -> Faults:
    return Faults()


@pytest.fixture(params=["6.0.25", "6.4.12", "7.2.0"])
def server(request: pytest.FixtureRequest, faults: Faults) -> Iterator[ZabbixServer]:
    with serve_zabbix(state_of(request.param), faults=faults) as srv:
        yield srv


def device(session: Session, name: str, kind: DeviceKind, host: str, **kw: object) -> Device:
    vendor = {DeviceKind.ZABBIX: Vendor.ZABBIX, DeviceKind.OLT: Vendor.HUAWEI}.get(kind, Vendor.MIKROTIK)
    row = Device(name=name, kind=kind, vendor=vendor, host=host, enabled=True, details={},
                 consecutive_failures=0, created_at=NOW, **kw)
    session.add(row)
    session.flush()
    return row


def target_for(session: Session, srv: ZabbixServer, password: str = PASSWORD) -> Target:
    zabbix = device(session, "zabbix", DeviceKind.ZABBIX, srv.url, http_url=srv.api_url,
                    username="Admin", password_enc=password)
    return Target.of(zabbix, lambda sealed: sealed or "")


def poll(target: Target) -> ZabbixSnapshot:
    return asyncio.run(ZabbixCollector(timeout_s=5).poll(target))


def test_hosts_are_linked_and_problems_mapped_to_hosts(session: Session, server: ZabbixServer) -> None:
    router = device(session, "core-rtr-1-ccr", DeviceKind.ROUTER, "10.1.0.1")  # by address
    olt = device(session, "OLT-North", DeviceKind.OLT, "olt-north.isp.example")  # by name
    target = target_for(session, server)
    collector = ZabbixCollector(timeout_s=5)
    snapshot = poll(target)
    assert snapshot.version == server.state.version
    assert collector.save(session, target, snapshot, now=NOW) == 4 + 6

    query = select(ZabbixHost).where(ZabbixHost.server_id == target.device_id)
    hosts = {h.host: h for h in session.scalars(query)}
    assert set(hosts) == {name for name, _ in HOSTS}
    assert (hosts["core-rtr-1"].device_id, hosts["olt-north"].device_id) == (router.id, olt.id)
    assert hosts["ap-south-1"].device_id is None
    assert hosts["olt-north"].ip == "10.1.0.2" and hosts["olt-north"].groups == ["OLTs"]
    assert hosts["olt-north"].available is True

    problems = session.scalars(select(ZabbixProblem)).all()
    state = server.state
    expected = {p.eventid: state.triggers[p.objectid].hostids[0] for p in state.open_problems()}
    assert {p.eventid: p.hostid for p in problems} == expected
    assert all(p.resolved_at is None for p in problems)
    acked = {p.eventid for p in state.open_problems() if p.acknowledged}
    assert {p.eventid for p in problems if p.acknowledged} == acked
    assert session.get(Device, target.device_id).version == state.version  # type: ignore[union-attr]


def test_resolved_vanished_and_removed(session: Session, server: ZabbixServer) -> None:
    target = target_for(session, server)
    collector = ZabbixCollector(timeout_s=5)
    collector.save(session, target, poll(target), now=NOW)
    state = server.state
    just_resolved, vanished, *_ = state.open_problems()
    with state.lock:
        state.resolve_problem(just_resolved.eventid)
        state.resolve_problem(vanished.eventid)
        del state.problems[vanished.eventid]  # gone from problem.get, as after ok_period
        removed = state.hosts.pop(next(h for h, o in state.hosts.items() if o.host == "sw-hq-1"))
    later = NOW + timedelta(minutes=5)
    collector.save(session, target, poll(target), now=later)

    rows = {p.eventid: p for p in session.scalars(select(ZabbixProblem))}
    assert rows[just_resolved.eventid].resolved_at == datetime.fromtimestamp(state.clock, UTC)
    assert rows[vanished.eventid].resolved_at == later
    assert sum(p.resolved_at is None for p in rows.values()) == len(state.open_problems())
    hosts = session.scalars(select(ZabbixHost.hostid)).all()
    assert removed.hostid not in hosts and len(hosts) == 3


def test_api_errors_are_collect_errors(session: Session, server: ZabbixServer, faults: Faults) -> None:
    target = target_for(session, server)
    faults.trap = True
    with pytest.raises(CollectError, match="-32500") as caught:
        poll(target)
    assert PASSWORD not in str(caught.value)


def test_wrong_credentials(session: Session, server: ZabbixServer) -> None:
    wrong = "not-the-Password-99"
    with pytest.raises(CollectError, match="Incorrect user name or password") as caught:
        poll(target_for(session, server, password=wrong))
    assert wrong not in str(caught.value)


def test_rejected_logins_cut_replies_silence_and_a_dead_server(
    session: Session, server: ZabbixServer, faults: Faults
) -> None:
    target = target_for(session, server)
    faults.wrong_credentials = True
    with pytest.raises(CollectError, match="zabbix API error"):
        poll(target)
    faults.wrong_credentials, faults.cut_reply = False, True
    with pytest.raises(CollectError, match="zabbix HTTP error"):
        poll(target)
    faults.cut_reply, faults.silent = False, True
    with pytest.raises(CollectError, match="Timeout"):
        asyncio.run(ZabbixCollector(timeout_s=0.3).poll(target))
    faults.silent = False
    server.stop()
    with pytest.raises(CollectError, match="zabbix HTTP error") as caught:
        poll(target)
    assert PASSWORD not in str(caught.value)


def test_sessions_are_logged_out(session: Session, server: ZabbixServer) -> None:
    poll(target_for(session, server))
    assert server.state.sessions and not any(s.active for s in server.state.sessions.values())


def test_selects_only_enabled_zabbix_servers(session: Session, server: ZabbixServer) -> None:
    collector = ZabbixCollector()
    zabbix = device(session, "zbx", DeviceKind.ZABBIX, server.url)
    assert collector.selects(zabbix)
    zabbix.enabled = False
    assert not collector.selects(zabbix)
    assert not collector.selects(device(session, "rtr", DeviceKind.ROUTER, "10.0.0.1"))


def test_zabbix_cycles_through_the_cycle_runner(
    session_factory: sessionmaker[Session], faults: Faults
) -> None:
    with serve_zabbix(state_of("7.2.0"), faults=faults) as srv:
        with session_scope(session_factory) as session:
            server_id = target_for(session, srv).device_id
            olt_id = device(session, "olt-north", DeviceKind.OLT, "10.99.0.2").id
        reveal = lambda sealed: sealed or ""  # noqa: E731
        result = asyncio.run(run_cycle(session_factory, SourceKind.ZABBIX, reveal=reveal))
        assert (result.devices, result.failed, result.values) == (1, 0, 4 + 6)
        faults.trap = True
        failed = asyncio.run(run_cycle(session_factory, SourceKind.ZABBIX, reveal=reveal))
    assert failed.failed == 1 and "-32500" in failed.errors["zabbix"]
    with session_scope(session_factory) as session:
        linked = session.scalars(select(ZabbixHost).where(ZabbixHost.host == "olt-north")).one()
        assert linked.device_id == olt_id
        server = session.get(Device, server_id)
        assert server is not None and server.status == DeviceStatus.DOWN
        assert PASSWORD not in str(server.last_error)
        problems = session.scalar(select(func.count()).select_from(ZabbixProblem))
        assert problems == 6  # kept from the good cycle
