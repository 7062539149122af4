"""Every real collector family through the cycle runner under the fixtures' fault knobs
(device_fixtures/faults.py): dead devices cost one timeout together and keep their last success,
slow ones still succeed, lying ones fail with a clean reason free of secrets, rebooted ones give no
negative rate or usage, and the cycle after a fault is cleared brings the device back up.

Where each fixture keeps its knobs: RouterOS ``RouterState.faults``; the SSH OLTs'
``OltCliState.fault`` (the OLT's own, shared with its SNMP face); the SNMP fleet's per-device
``Device.faults`` (seen once ``publish``ed); each Zabbix server's ``faults``.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from billing.enums import ServiceType
from collectors.base import CycleResult
from collectors.cycle import run_cycle
from collectors.enums import DeviceKind, DeviceStatus, SourceKind, Vendor
from collectors.inventory import RADIO_VENDORS
from collectors.models import Device, DeviceSample, InterfaceStat, UsageDaily
from device_fixtures.faults import Faults
from device_fixtures.routeros import RouterOSFleet, build_router, serve_routeros
from device_fixtures.snmp import SnmpFleet, build_device, serve_snmp_fleet
from device_fixtures.snmp.olts import build_huawei_olt, build_zte_olt
from device_fixtures.ssh import OltCliState, OltSshFleet, serve_olt_ssh
from device_fixtures.zabbix import ZabbixServer, make_zabbix_state, serve_zabbix
from store.db import session_scope
from store.types import utcnow
from tests import factories as f

USER = "noc"
PASSWORD = "Dev-Secret-4711"
COMMUNITY = "Snmp-Secret-4711"
RADIOS = ("airos", "epmp", "airos-af-ltu", "pmp")
HOSTS = [("rtr-0", "10.1.0.1"), ("olt-0", "10.1.0.2"), ("ap-airos", "10.1.0.3")]


def plain(secret: str | None) -> str:
    return secret or ""


@dataclass
class Lab:
    """The simulated devices of every faulty family, served for the whole module."""

    routers: RouterOSFleet
    olts: OltSshFleet
    snmp: SnmpFleet
    zabbix: list[ZabbixServer]


@pytest.fixture(scope="module")
def lab() -> Iterator[Lab]:
    routers = [build_router(f"rtr-{k}", 6, seed=3, index=k) for k in range(4)]
    for state in routers:
        state.credentials = {USER: PASSWORD}
    build = (build_huawei_olt, build_zte_olt)
    olts = [build[k % 2](f"olt-{k}", random.Random(k), pons=1, per_pon=2) for k in range(4)]
    radios = [build_device(family, f"ap-{family}", seed=4) for family in RADIOS]
    zabbix = [make_zabbix_state(HOSTS, seed=k, problems=2) for k in range(2)]
    for server in zabbix:
        server.users["Admin"].password = PASSWORD
    with serve_routeros(routers) as rfleet, serve_olt_ssh(
            [OltCliState(o, credentials={USER: PASSWORD}) for o in olts]) as ofleet, \
            serve_snmp_fleet([*radios, *olts]) as sfleet, serve_zabbix(zabbix[0]) as z0, \
            serve_zabbix(zabbix[1]) as z1:
        yield Lab(rfleet, ofleet, sfleet, [z0, z1])


def _device(name: str, kind: DeviceKind, vendor: Vendor, **access: Any) -> Device:
    values: dict[str, Any] = {"username": USER, "password_enc": PASSWORD, "snmp_community_enc": COMMUNITY}
    return Device(name=name, kind=kind, vendor=vendor, host="127.0.0.1", enabled=True, details={},
                  consecutive_failures=0, created_at=utcnow(), **(values | access))


def inventory(lab: Lab, family: SourceKind) -> list[Device]:
    """The family's devices as store rows (the healthy reference device first)."""
    if family is SourceKind.MIKROTIK:
        return [_device(e.name, DeviceKind.ROUTER, Vendor.MIKROTIK, api_port=e.port) for e in lab.routers]
    vendor = {"huawei": Vendor.HUAWEI, "zte": Vendor.ZTE}
    if family is SourceKind.OLT_SSH:
        return [_device(e.name, DeviceKind.OLT, vendor[e.state.vendor], ssh_port=e.port) for e in lab.olts]
    if family is SourceKind.OLT_SNMP:
        return [_device(e.name, DeviceKind.OLT, vendor[e.state.vendor], snmp_port=lab.snmp.port,
                        snmp_community_enc=e.name) for e in lab.olts]
    if family is SourceKind.RADIO_SNMP:
        return [_device(f"ap-{r}", DeviceKind.RADIO, RADIO_VENDORS[r], model=r, snmp_port=lab.snmp.port,
                        snmp_community_enc=f"ap-{r}") for r in RADIOS]
    return [_device(f"zbx-{k}", DeviceKind.ZABBIX, Vendor.ZABBIX, http_url=z.url, username="Admin")
            for k, z in enumerate(lab.zabbix)]


