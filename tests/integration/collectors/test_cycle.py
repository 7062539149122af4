"""The cycle runner against real sockets: small collectors (defined here, registered in FAMILIES for
the test) talk to plain TCP servers and to the simulated RouterOS API. Healthy devices are saved,
silent ones time out without delaying the rest, failures keep last_success_at, the concurrency bound
holds, and every cycle writes its CollectionRun."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import librouteros
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from collectors import base
from collectors.base import CollectError, Target
from collectors.cycle import CollectorUnavailable, run_cycle, run_families, unavailable
from collectors.enums import DeviceKind, DeviceStatus, SourceKind, Vendor
from collectors.models import CollectionRun, Device, DeviceSample
from device_fixtures.routeros.server import serve_routeros
from device_fixtures.routeros.subscribers import build_router
from store.db import session_scope
from store.types import utcnow
from tests.integration.collectors.lineservers import LineServers, serve_lines

HERE = "tests.integration.collectors.test_cycle"


def plain(stored: str | None) -> str:
    """The reveal of a store that keeps secrets unsealed."""
    return stored or ""


class LineCollector:
    """Asks a line server for its values; ``OK n`` -> n samples, ``ERR ...`` -> CollectError."""

    family = SourceKind.STATUS

    def selects(self, device: Device) -> bool:
        return (device.details or {}).get("test") == "line"

    async def poll(self, target: Target) -> int:
        reader, writer = await asyncio.open_connection(target.host, target.api_port)
        try:
            writer.write(b"values?\n")
            await writer.drain()
            words = (await reader.readline()).decode().split(maxsplit=1)
        finally:
            writer.close()
            await writer.wait_closed()
        if words[0] == "ERR":
            raise CollectError(words[1].strip())
        return int(words[1])  # "OK many" -> ValueError, an unexpected failure

    def save(self, session: Session, target: Target, result: int, *, now: datetime) -> int:
        session.add_all(DeviceSample(device_id=target.device_id, at=now, metric="m", value=float(k))
                        for k in range(result))
        return result


class IdentityCollector:
    """Reads /system/identity over the RouterOS API with librouteros."""

    family = SourceKind.MIKROTIK

    def selects(self, device: Device) -> bool:
        return device.kind is DeviceKind.ROUTER and device.api_port is not None

    async def poll(self, target: Target) -> str:
        api = await librouteros.async_connect(target.host, target.username or "admin", target.password,
                                              port=target.api_port or 8728, timeout=30)
        try:
            rows = [r async for r in api.path("system", "identity")]
        finally:
            await api.close()
        return str(rows[0]["name"])

    def save(self, session: Session, target: Target, result: str, *, now: datetime) -> int:
        device = session.get(Device, target.device_id)
        assert device is not None
        device.identity = result
        return 1


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(base.FAMILIES, SourceKind.STATUS, f"{HERE}:LineCollector")
    monkeypatch.setitem(base.FAMILIES, SourceKind.MIKROTIK, f"{HERE}:IdentityCollector")


@pytest.fixture
def lines() -> Iterator[LineServers]:
    with serve_lines(8) as servers:
        yield servers


def add_devices(sessions: sessionmaker[Session], ports: list[int], **kw: Any) -> list[int]:
    with session_scope(sessions) as session:
        rows = [Device(name=f"{kw.get('prefix', 'dev')}-{k}", kind=kw.get("kind", DeviceKind.RADIO),
                       vendor=kw.get("vendor", Vendor.UBIQUITI), host="127.0.0.1", api_port=port,
                       username="admin", password_enc=kw.get("password", "admin"),
                       snmp_community_enc=kw.get("community", ""), created_at=utcnow(),
                       details=kw.get("details", {"test": "line"}))
                for k, port in enumerate(ports)]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def devices(sessions: sessionmaker[Session]) -> dict[str, Device]:
    with session_scope(sessions) as session:
        return {d.name: d for d in session.scalars(select(Device))}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_silent_devices_time_out_together_and_the_rest_are_saved(
    registered: None, lines: LineServers, session_factory: sessionmaker[Session],
) -> None:
    eps = lines.endpoints
    for ep in eps[3:7]:
        ep.mode = "stall"
    eps[7].mode = "garbage"
    add_devices(session_factory, [ep.port for ep in eps] + [closed_port()])
    started = time.perf_counter()
    result = asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=plain, timeout_s=0.5))
    took = time.perf_counter() - started
    assert 0.45 < took < 1.2, "four silent devices must cost one timeout, not four"
    assert (result.devices, result.failed, result.values) == (9, 6, 9)
    assert {result.errors[f"dev-{k}"] for k in range(3, 7)} == {"timeout after 0.5 s"}
    assert result.errors["dev-7"].startswith("ValueError: invalid literal")
    assert result.errors["dev-8"].startswith("ConnectionRefusedError")
    got = devices(session_factory)
    assert [got[f"dev-{k}"].status for k in range(9)] == [DeviceStatus.UP] * 3 + [DeviceStatus.DOWN] * 6
    assert got["dev-0"].last_success_at is not None and got["dev-0"].last_error is None
    assert got["dev-4"].last_success_at is None and got["dev-4"].consecutive_failures == 1
    with session_scope(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(DeviceSample)) == 9
        run = session.scalars(select(CollectionRun)).one()
    assert (run.family, run.devices, run.failed, run.values) == (SourceKind.STATUS, 9, 6, 9)
    assert run.finished_at is not None and run.finished_at >= run.started_at


def test_a_failing_device_records_why_and_keeps_its_last_success(
    registered: None, lines: LineServers, session_factory: sessionmaker[Session],
) -> None:
    ep = lines.endpoints[0]
    (dev_id,) = add_devices(session_factory, [ep.port], community="s3cret-community")
    asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=plain))
    first = devices(session_factory)["dev-0"]
    assert first.status is DeviceStatus.UP and first.last_success_at is not None
    ep.mode, ep.secret = "error", "s3cret-community"
    for _ in range(2):
        result = asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=plain))
    down = devices(session_factory)["dev-0"]
    assert result.errors == {"dev-0": "community *** rejected"}
    assert (down.status, down.last_error, down.consecutive_failures) == (
        DeviceStatus.DOWN, "community *** rejected", 2)
    assert down.last_success_at == first.last_success_at
    assert down.last_polled_at and first.last_polled_at and first.last_success_at
    assert down.last_polled_at > first.last_polled_at
    health = down.details["families"]["status"]
    assert health == {"last_success_at": first.last_success_at.isoformat(),
                      "last_error": "community *** rejected"}
    assert down.details["test"] == "line"
    ep.mode = "answer"
    asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=plain, device_ids=[dev_id]))
    back = devices(session_factory)["dev-0"]
    assert (back.status, back.last_error, back.consecutive_failures) == (DeviceStatus.UP, None, 0)


def test_concurrency_bound_is_respected(
    registered: None, lines: LineServers, session_factory: sessionmaker[Session],
) -> None:
    for ep in lines.endpoints[:6]:
        ep.delay_s = 0.2
    add_devices(session_factory, [ep.port for ep in lines.endpoints[:6]])
    started = time.perf_counter()
    result = asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=plain, concurrency=2))
    assert result.failed == 0 and result.devices == 6
    assert lines.peak == 2
    assert time.perf_counter() - started >= 0.6


def test_only_the_given_devices_and_progress_for_each(
    registered: None, lines: LineServers, session_factory: sessionmaker[Session],
) -> None:
    ids = add_devices(session_factory, [ep.port for ep in lines.endpoints[:4]])
    lines.endpoints[1].mode = "error"
    seen: list[tuple[str, bool]] = []
    result = asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=plain, device_ids=ids[:2],
                                   progress=lambda name, ok: seen.append((name, ok))))
    assert result.devices == 2 and sorted(seen) == [("dev-0", True), ("dev-1", False)]
    assert devices(session_factory)["dev-3"].last_polled_at is None


def test_routeros_routers_through_librouteros_with_one_silent(
    registered: None, session_factory: sessionmaker[Session],
) -> None:
    routers = [build_router(f"rtr-{k}", 2, seed=1, index=k) for k in range(3)]
    routers[1].faults.silent = True
    with serve_routeros(routers) as fleet:
        add_devices(session_factory, [e.port for e in fleet], prefix="rtr", kind=DeviceKind.ROUTER,
                    vendor=Vendor.MIKROTIK, details={})
        result = asyncio.run(run_cycle(session_factory, SourceKind.MIKROTIK, reveal=plain, timeout_s=1.0))
    assert (result.devices, result.failed, result.values) == (3, 1, 2)
    assert result.errors == {"rtr-1": "timeout after 1 s"}
    got = devices(session_factory)
    assert (got["rtr-0"].identity, got["rtr-2"].identity) == ("rtr-0", "rtr-2")
    assert got["rtr-1"].status is DeviceStatus.DOWN


def test_families_run_together_and_a_missing_collector_is_reported(
    registered: None, lines: LineServers, session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = build_router("rtr-a", 2, seed=1)
    with serve_routeros([router]) as fleet:
        add_devices(session_factory, [fleet.port], prefix="rtr", kind=DeviceKind.ROUTER,
                    vendor=Vendor.MIKROTIK, details={})
        add_devices(session_factory, [lines.endpoints[0].port])
        results = asyncio.run(run_families(session_factory, [SourceKind.MIKROTIK, SourceKind.STATUS],
                                           reveal=plain, timeout_s={"status": 2.0}))
    assert [(r.family, r.devices, r.failed) for r in results] == [
        (SourceKind.MIKROTIK, 1, 0), (SourceKind.STATUS, 1, 0)]
    with session_scope(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(CollectionRun)) == 2
    monkeypatch.setitem(base.FAMILIES, SourceKind.ZABBIX, "collectors.no_such_module:Nothing")
    assert unavailable(SourceKind.ZABBIX) == "not available (collectors.no_such_module: ModuleNotFoundError)"
    assert unavailable(SourceKind.STATUS) is None
    with pytest.raises(CollectorUnavailable):
        asyncio.run(run_cycle(session_factory, SourceKind.ZABBIX, reveal=plain))
