"""The cross-family collector contract, in the manner of napalm's getters suite: one suite
parametrised over ``collectors.base.FAMILIES`` (every registered family), run against one small
simulated ISP (2 routers x 10 subscribers, a Huawei and a ZTE OLT x 8 ONUs, one radio of each
family, Zabbix) whose inventory is imported into a fresh store.

For each family: the class honours the Collector Protocol; ``selects`` picks exactly that family's
devices; ``poll`` returns the family's typed result (frozen dataclasses, tuples, no library objects
or undocumented dicts, values in their documented units); ``save`` writes the expected rows; a
second cycle adds no rows; and every cycle of the family over the network has no failure.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import FAMILIES, CycleResult, Target, collector_for
from collectors.cycle import run_cycle, selected
from collectors.enums import DeviceStatus, OnuStatus, SourceKind
from collectors.inventory import import_inventory
from collectors.mikrotik import MikrotikPoll
from collectors.models import (
    CollectionRun,
    Device,
    InterfaceStat,
    IpPool,
    Onu,
    PonPort,
    RadioStation,
    StatusCheck,
    SubscriberSession,
    ZabbixHost,
    ZabbixProblem,
)
from collectors.olt_snmp import OltPoll
from collectors.olt_ssh import OltSshResult
from collectors.radios import RadioPoll
from collectors.radios_vendors import PROFILES
from collectors.status import StatusResult
from collectors.zabbix import ZabbixSnapshot
from device_fixtures.network import Network, run_network
from device_fixtures.scenario import OLT_VENDORS, RADIO_FAMILIES, Scenario
from store.db import make_session_factory, scratch_engine, session_scope
from store.types import utcnow

SMALL = Scenario(name="contract", routers=2, subscribers_per_router=10, olts=2, onus_per_olt=8,
                 olt_vendors=OLT_VENDORS, radios=len(RADIO_FAMILIES), radio_families=RADIO_FAMILIES,
                 zabbix_hosts=2 + 2 + len(RADIO_FAMILIES), zabbix_problems=3, tick_seconds=60)
FAMILY_LIST = list(FAMILIES)
RESULTS: dict[SourceKind, type] = {
    SourceKind.MIKROTIK: MikrotikPoll, SourceKind.OLT_SSH: OltSshResult, SourceKind.OLT_SNMP: OltPoll,
    SourceKind.RADIO_SNMP: RadioPoll, SourceKind.ZABBIX: ZabbixSnapshot, SourceKind.STATUS: StatusResult,
}
STATE_TABLES = (Device, InterfaceStat, IpPool, SubscriberSession, Onu, PonPort, RadioStation, ZabbixHost,
                ZabbixProblem, StatusCheck)
"""Current-state tables: a second cycle over an unchanged network must not grow any of them."""
SENTINELS = (-21474836.0, -2147483.648, 2147483.647, 21474836.47, -214748364.8, 65535.0, -65535.0)
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
SERIAL = re.compile(r"^[A-Z0-9]{4}[0-9A-F]{8}$")
LEAVES = (str, int, float, bool, datetime, Enum, type(None))


def plain(secret: str | None) -> str:
    """The store keeps the fixture's secrets unsealed here."""
    return secret or ""


@dataclass
class Bench:
    """The network, the store it was imported into, and what polling and two cycles produced."""

    net: Network
    sessions: sessionmaker[Session]
    polls: dict[SourceKind, dict[str, Any]] = field(default_factory=dict)
    cycles: dict[SourceKind, list[CycleResult]] = field(default_factory=dict)
    counts: dict[SourceKind, list[dict[str, int]]] = field(default_factory=dict)


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with session_scope(sessions) as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
                for m in STATE_TABLES}


def targets(sessions: sessionmaker[Session], family: SourceKind) -> list[Target]:
    with session_scope(sessions) as session:
        return [Target.of(d, plain) for d in selected(session, collector_for(family), None)]


async def poll_all(family: SourceKind, devices: list[Target]) -> dict[str, Any]:
    collector = collector_for(family)
    results = await asyncio.gather(*(collector.poll(t) for t in devices))
    return {t.name: r for t, r in zip(devices, results, strict=True)}


