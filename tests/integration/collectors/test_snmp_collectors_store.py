"""SNMP collectors poll real snmpsim agents and save into the store: ONUs through the shared
upsert, radio stations by (device, MAC) with gone ones removed, device details and samples."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectors.base import Target
from collectors.enums import DeviceKind, DeviceStatus, OnuStatus, Vendor
from collectors.models import Device, DeviceSample, Onu, PonPort, RadioStation
from collectors.olt_snmp import OltSnmpCollector
from collectors.radios import RadioCollector
from collectors.snmp import SnmpClient
from device_fixtures.snmp import SnmpFleet, build_device, serve_snmp_fleet
from device_fixtures.snmp.olts import Olt

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def fleet() -> Iterator[SnmpFleet]:
    devices = [build_device("smartax", "olt-hw", seed=2), build_device("airos", "ap-1", seed=2)]
    with serve_snmp_fleet(devices, relay=False) as running:
        yield running


def add_device(session: Session, name: str, kind: DeviceKind, vendor: Vendor, port: int,
               model: str | None = None) -> Target:
    device = Device(name=name, kind=kind, vendor=vendor, model=model, host="127.0.0.1", snmp_port=port,
                    enabled=True, details={}, consecutive_failures=0, created_at=NOW)
    session.add(device)
    session.flush()
    return Target.of(device, lambda secret: name)  # the community is the device's name


def poll(collector: Any, target: Target) -> Any:
    async def run() -> Any:
        try:
            return await collector.poll(target)
        finally:
            collector.close()
    return asyncio.run(run())


def test_olt_poll_lands_in_onus_and_pon_ports(session: Session, fleet: SnmpFleet) -> None:
    olt = fleet.device("olt-hw")
    assert isinstance(olt, Olt)
    olt.onus[0].set_online(False)
    fleet.publish("olt-hw")
    target = add_device(session, "olt-hw", DeviceKind.OLT, Vendor.HUAWEI, fleet.port)
    collector = OltSnmpCollector(SnmpClient())
    assert collector.selects(session.get(Device, target.device_id))  # type: ignore[arg-type]
    written = collector.save(session, target, poll(collector, target), now=NOW)
    assert written > len(olt.onus) * 5
    onus = {o.serial: o for o in session.scalars(select(Onu).where(Onu.olt_id == target.device_id))}
    assert set(onus) == {o.serial for o in olt.onus}
    down = onus[olt.onus[0].serial]
    assert down.status == OnuStatus.OFFLINE and down.rx_dbm is None and down.last_down_cause == "dying-gasp"
    up = onus[olt.onus[1].serial]
    assert up.status == OnuStatus.ONLINE and up.rx_dbm == pytest.approx(olt.onus[1].rx_dbm, abs=0.006)
    ports = session.scalars(select(PonPort).where(PonPort.olt_id == target.device_id)).all()
    assert {p.name for p in ports} == {"0/0/0", "0/0/1", "0/0/2", "0/0/3"}
    assert all(p.tx_dbm == 7.11 and p.onus_total == 8 for p in ports)
    device = session.get(Device, target.device_id)
    assert device is not None and device.details["onus_online"] == len(olt.onus) - 1


def test_radio_save_upserts_removes_and_samples(session: Session, fleet: SnmpFleet) -> None:
    ap: Any = fleet.device("ap-1")
    target = add_device(session, "ap-1", DeviceKind.RADIO, Vendor.UBIQUITI, fleet.port, model="airos")
    collector = RadioCollector(SnmpClient())
    collector.save(session, target, poll(collector, target), now=NOW)
    stored = session.scalars(select(RadioStation).where(RadioStation.device_id == target.device_id)).all()
    assert {s.mac for s in stored} == {s.mac for s in ap.stations}
    gone = ap.stations.pop()
    for sta in ap.stations:
        sta.tx_bytes += 750_000
    fleet.publish("ap-1")
    collector.save(session, target, poll(collector, target), now=NOW + timedelta(seconds=60))
    stored = session.scalars(select(RadioStation).where(RadioStation.device_id == target.device_id)).all()
    assert gone.mac not in {s.mac for s in stored} and len(stored) == len(ap.stations)
    device = session.get(Device, target.device_id)
    assert device is not None and device.status == DeviceStatus.UP
    assert device.details["clients"] == len(ap.stations)
    assert device.details["tx_bps"] == pytest.approx(750_000 * len(ap.stations) * 8 / 60, rel=1e-6)
    samples = session.scalar(select(func.count()).select_from(DeviceSample).where(
        DeviceSample.device_id == target.device_id, DeviceSample.metric == "clients"))
    assert samples == 2


def test_a_reboot_gives_no_negative_rate(session: Session, fleet: SnmpFleet) -> None:
    ap: Any = fleet.device("ap-1")
    target = add_device(session, "ap-1b", DeviceKind.RADIO, Vendor.UBIQUITI, fleet.port, model="airos")
    target = Target(**{**target.__dict__, "community": "ap-1"})
    collector = RadioCollector(SnmpClient())
    for sta in ap.stations:
        sta.tx_bytes = sta.rx_bytes = 10**9
    fleet.publish("ap-1")
    collector.save(session, target, poll(collector, target), now=NOW)
    fleet.reboot("ap-1")
    collector.save(session, target, poll(collector, target), now=NOW + timedelta(seconds=60))
    device = session.get(Device, target.device_id)
    assert device is not None and "tx_bps" not in device.details  # the counters restarted: no rate
    negative = session.scalar(select(func.count()).select_from(DeviceSample)
                              .where(DeviceSample.device_id == target.device_id, DeviceSample.value < 0,
                                     DeviceSample.metric.in_(["tx_bps", "rx_bps"])))
    assert negative == 0
