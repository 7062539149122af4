"""One snmpsim process serving a fleet: communities, moving values, ONUs down, faults, reboots."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from device_fixtures.snmp import SnmpFleet, build_device, serve_snmp_fleet
from device_fixtures.snmp.olts import HuaweiOlt, ZteOlt, huawei_pon_index, zte_pon_index
from device_fixtures.snmp.olts_extra import UfiberOlt
from device_fixtures.snmp.records import string_index

with warnings.catch_warnings():  # pysmi, imported by pysnmp, warns about its own deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        get_cmd,
    )

# pysnmp 7.1 calls pysmi 2.0 names that pysmi deprecated (at import and on first MIB lookup).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:\w+ is deprecated. Please use \w+ instead:DeprecationWarning"
)

SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"
IF_HC_IN_OCTETS_1 = "1.3.6.1.2.1.31.1.1.1.6.1"
HW = "1.3.6.1.4.1.2011.6.128.1.1.2"
ZTE = "1.3.6.1.4.1.3902.1012.3"
UFIBER_ONU = "1.3.6.1.4.1.41112.1.5.6.2.1"

T = TypeVar("T")

NAMES = {
    "airos": "ap-north",
    "routeros": "core-rtr",
    "smartax": "olt-hw",
    "zxa10": "olt-zte",
    "edgeosolt": "olt-uf",
    "vsolution": "olt-vsol",
}


class Client:
    """A pysnmp v2c client with one engine on one event loop, reused by the module's tests."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.engine = SnmpEngine()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    async def aget(
        self, port: int, community: str, *oids: str, wait: float = 1.0
    ) -> tuple[Any, Any, list[Any]]:
        target = await UdpTransportTarget.create(("127.0.0.1", port), timeout=wait, retries=0)
        err_ind, err_status, _, binds = await get_cmd(
            self.engine,
            CommunityData(community, mpModel=1),
            target,
            ContextData(),
            *[ObjectType(ObjectIdentity(oid)) for oid in oids],
        )
        return err_ind, err_status, [value for _, value in binds]

    def raw_get(self, port: int, community: str, *oids: str, wait: float = 1.0) -> tuple[Any, Any, list[Any]]:
        return self.run(self.aget(port, community, *oids, wait=wait))

    def close(self) -> None:
        self.engine.close_dispatcher()
        self.loop.run_until_complete(asyncio.sleep(0.01))  # let the transport finish closing
        self.loop.close()


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    snmp = Client()
    yield snmp
    snmp.close()


def get(snmp: Client, fleet: SnmpFleet, name: str, *oids: str) -> list[Any]:
    """GET from one device of the fleet; fails the test on any SNMP error."""
    err_ind, err_status, values = snmp.raw_get(fleet.port, fleet.community_of(name), *oids)
    assert not err_ind and not err_status, (err_ind, err_status)
    return values


def get_int(snmp: Client, fleet: SnmpFleet, name: str, oid: str) -> int:
    return int(get(snmp, fleet, name, oid)[0])


@pytest.fixture(scope="module")
def fleet() -> Iterator[SnmpFleet]:
    devices = [build_device(family, name, seed=7) for family, name in NAMES.items()]
    with serve_snmp_fleet(devices) as running:
        yield running


def test_one_process_serves_every_device_by_community(fleet: SnmpFleet, client: Client) -> None:
    assert len(fleet.endpoints) == 1
    for name in NAMES.values():
        sys_name, object_id = get(client, fleet, name, SYS_NAME, SYS_OBJECT_ID)
        assert str(sys_name) == name
        assert str(object_id) == fleet.device(name).system.object_id
    assert str(get(client, fleet, "olt-hw", SYS_OBJECT_ID)[0]) == "1.3.6.1.4.1.2011.2.123"


def test_tick_moves_counters_uptime_and_optics(fleet: SnmpFleet, client: Client) -> None:
    before_octets = get_int(client, fleet, "core-rtr", IF_HC_IN_OCTETS_1)
    before_uptime = get_int(client, fleet, "core-rtr", SYS_UPTIME)
    zte: ZteOlt = fleet.device("olt-zte")  # type: ignore[assignment]
    rx_oids = [f"{ZTE}.50.12.1.1.10.{zte_pon_index(o.pon)}.{o.onu_id}.1" for o in zte.onus if o.online]
    before_rx = [int(v) for v in get(client, fleet, "olt-zte", *rx_oids)]

    fleet.tick(60.0)

    assert get_int(client, fleet, "core-rtr", IF_HC_IN_OCTETS_1) > before_octets
    assert get_int(client, fleet, "core-rtr", SYS_UPTIME) - before_uptime == 6000
    after_rx = [int(v) for v in get(client, fleet, "olt-zte", *rx_oids)]
    assert after_rx != before_rx
    assert all(0 < raw < 65535 for raw in after_rx)


def test_two_ticks_within_one_second_are_both_seen(fleet: SnmpFleet, client: Client) -> None:
    start = get_int(client, fleet, "ap-north", SYS_UPTIME)
    fleet.tick(1.0)
    fleet.tick(1.0)
    assert get_int(client, fleet, "ap-north", SYS_UPTIME) - start == 200