def exercise(bench: Bench) -> None:
    """Poll every family's devices directly, then run two cycles of each family in turn."""
    for family in FAMILY_LIST:
        bench.polls[family] = asyncio.run(poll_all(family, targets(bench.sessions, family)))
    for family in FAMILY_LIST:
        for _ in range(2):
            bench.cycles.setdefault(family, []).append(
                asyncio.run(run_cycle(bench.sessions, family, reveal=plain)))
            bench.counts.setdefault(family, []).append(counts(bench.sessions))


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    db: Path = tmp_path_factory.mktemp("contract") / "store.db"
    with run_network(SMALL, tick=False) as net, scratch_engine(f"sqlite:///{db}", "contract") as engine:
        sessions = make_session_factory(engine)
        with session_scope(sessions) as session:
            import_inventory(session, net.inventory(), seal=lambda s: s, now=utcnow())
        running = Bench(net, sessions)
        exercise(running)
        yield running


def expected_devices(net: Network, family: SourceKind) -> set[str]:
    """The devices of ``family`` as the inventory describes them."""
    routers = {r["name"] for r in net.routers}
    olts = {o["name"] for o in net.olts}
    radios = {r["name"] for r in net.radios}
    return {
        SourceKind.MIKROTIK: routers, SourceKind.OLT_SSH: olts, SourceKind.OLT_SNMP: olts,
        SourceKind.RADIO_SNMP: radios, SourceKind.ZABBIX: {net.zabbix["name"]},
        SourceKind.STATUS: routers | olts | radios | {net.zabbix["name"]},
    }[family]


def devices(session: Session) -> dict[str, Device]:
    return {d.name: d for d in session.scalars(select(Device))}


# ---------------------------------------------------------------------------- shape and units
def _dataclass_problems(value: Any, path: str) -> Iterator[str]:
    params = getattr(type(value), "__dataclass_params__", None)
    if params is None or not params.frozen:
        yield f"{path}: {type(value).__name__} is not a frozen dataclass"
    for f in fields(value):
        item = getattr(value, f.name)
        if isinstance(item, Mapping) and "Mapping" not in str(f.type):
            yield f"{path}.{f.name}: a mapping where {f.type} is documented"
        yield from shape_problems(item, f"{path}.{f.name}", f.name)


def shape_problems(value: Any, path: str, key: str = "") -> Iterator[str]:
    """Everything in a poll result that is not a frozen dataclass, tuple, mapping or plain value."""
    if is_dataclass(value) and not isinstance(value, type):
        yield from _dataclass_problems(value, path)
    elif isinstance(value, Mapping):
        for k, item in value.items():
            if not isinstance(k, str):
                yield f"{path}: key {k!r} is not a string"
            yield from shape_problems(item, f"{path}[{k!r}]", str(k))
    elif isinstance(value, tuple):
        for n, item in enumerate(value):
            yield from shape_problems(item, f"{path}[{n}]", key)
    elif not isinstance(value, LEAVES):
        yield f"{path}: {type(value).__module__}.{type(value).__name__} leaked"
    else:
        yield from unit_problems(value, path, key)


RANGES: tuple[tuple[Callable[[str], bool], float, float], ...] = (
    (lambda k: k.endswith("_dbm"), -120.0, 40.0),
    (lambda k: k.endswith("_pct") or k == "cpu_load", 0.0, 100.0),
    (lambda k: k.endswith("_c"), -40.0, 125.0),
    (lambda k: k.endswith("_m"), 0.0, 200_000.0),
    (lambda k: k.endswith(("_mbps", "_bps", "_mhz", "_ms", "_s")), 0.0, 1e12),
    (lambda k: k.endswith(("_bytes", "_memory")) or k.startswith("bytes_"), 0.0, math.inf),
)
"""Documented units by name suffix and the range a real device reports them in."""


def unit_problems(value: Any, path: str, key: str) -> Iterator[str]:
    """A plain value against the unit its name documents."""
    if isinstance(value, float) and (not math.isfinite(value) or value in SENTINELS):
        yield f"{path}: sentinel {value!r}"
    if isinstance(value, datetime) and value.tzinfo is None:
        yield f"{path}: naive datetime"
    if key == "mac" and not (isinstance(value, str) and MAC.match(value)):
        yield f"{path}: MAC {value!r} not normalised"
    if key == "serial" and value is not None and not SERIAL.match(str(value)):
        yield f"{path}: serial {value!r}"
    if key == "status" and value is not None and not isinstance(value, Enum):
        yield f"{path}: status {value!r} is not an enum"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    for matches, low, high in RANGES:
        if matches(key) and not low <= value <= high:
            yield f"{path}: {value!r} outside [{low:g}, {high:g}]"
    if key.endswith("_dbm") and not isinstance(value, float):
        yield f"{path}: dBm as {type(value).__name__}, not float"


