"""The scheduler runs families' cycles at once, each in an event loop of its own thread: SNMP
collectors built without a client (the shared one) must never close an engine another thread's
loop is still using ("TransportDispatcher not set", timeouts)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from collectors.base import Target
from collectors.enums import DeviceKind, Vendor
from collectors.radios import RadioCollector
from collectors.snmp import shared_client
from device_fixtures.snmp import SnmpFleet, build_device, serve_snmp_fleet

ROUNDS = 4


@pytest.fixture(scope="module")
def fleet() -> Iterator[SnmpFleet]:
    devices = [build_device("airos", f"ap-{n}", seed=5) for n in range(3)]
    with serve_snmp_fleet(devices, relay=False) as running:
        yield running


def target(fleet: SnmpFleet, name: str, device_id: int) -> Target:
    return Target(device_id=device_id, name=name, kind=DeviceKind.RADIO, vendor=Vendor.UBIQUITI,
                  host="127.0.0.1", model="airos", snmp_port=fleet.port, community=fleet.community_of(name))


def cycles(targets: list[Target], errors: list[BaseException], results: list[Any]) -> None:
    """What a scheduler worker thread does: a fresh loop per cycle, a fresh collector per cycle."""
    for _ in range(ROUNDS):
        async def one() -> None:
            collector = RadioCollector()
            for got in await asyncio.gather(*(collector.poll(t) for t in targets), return_exceptions=True):
                if isinstance(got, BaseException):
                    errors.append(got)
                else:
                    results.append(got)
        asyncio.run(one())


def test_two_threads_polling_at_once_both_succeed(fleet: SnmpFleet) -> None:
    targets = [target(fleet, f"ap-{n}", n + 1) for n in range(3)]
    errors: list[BaseException] = []
    results: list[Any] = []
    threads = [threading.Thread(target=cycles, args=(targets, errors, results)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:3]
    assert len(results) == 2 * ROUNDS * len(targets)


def test_each_thread_has_its_own_shared_client() -> None:
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(shared_client()))
    thread.start()
    thread.join()
    assert seen[0] is not shared_client()
    assert shared_client() is shared_client()
