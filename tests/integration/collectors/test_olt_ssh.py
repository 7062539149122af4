"""The OLT SSH collector (netmiko in its worker pool) against the simulated SmartAX and C320 CLIs on
loopback, saved into the store: ONU rows, serials, statuses, optics, PON counts, clean failures."""

from __future__ import annotations

import asyncio
import random
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectors.base import CollectError, Target, collector_for
from collectors.enums import DeviceKind, OnuStatus, SourceKind, Vendor
from collectors.models import Device, Onu, OnuOpticsSample, PonPort
from collectors.olt_ssh import OltSshCollector, OltSshResult
from device_fixtures.snmp.olts import Olt, build_huawei_olt, build_zte_olt
from device_fixtures.ssh import OltCliState, OltSshFleet, serve_olt_ssh

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
USER, PASSWORD = "noc", "Ssh-Secret-913"


@pytest.fixture(scope="module")
def fleet() -> Iterator[OltSshFleet]:
    logins = {USER: PASSWORD}
    states = [
        OltCliState(build_huawei_olt("olt-hw", random.Random(21), pons=3, per_pon=5), credentials=logins),
        OltCliState(build_zte_olt("olt-zx", random.Random(22), pons=2, per_pon=4), credentials=logins),
    ]
    states[0].olt.onus[6].set_online(False, cause=13)
    states[1].olt.onus[1].set_online(False, cause=1)
    with serve_olt_ssh(states) as srv:
        yield srv


@pytest.fixture(autouse=True)
def healthy(fleet: OltSshFleet) -> Iterator[None]:
    yield
    for endpoint in fleet:
        endpoint.state.fault.clear()


def device(session: Session, fleet: OltSshFleet, name: str) -> Device:
    vendor = Vendor.HUAWEI if name == "olt-hw" else Vendor.ZTE
    row = Device(name=name, kind=DeviceKind.OLT, vendor=vendor, host=fleet.host, ssh_port=fleet[name].port,
                 username=USER, password_enc=PASSWORD, enabled=True, details={}, consecutive_failures=0,
                 created_at=NOW)
    session.add(row)
    session.flush()
    return row


def target(row: Device) -> Target:
    return Target.of(row, lambda sealed: sealed or "")


def poll(row: Device, timeout_s: float = 5.0) -> OltSshResult:
    return asyncio.run(OltSshCollector(timeout_s=timeout_s).poll(target(row)))


def pon_name(vendor: Vendor, pon: int) -> str:
    return f"0/0/{pon}" if vendor == Vendor.HUAWEI else f"1/1/{pon + 1}"


@pytest.mark.parametrize("name", ["olt-hw", "olt-zx"])
def test_poll_and_save_every_onu_as_the_olt_has_it(session: Session, fleet: OltSshFleet, name: str) -> None:
    row = device(session, fleet, name)
    olt: Olt = fleet[name].state.olt
    result = poll(row)
    written = OltSshCollector().save(session, target(row), result, now=NOW)
    onus = {(o.pon, o.onu_index): o for o in session.scalars(select(Onu).where(Onu.olt_id == row.id))}
    assert written > 0 and len(onus) == len(olt.onus)
    for sim in olt.onus:
        stored = onus[(pon_name(row.vendor, sim.pon), sim.onu_id)]
        assert stored.serial == sim.serial and stored.description == sim.name
        assert stored.status == (OnuStatus.ONLINE if sim.online else OnuStatus.OFFLINE)
        if sim.online:
            assert stored.rx_dbm == pytest.approx(sim.rx_dbm, abs=0.01)
            assert stored.olt_rx_dbm == pytest.approx(sim.olt_rx_dbm, abs=0.01)
            assert stored.distance_m == sim.distance_m and stored.last_seen_at is not None
        else:
            assert stored.rx_dbm is None and stored.last_down_cause in ("dying-gasp", "los")
    samples = session.scalar(select(func.count()).select_from(OnuOpticsSample)
                             .where(OnuOpticsSample.onu_id.in_([o.id for o in onus.values()])))
    assert samples == len(olt.onus)
    ports = {p.name: p for p in session.scalars(select(PonPort).where(PonPort.olt_id == row.id))}
    assert ports[pon_name(row.vendor, 0)].onus_total == sum(1 for o in olt.onus if o.pon == 0)
    assert sum(p.onus_online for p in ports.values()) == sum(1 for o in olt.onus if o.online)


def test_a_second_poll_sees_an_onu_go_down(session: Session, fleet: OltSshFleet) -> None:
    row = device(session, fleet, "olt-hw")
    collector = OltSshCollector(timeout_s=5.0)
    collector.save(session, target(row), poll(row), now=NOW)
    state = fleet["olt-hw"].state
    onu = state.find(2, 4)
    assert onu is not None
    state.set_active(onu, False)
    try:
        collector.save(session, target(row), poll(row), now=NOW)
    finally:
        state.set_active(onu, True)
    stored = session.scalar(select(Onu).where(Onu.olt_id == row.id, Onu.pon == "0/0/2", Onu.onu_index == 4))
    assert stored is not None and stored.status == OnuStatus.OFFLINE
    assert stored.last_down_cause == "deactivated" and stored.rx_dbm is None


def test_registry_and_selection(session: Session, fleet: OltSshFleet) -> None:
    collector = collector_for(SourceKind.OLT_SSH)
    assert isinstance(collector, OltSshCollector) and collector.family == SourceKind.OLT_SSH
    row = device(session, fleet, "olt-zx")
    assert collector.selects(row)
    row.ssh_port = None
    assert not collector.selects(row)
    row.ssh_port, row.vendor = 22, Vendor.VSOL
    assert not collector.selects(row)


def test_wrong_password_is_a_collect_error_without_the_secret(session: Session, fleet: OltSshFleet) -> None:
    row = device(session, fleet, "olt-zx")
    fleet["olt-zx"].state.fault.update(wrong_credentials=True)
    with pytest.raises(CollectError, match="login refused") as caught:
        poll(row, timeout_s=3.0)
    assert PASSWORD not in str(caught.value) and "olt-zx" in str(caught.value)


def test_silent_olt_fails_within_the_timeout(session: Session, fleet: OltSshFleet) -> None:
    row = device(session, fleet, "olt-hw")
    fleet["olt-hw"].state.fault.update(silent=True)
    started = time.monotonic()
    with pytest.raises(CollectError, match="no answer within 1 s"):
        poll(row, timeout_s=1.0)
    assert time.monotonic() - started < 4


def test_dead_port_and_cut_reply_are_collect_errors(session: Session, fleet: OltSshFleet) -> None:
    row = device(session, fleet, "olt-zx")
    fleet["olt-zx"].state.fault.update(cut_reply=True)
    started = time.monotonic()
    with pytest.raises(CollectError, match=r"olt-zx .*closed the session mid-reply"):
        poll(row, timeout_s=10.0)
    assert time.monotonic() - started < 5, "a hang-up is noticed at once, not at the read timeout"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        row.ssh_port = sock.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(CollectError, match="olt-zx"):
        poll(row, timeout_s=2.0)
    assert time.monotonic() - started < 3