def test_onu_going_offline_shows_in_each_olt_family_encoding(fleet: SnmpFleet, client: Client) -> None:
    huawei: HuaweiOlt = fleet.device("olt-hw")  # type: ignore[assignment]
    zte: ZteOlt = fleet.device("olt-zte")  # type: ignore[assignment]
    ufiber: UfiberOlt = fleet.device("olt-uf")  # type: ignore[assignment]
    hw_onu, zte_onu, uf_onu = huawei.onus[0], zte.onus[0], ufiber.onus[0]
    hw_ix = f"{huawei_pon_index(hw_onu.pon)}.{hw_onu.onu_id}"
    assert [int(v) for v in get(client, fleet, "olt-hw", f"{HW}.46.1.15.{hw_ix}")] == [1]

    for onu in (hw_onu, zte_onu, uf_onu):
        onu.set_online(False)
    fleet.publish("olt-hw", "olt-zte", "olt-uf")

    status, rx, cause = get(
        client, fleet, "olt-hw", f"{HW}.46.1.15.{hw_ix}", f"{HW}.51.1.4.{hw_ix}", f"{HW}.46.1.24.{hw_ix}"
    )
    assert (int(status), int(rx), int(cause)) == (2, 2147483647, 13)
    zte_ix = f"{zte_pon_index(zte_onu.pon)}.{zte_onu.onu_id}"
    phase, zte_rx = get(
        client, fleet, "olt-zte", f"{ZTE}.28.2.1.4.{zte_ix}", f"{ZTE}.50.12.1.1.10.{zte_ix}.1"
    )
    assert (int(phase), int(zte_rx)) == (5, 65535)
    assert get_int(client, fleet, "olt-uf", f"{UFIBER_ONU}.3.{string_index(uf_onu.serial)}") == 2

    hw_onu.set_online(True)
    fleet.publish("olt-hw")
    assert get_int(client, fleet, "olt-hw", f"{HW}.46.1.15.{hw_ix}") == 1


def test_silent_device_times_out_while_the_others_answer(fleet: SnmpFleet, client: Client) -> None:
    fleet.device("olt-vsol").faults.silent = True
    fleet.publish("olt-vsol")
    try:
        err_ind, _, _ = client.raw_get(fleet.port, "olt-vsol", SYS_NAME, wait=0.5)
        assert "timeout" in str(err_ind).lower()
        assert str(get(client, fleet, "ap-north", SYS_NAME)[0]) == "ap-north"
    finally:
        fleet.device("olt-vsol").faults.silent = False
        fleet.publish("olt-vsol")
    assert str(get(client, fleet, "olt-vsol", SYS_NAME)[0]) == "olt-vsol"


def test_reboot_resets_counters_and_uptime(fleet: SnmpFleet, client: Client) -> None:
    fleet.tick(30.0)
    assert get_int(client, fleet, "core-rtr", IF_HC_IN_OCTETS_1) > 0

    fleet.reboot("core-rtr")

    assert get_int(client, fleet, "core-rtr", IF_HC_IN_OCTETS_1) == 0
    assert get_int(client, fleet, "core-rtr", SYS_UPTIME) == 0
    fleet.tick(10.0)
    assert get_int(client, fleet, "core-rtr", SYS_UPTIME) == 1000
    assert get_int(client, fleet, "core-rtr", IF_HC_IN_OCTETS_1) > 0


def test_latency_delays_only_that_device(fleet: SnmpFleet, client: Client) -> None:
    fleet.device("olt-uf").faults.latency_s = 1.0

    async def both() -> tuple[float, float]:
        async def timed(community: str) -> float:
            start = time.monotonic()
            err_ind, _, _ = await client.aget(fleet.port, community, SYS_NAME, wait=3.0)
            assert not err_ind
            return time.monotonic() - start

        slow, fast = await asyncio.gather(timed("olt-uf"), timed("ap-north"))
        return slow, fast

    try:
        slow, fast = client.run(both())
    finally:
        fleet.device("olt-uf").faults.latency_s = 0.0
    assert slow >= 0.95
    assert fast < 0.6


def test_trap_fault_answers_gen_err(fleet: SnmpFleet, client: Client) -> None:
    fleet.device("ap-north").faults.trap = True
    fleet.publish("ap-north")
    try:
        err_ind, err_status, _ = client.raw_get(fleet.port, "ap-north", SYS_NAME)
    finally:
        fleet.device("ap-north").faults.trap = False
        fleet.publish("ap-north")
    assert not err_ind
    assert str(err_status) == "genErr"


def test_several_processes_serve_the_same_fleet(client: Client) -> None:
    devices = [build_device("routeros", "r1"), build_device("epmp", "ap1")]
    with serve_snmp_fleet(devices, processes=2, relay=False) as fleet:
        assert len(set(fleet.ports)) == 2
        for port in fleet.ports:
            err_ind, err_status, values = client.raw_get(port, "ap1", SYS_NAME)
            assert not err_ind and not err_status
            assert str(values[0]) == "ap1"
        fleet.tick(5.0)
        uptimes = [int(client.raw_get(p, "r1", SYS_UPTIME)[2][0]) for p in fleet.ports]
        assert uptimes[0] == uptimes[1]
    assert all(e.process.poll() is not None for e in fleet.endpoints) or not fleet.endpoints
