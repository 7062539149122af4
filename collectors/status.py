"""The status family: is a device answering? ICMP echo, TCP connect and HTTP checks.

Every enabled device with a host gets checks derived from its access: ICMP to its host, TCP on
its API and SSH ports, HTTP on its ``http_url`` (status below 500 is up), named
``<device>/icmp``, ``<device>/tcp:<port>``, ``<device>/http`` and upserted by name. The explicit
``StatusCheck`` rows bound to a device run in the same poll: ``save`` mirrors them into the
device's ``details["status_checks"]``, which the next cycle's Target carries (so a check bound
to a device starts running from the cycle after it was added). Rows bound to no device run
through ``run_unbound_checks``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import Target
from collectors.enums import CheckKind, SourceKind
from collectors.icmp import IcmpError, icmp_access, ping
from collectors.models import Device, StatusCheck
from store.db import session_scope

DETAILS_KEY = "status_checks"
CONCURRENCY = 64
ERROR_LIMIT = 200


class CheckFailed(Exception):
    """A check ran and the target is down; the message is the reason."""


@dataclass(frozen=True)
class CheckSpec:
    """One check to run: ``target`` is a host (ICMP, TCP) or a URL (HTTP); ``check_id`` if explicit."""

    name: str
    kind: CheckKind
    target: str
    port: int | None = None
    check_id: int | None = None


@dataclass(frozen=True)
class CheckOutcome:
    """What one check found."""

    spec: CheckSpec
    up: bool
    latency_ms: float | None
    error: str | None


@dataclass(frozen=True)
class StatusResult:
    """One device's checks: the derived ones (by name) and the explicit ones (by id)."""

    outcomes: tuple[CheckOutcome, ...]

    @property
    def device_problem(self) -> str | None:
        """Every check failed: the device is down (its check rows are written all the same)."""
        if not self.outcomes or any(o.up for o in self.outcomes):
            return None
        first = self.outcomes[0]
        return f"all {len(self.outcomes)} checks failed ({first.spec.name}: {first.error or 'down'})"


# ---------------------------------------------------------------------------- pure parts
def address_of(host: str) -> str:
    """The host part of a device's ``host`` (some inventories hold a URL there)."""
    return (urlsplit(host).hostname or host) if "://" in host else host


def derive_checks(target: Target) -> tuple[CheckSpec, ...]:
    """ICMP to the host, TCP on each management port, HTTP on the device's URL."""
    host = address_of(target.host)
    specs = [CheckSpec(f"{target.name}/icmp", CheckKind.ICMP, host)]
    for port in dict.fromkeys(p for p in (target.api_port, target.ssh_port) if p):
        specs.append(CheckSpec(f"{target.name}/tcp:{port}", CheckKind.TCP, host, port))
    if target.http_url:
        specs.append(CheckSpec(f"{target.name}/http", CheckKind.HTTP, target.http_url))
    return tuple(specs)


def bound_checks(details: Mapping[str, Any]) -> tuple[CheckSpec, ...]:
    """The explicit checks a device's details mirror (what the previous save found bound to it)."""
    mirror = details.get(DETAILS_KEY) or {}
    return tuple(
        CheckSpec(str(c["name"]), CheckKind(c["kind"]), str(c["target"]), c.get("port"), int(c["id"]))
        for c in mirror.get("bound", [])
    )


def http_up(status_code: int) -> bool:
    """An HTTP answer below 500 means the service is up (401, 404, 412 included)."""
    return status_code < 500


def describe(exc: BaseException, timeout_s: float) -> str:
    """A short reason for a failed check."""
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return f"timeout after {timeout_s:g} s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    if not isinstance(exc, CheckFailed | IcmpError):
        text = f"{type(exc).__name__}: {text}"
    return text[:ERROR_LIMIT]


# ---------------------------------------------------------------------------- probes
async def _tcp(host: str, port: int | None) -> None:
    if port is None:
        raise CheckFailed("no port to connect to")
    _, writer = await asyncio.open_connection(host, port)
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass


async def _icmp(host: str, timeout_s: float) -> float:
    access = icmp_access()
    if access.mode is None:
        raise CheckFailed(access.reason)
    return await ping(host, access.mode, timeout_s=timeout_s)


async def _http(client: httpx.AsyncClient, url: str) -> None:
    response = await client.get(url)
    if not http_up(response.status_code):
        raise CheckFailed(f"HTTP {response.status_code}")