# ---------------------------------------------------------------------------- the contract
@pytest.mark.parametrize("family", FAMILY_LIST)
def test_the_class_honours_the_collector_protocol(family: SourceKind) -> None:
    module_name, _, class_name = FAMILIES[family].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    required = [p for p in inspect.signature(cls).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    assert required == [], f"{class_name}() must be constructible with no arguments"
    collector = collector_for(family)
    assert type(collector) is cls and collector is not collector_for(family)
    assert collector.family == family and isinstance(collector.family, SourceKind)
    assert inspect.iscoroutinefunction(collector.poll)
    assert not inspect.iscoroutinefunction(collector.selects)
    save = inspect.signature(collector.save).parameters
    assert list(save)[:3] == ["session", "target", "result"]
    assert save["now"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("family", FAMILY_LIST)
def test_selects_exactly_the_devices_of_its_family(bench: Bench, family: SourceKind) -> None:
    collector = collector_for(family)
    with session_scope(bench.sessions) as session:
        chosen = {name for name, d in devices(session).items() if collector.selects(d)}
    assert chosen == expected_devices(bench.net, family)


@pytest.mark.parametrize("family", FAMILY_LIST)
def test_poll_returns_the_typed_result_in_documented_units(bench: Bench, family: SourceKind) -> None:
    polls = bench.polls[family]
    assert set(polls) == expected_devices(bench.net, family)
    problems = []
    for name, result in polls.items():
        assert isinstance(result, RESULTS[family]), f"{name}: {type(result).__name__}"
        problems += list(shape_problems(result, name))
    assert problems == []


def test_the_unit_checks_catch_what_they_look_for() -> None:
    """The checker itself can fail: sentinels, raw objects, lists, odd MACs are all reported."""
    bad = OltPoll(onus=(), pons=(), values=0)
    assert list(shape_problems(bad, "ok")) == []
    found = list(shape_problems({"rx_dbm": -21474836.0, "mac": "AA-BB-CC-DD-EE-FF", "tx_bytes": -1,
                                 "x": [1], "y": b"raw", "rx_pct": 250.0, "tx_dbm": -3}, "r"))
    assert len(found) == 8, found  # the sentinel is also out of range


@pytest.mark.parametrize("family", FAMILY_LIST)
def test_every_cycle_of_the_family_has_no_failure(bench: Bench, family: SourceKind) -> None:
    expected = len(expected_devices(bench.net, family))
    for result in bench.cycles[family]:
        assert (result.family, result.devices, result.failed, result.errors) == (family, expected, 0, {})
        assert result.values > 0
    with session_scope(bench.sessions) as session:
        runs = session.scalar(select(func.count()).select_from(CollectionRun)
                              .where(CollectionRun.family == family, CollectionRun.failed == 0))
    assert runs == 2


@pytest.mark.parametrize("family", FAMILY_LIST)
def test_polled_devices_are_up_with_their_health_recorded(bench: Bench, family: SourceKind) -> None:
    with session_scope(bench.sessions) as session:
        rows = devices(session)
        for name in expected_devices(bench.net, family):
            d = rows[name]
            assert (d.status, d.last_error, d.consecutive_failures) == (DeviceStatus.UP, None, 0), name
            assert d.last_success_at is not None and d.last_polled_at == d.last_success_at
            assert d.details["families"][family.value]["last_error"] is None


@pytest.mark.parametrize("family", FAMILY_LIST)
def test_a_second_cycle_adds_no_rows(bench: Bench, family: SourceKind) -> None:
    first, second = bench.counts[family]
    assert second == first
    with session_scope(bench.sessions) as session:
        assert session.scalar(select(func.count()).select_from(SubscriberSession)
                              .where(SubscriberSession.ended_at.is_not(None))) == 0


@pytest.mark.parametrize("family", FAMILY_LIST)
def test_save_writes_the_family_rows(bench: Bench, family: SourceKind) -> None:
    with session_scope(bench.sessions) as session:
        ids = {name: d.id for name, d in devices(session).items()}
        for name in sorted(expected_devices(bench.net, family)):
            ROWS[family](session, bench, name, ids)


# ---------------------------------------------------------------------------- rows per family
def _router_rows(session: Session, bench: Bench, name: str, ids: dict[str, int]) -> None:
    poll: MikrotikPoll = bench.polls[SourceKind.MIKROTIK][name]
    device = session.get(Device, ids[name])
    assert device is not None and device.identity == name and device.version == poll.resource.version
    stats = set(session.scalars(select(InterfaceStat.name).where(InterfaceStat.device_id == ids[name])))
    assert stats == {i.name for i in poll.interfaces if not i.dynamic}
    assert session.scalars(select(IpPool).where(IpPool.device_id == ids[name])).all()
    live = session.execute(select(SubscriberSession.kind, SubscriberSession.username).where(
        SubscriberSession.device_id == ids[name], SubscriberSession.ended_at.is_(None))).all()
    assert sorted(live) == sorted((s.kind, s.username) for s in poll.sessions) and live
    mine = {s["username"] for s in bench.net.subscribers if s["router"] == name}
    assert {u for _, u in live} <= mine


def _onu_rows(session: Session, bench: Bench, name: str, ids: dict[str, int]) -> None:
    onus = session.scalars(select(Onu).where(Onu.olt_id == ids[name])).all()
    inventory = {o["serial"] for o in bench.net.onus if o["olt"] == name}
    assert len(inventory) == SMALL.onus_per_olt
    assert sorted(o.serial or "" for o in onus) == sorted(inventory)
    assert all(o.status in (OnuStatus.ONLINE, OnuStatus.OFFLINE) for o in onus)
    assert all(o.rx_dbm is not None for o in onus if o.status == OnuStatus.ONLINE)
    ports = session.scalars(select(PonPort).where(PonPort.olt_id == ids[name])).all()
    assert sum(p.onus_total for p in ports) == len(onus)


def _radio_rows(session: Session, bench: Bench, name: str, ids: dict[str, int]) -> None:
    poll: RadioPoll = bench.polls[SourceKind.RADIO_SNMP][name]
    macs = set(session.scalars(select(RadioStation.mac).where(RadioStation.device_id == ids[name])))
    assert macs == {s.mac for s in poll.stations}
    device = session.get(Device, ids[name])
    assert device is not None and device.details["clients"] == poll.metrics["clients"]
    if PROFILES[poll.family].stations is not None:  # UniFi and PMP profiles read no station table
        assert macs


def _zabbix_rows(session: Session, bench: Bench, name: str, ids: dict[str, int]) -> None:
    poll: ZabbixSnapshot = bench.polls[SourceKind.ZABBIX][name]
    hosts = session.scalars(select(ZabbixHost).where(ZabbixHost.server_id == ids[name])).all()
    assert len(hosts) == SMALL.zabbix_hosts
    assert {h.host: h.device_id for h in hosts} == {h.host: ids[h.host] for h in hosts}
    problems = session.scalars(select(ZabbixProblem).where(ZabbixProblem.server_id == ids[name])).all()
    assert sorted(p.eventid for p in problems) == sorted(p.eventid for p in poll.problems)
    assert len(problems) >= SMALL.zabbix_problems
    server = session.get(Device, ids[name])
    assert server is not None and server.version == bench.net.zabbix["version"]


def _status_rows(session: Session, bench: Bench, name: str, ids: dict[str, int]) -> None:
    query = select(StatusCheck).where(StatusCheck.device_id == ids[name])
    checks = {c.name: c for c in session.scalars(query)}
    device = session.get(Device, ids[name])
    assert device is not None
    wanted = {f"{name}/icmp"} | {f"{name}/tcp:{p}" for p in (device.api_port, device.ssh_port) if p}
    wanted |= {f"{name}/http"} if device.http_url else set()
    assert set(checks) == wanted
    assert all(c.checked_at is not None for c in checks.values())
    assert all(c.up for n, c in checks.items() if not n.endswith("/icmp")), "live ports answer"


ROWS: dict[SourceKind, Callable[[Session, Bench, str, dict[str, int]], None]] = {
    SourceKind.MIKROTIK: _router_rows, SourceKind.OLT_SSH: _onu_rows, SourceKind.OLT_SNMP: _onu_rows,
    SourceKind.RADIO_SNMP: _radio_rows, SourceKind.ZABBIX: _zabbix_rows, SourceKind.STATUS: _status_rows,
}


def test_every_registered_family_has_its_expectations() -> None:
    assert set(ROWS) == set(RESULTS) == set(FAMILIES)