def faults_of(lab: Lab, family: SourceKind, name: str) -> Faults:
    if family is SourceKind.MIKROTIK:
        return lab.routers[name].state.faults
    if family is SourceKind.OLT_SSH:
        return lab.olts[name].state.fault
    if family is SourceKind.ZABBIX:
        return lab.zabbix[int(name.rsplit("-", 1)[1])].faults
    return lab.snmp.device(name).faults


def publish(lab: Lab) -> None:
    """Make the SNMP faces' knobs visible (snmpsim serves files; the other servers read them live)."""
    lab.snmp.publish()


@dataclass
class Bench:
    """One family's devices in a fresh store, with their knobs, and a cycle over them."""

    lab: Lab
    family: SourceKind
    sessions: sessionmaker[Session]
    ids: dict[str, int]

    def faults(self, name: str) -> Faults:
        return faults_of(self.lab, self.family, name)

    def cycle(self, timeout_s: float, *names: str) -> CycleResult:
        ids = [self.ids[n] for n in names] if names else list(self.ids.values())
        return asyncio.run(run_cycle(self.sessions, self.family, reveal=plain, timeout_s=timeout_s,
                                     device_ids=ids))

    def devices(self) -> dict[str, Device]:
        with session_scope(self.sessions) as session:
            return {d.name: d for d in session.scalars(select(Device))}

    def clear(self) -> None:
        for name in self.ids:
            self.faults(name).clear()
        publish(self.lab)


@pytest.fixture
def bench_for(lab: Lab, session_factory: sessionmaker[Session]) -> Iterator[Callable[[SourceKind], Bench]]:
    made: list[Bench] = []

    def make(family: SourceKind) -> Bench:
        rows = inventory(lab, family)
        with session_scope(session_factory) as session:
            session.add_all(rows)
            session.flush()
            ids = {d.name: d.id for d in rows}
        made.append(Bench(lab, family, session_factory, ids))
        return made[-1]

    yield make
    for bench in made:
        bench.clear()


FAMILIES = [SourceKind.MIKROTIK, SourceKind.OLT_SSH, SourceKind.OLT_SNMP, SourceKind.RADIO_SNMP,
            SourceKind.ZABBIX]
TIMEOUT = {SourceKind.MIKROTIK: 1.0, SourceKind.OLT_SSH: 2.5, SourceKind.OLT_SNMP: 1.5,
           SourceKind.RADIO_SNMP: 1.5, SourceKind.ZABBIX: 1.5}
"""Per-device timeouts: short, yet above a healthy poll of the family on a loaded machine."""


def assert_up(device: Device) -> None:
    assert (device.status, device.last_error, device.consecutive_failures) == (DeviceStatus.UP, None, 0)


# ---------------------------------------------------------------------------- dead devices
@pytest.mark.parametrize("family", FAMILIES)
def test_dead_devices_cost_one_timeout_together_and_recover(
    bench_for: Callable[[SourceKind], Bench], family: SourceKind,
) -> None:
    bench, timeout = bench_for(family), TIMEOUT[family]
    first = bench.cycle(timeout)
    assert first.failed == 0, first.errors
    good = bench.devices()
    healthy, *dead = bench.ids
    for name in dead:
        bench.faults(name).update(silent=True)
    publish(bench.lab)
    started = time.perf_counter()
    result = bench.cycle(timeout)
    took = time.perf_counter() - started
    assert result.errors == {name: f"timeout after {timeout:g} s" for name in dead}
    assert took < timeout * 1.8, f"{len(dead)} dead devices took {took:.1f} s, not about one timeout"
    now = bench.devices()
    assert_up(now[healthy])
    for name in dead:
        d = now[name]
        assert (d.status, d.last_error, d.consecutive_failures) == (
            DeviceStatus.DOWN, f"timeout after {timeout:g} s", 1)
        assert d.last_success_at is not None and d.last_success_at == good[name].last_success_at
        assert d.last_polled_at is not None and d.last_success_at < d.last_polled_at
    bench.clear()
    back = bench.cycle(timeout)
    assert back.failed == 0, back.errors
    for d in bench.devices().values():
        assert_up(d)


@pytest.mark.parametrize("family", FAMILIES)
def test_a_slow_device_below_the_timeout_still_succeeds(
    bench_for: Callable[[SourceKind], Bench], family: SourceKind,
) -> None:
    bench = bench_for(family)
    name = next(iter(bench.ids))
    latency = 0.2 if family is SourceKind.ZABBIX else 0.05
    bench.faults(name).update(latency_s=latency)
    publish(bench.lab)
    result = bench.cycle(6.0, name)
    assert (result.devices, result.failed) == (1, 0), result.errors
    # at least one held reply: a small OLT's tables now come in one multi-column GETBULK
    assert result.duration_s >= latency, "the latency knob held the replies"
    assert_up(bench.devices()[name])