async def run_check(spec: CheckSpec, client: httpx.AsyncClient, *, timeout_s: float) -> CheckOutcome:
    """Run one check within ``timeout_s``; any failure is a down outcome with its reason."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            if spec.kind is CheckKind.ICMP:
                latency = await _icmp(spec.target, timeout_s)
                return CheckOutcome(spec, True, round(latency, 3), None)
            if spec.kind is CheckKind.TCP:
                await _tcp(spec.target, spec.port)
            else:
                await _http(client, spec.target)
    except (TimeoutError, OSError, httpx.HTTPError, CheckFailed, IcmpError) as exc:
        return CheckOutcome(spec, False, None, describe(exc, timeout_s))
    return CheckOutcome(spec, True, round((time.perf_counter() - started) * 1000.0, 3), None)


async def run_checks(specs: Sequence[CheckSpec], *, timeout_s: float) -> tuple[CheckOutcome, ...]:
    """Run checks concurrently (at most CONCURRENCY at once), in the order given."""
    semaphore = asyncio.Semaphore(CONCURRENCY)
    # Liveness only, no credentials sent: devices' self-signed certificates must not read as down.
    async with httpx.AsyncClient(timeout=timeout_s, verify=False, follow_redirects=False) as client:

        async def one(spec: CheckSpec) -> CheckOutcome:
            async with semaphore:
                return await run_check(spec, client, timeout_s=timeout_s)

        return tuple(await asyncio.gather(*(one(s) for s in specs)))


# ---------------------------------------------------------------------------- the store
def _apply(row: StatusCheck, outcome: CheckOutcome, now: datetime) -> None:
    row.up, row.latency_ms, row.last_error = outcome.up, outcome.latency_ms, outcome.error
    row.checked_at = now


def save_outcomes(
    session: Session, outcomes: Iterable[CheckOutcome], *, device_id: int | None, now: datetime
) -> int:
    """Upsert derived checks by name and update explicit ones by id (never recreating a deleted one)."""
    outcomes = list(outcomes)
    names = [o.spec.name for o in outcomes if o.spec.check_id is None]
    ids = [o.spec.check_id for o in outcomes if o.spec.check_id is not None]
    by_name = {c.name: c for c in session.scalars(select(StatusCheck).where(StatusCheck.name.in_(names)))}
    by_id = {c.id: c for c in session.scalars(select(StatusCheck).where(StatusCheck.id.in_(ids)))}
    saved = 0
    for outcome in outcomes:
        spec = outcome.spec
        row = by_id.get(spec.check_id) if spec.check_id is not None else by_name.get(spec.name)
        if row is None and spec.check_id is not None:
            continue
        if row is None:
            row = StatusCheck(name=spec.name)
            session.add(row)
        if spec.check_id is None:
            row.kind, row.target, row.port, row.device_id = spec.kind, spec.target, spec.port, device_id
        _apply(row, outcome, now)
        saved += 1
    return saved


def _spec_of(row: StatusCheck) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "kind": row.kind.value, "target": row.target, "port": row.port}


def refresh_mirror(session: Session, target: Target, derived: Sequence[str]) -> None:
    """Drop derived checks the device no longer has; mirror its explicit checks into its details."""
    before = (target.details.get(DETAILS_KEY) or {}).get("derived", [])
    gone = set(before) - set(derived)
    if gone:
        session.execute(delete(StatusCheck).where(
            StatusCheck.device_id == target.device_id, StatusCheck.name.in_(sorted(gone))))
    query = select(StatusCheck).where(StatusCheck.device_id == target.device_id).order_by(StatusCheck.id)
    bound = [_spec_of(c) for c in session.scalars(query) if c.name not in set(derived)]
    device = session.get(Device, target.device_id)
    if device is not None:
        device.details = {**(device.details or {}), DETAILS_KEY: {"derived": list(derived), "bound": bound}}


class StatusCollector:
    """Checks that a device answers: ICMP to its host, TCP on its ports, HTTP on its URL."""

    family = SourceKind.STATUS

    def __init__(self, *, timeout_s: float = 3.0) -> None:
        self.timeout_s = timeout_s

    def selects(self, device: Device) -> bool:
        """Every enabled device that has a host."""
        return bool(device.enabled) and bool(device.host)

    async def poll(self, target: Target) -> StatusResult:
        """Run the device's derived and explicit checks at once."""
        specs = (*derive_checks(target), *bound_checks(target.details))
        return StatusResult(await run_checks(specs, timeout_s=self.timeout_s))

    def save(self, session: Session, target: Target, result: StatusResult, *, now: datetime) -> int:
        """Write every outcome and refresh the device's mirror of its explicit checks."""
        saved = save_outcomes(session, result.outcomes, device_id=target.device_id, now=now)
        session.flush()
        refresh_mirror(session, target, [o.spec.name for o in result.outcomes if o.spec.check_id is None])
        session.flush()
        return saved


# ---------------------------------------------------------------------------- unbound checks
def _load_unbound(sessions: sessionmaker[Session]) -> list[CheckSpec]:
    with session_scope(sessions) as session:
        query = select(StatusCheck).where(StatusCheck.device_id.is_(None)).order_by(StatusCheck.id)
        rows = session.scalars(query)
        return [CheckSpec(r.name, r.kind, r.target, r.port, r.id) for r in rows]


def _save_unbound(sessions: sessionmaker[Session], outcomes: Sequence[CheckOutcome], now: datetime) -> int:
    with session_scope(sessions) as session:
        return save_outcomes(session, outcomes, device_id=None, now=now)


async def run_unbound_checks(
    session_factory: sessionmaker[Session], *, now_fn: Callable[[], datetime], timeout_s: float = 3.0
) -> int:
    """Run every StatusCheck bound to no device (upstreams, DNS, the billing site...) and save it.

    No transaction is held while the checks run: the rows are read, checked, then written in a
    transaction of their own; a row deleted meanwhile is not recreated. Returns how many were saved.
    """
    specs = await asyncio.to_thread(_load_unbound, session_factory)
    if not specs:
        return 0
    outcomes = await run_checks(specs, timeout_s=timeout_s)
    return await asyncio.to_thread(_save_unbound, session_factory, outcomes, now_fn())