# ---------------------------------------------------------------------------- lying devices
LIES: list[Any] = [(SourceKind.MIKROTIK, "trap"), (SourceKind.MIKROTIK, "cut_reply"),
        (SourceKind.MIKROTIK, "wrong_credentials"),
        (SourceKind.OLT_SSH, "cut_reply"),
        (SourceKind.OLT_SSH, "wrong_credentials"), (SourceKind.OLT_SNMP, "trap"),
        (SourceKind.RADIO_SNMP, "trap"), (SourceKind.ZABBIX, "trap"), (SourceKind.ZABBIX, "cut_reply"),
        (SourceKind.ZABBIX, "wrong_credentials")]
"""Every knob with a meaning on the family's protocol (SNMP has no login and no half reply)."""


@pytest.mark.parametrize(("family", "knob"), LIES)
def test_a_lying_device_fails_cleanly_without_secrets_and_recovers(
    bench_for: Callable[[SourceKind], Bench], family: SourceKind, knob: str,
) -> None:
    bench = bench_for(family)
    name = next(iter(bench.ids))
    bench.faults(name).update(**{knob: True})
    publish(bench.lab)
    result = bench.cycle(4.0, name)
    reason = result.errors[name]
    device = bench.devices()[name]
    assert (device.status, device.last_error, device.consecutive_failures) == (DeviceStatus.DOWN, reason, 1)
    assert reason and "\n" not in reason and len(reason) <= 200 and "Traceback" not in reason
    assert not reason.startswith("timeout"), "a lie is answered, not waited out"
    for secret in (PASSWORD, COMMUNITY):
        assert secret not in reason and secret not in str(device.details)
    bench.clear()
    assert bench.cycle(4.0, name).failed == 0
    assert_up(bench.devices()[name])


# ---------------------------------------------------------------------------- reboots
def _customers(bench: Bench) -> None:
    """A customer per subscriber of the first router, so its sessions' usage is counted."""
    state = bench.lab.routers[next(iter(bench.ids))].state
    with session_scope(bench.sessions) as session:
        op, pkg = f.operator(session), f.package(session)
        for sub in state.subscribers.values():
            f.customer(session, op, pkg, username=sub.name, connection_type=ServiceType(sub.kind.value))


def _usage(bench: Bench) -> dict[tuple[int, Any], tuple[int, int]]:
    with session_scope(bench.sessions) as session:
        rows = session.scalars(select(UsageDaily))
        return {(u.customer_id, u.day): (u.bytes_in, u.bytes_out) for u in rows}


def _rates(bench: Bench) -> list[float]:
    with session_scope(bench.sessions) as session:
        stats = [v for pair in session.execute(select(InterfaceStat.rx_bps, InterfaceStat.tx_bps))
                 for v in pair if v is not None]
        samples = session.scalars(select(DeviceSample.value).where(
            DeviceSample.metric.like("%x_bps%"))).all()
        return [*stats, *samples]


def _move(bench: Bench, seconds: float) -> None:
    """Let traffic flow on the first device of the family."""
    name = next(iter(bench.ids))
    if bench.family is SourceKind.MIKROTIK:
        bench.lab.routers[name].state.advance(seconds)
    else:
        ap: Any = bench.lab.snmp.device(name)
        ap.advance(seconds, random.Random(1))
        publish(bench.lab)


def _reboot(bench: Bench) -> None:
    name = next(iter(bench.ids))
    bench.faults(name).reboot()
    if bench.family is SourceKind.RADIO_SNMP:
        bench.lab.snmp.reboot(name)


@pytest.mark.parametrize("family", [SourceKind.MIKROTIK, SourceKind.RADIO_SNMP])
def test_a_reboot_gives_no_negative_rate_and_usage_never_decreases(
    bench_for: Callable[[SourceKind], Bench], family: SourceKind,
) -> None:
    bench = bench_for(family)
    name = next(iter(bench.ids))
    if family is SourceKind.MIKROTIK:
        _customers(bench)
    seen: list[dict[tuple[int, Any], tuple[int, int]]] = []
    for step in ("baseline", "traffic", "reboot", "after"):
        if step == "reboot":
            _reboot(bench)
        _move(bench, 120)
        result = bench.cycle(4.0, name)
        assert result.failed == 0, (step, result.errors)
        assert all(rate >= 0 for rate in _rates(bench)), step
        seen.append(_usage(bench))
    for before, after in itertools.pairwise(seen):
        assert all(after[k][0] >= v[0] and after[k][1] >= v[1] for k, v in before.items())
    if family is SourceKind.MIKROTIK:
        assert seen[1] and seen[1] != seen[0], "usage was counted, so the check above means something"
    else:
        assert _rates(bench), "rates were derived, so the check above means something"


def test_the_knobs_are_reset_between_tests(lab: Lab) -> None:
    """Each test clears what it set: no fault leaks into the next one."""
    knobs: list[Faults] = [e.state.faults for e in lab.routers] + [e.state.fault for e in lab.olts]
    knobs += [z.faults for z in lab.zabbix] + [d.faults for d in lab.snmp.devices.values()]
    assert all(k == Faults(boots=k.boots) for k in knobs)


