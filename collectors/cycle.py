"""The collection cycle runner: poll every device a family selects, concurrently and each under its
own timeout, and save each result (or the failure, with its reason) in a transaction of its own.

Database work is sync SQLAlchemy, so it runs off the event loop: loading in a worker thread, every
write through one writer thread (and one process-wide lock) so SQLite is never fought over. One slow,
dead or broken device only ever costs its own slot; it never delays or crashes the others.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from collectors.base import FAMILIES, CollectError, Collector, CycleResult, Reveal, Target, collector_for
from collectors.enums import DeviceStatus, SourceKind
from collectors.models import CollectionRun, Device
from store.db import session_scope
from store.types import utcnow

T = TypeVar("T")
Progress = Callable[[str, bool], None]
Limit = float | Mapping[str, float] | None
ERROR_LIMIT = 200


@dataclass(frozen=True)
class Limits:
    """How many devices of a family are polled at once, and how long one device may take."""

    concurrency: int
    timeout_s: float


LIMITS: dict[SourceKind, Limits] = {
    SourceKind.MIKROTIK: Limits(32, 30.0),
    SourceKind.OLT_SSH: Limits(8, 30.0),
    SourceKind.OLT_SNMP: Limits(16, 30.0),
    SourceKind.RADIO_SNMP: Limits(32, 20.0),
    SourceKind.ZABBIX: Limits(4, 30.0),
    SourceKind.STATUS: Limits(64, 10.0),
}
"""Per-family defaults (settings ``collect_concurrency`` / ``collect_timeout_s`` override them).
SNMP devices sharing an agent address also share its ``SnmpOptions.in_flight`` requests, so a
poll's timeout covers its wait in that queue: an OLT walk is ~20 requests in turn, a radio 2."""


class CollectorUnavailable(CollectError):
    """The family's collector module is not installed (or not written yet)."""


def unavailable(family: SourceKind) -> str | None:
    """Why ``family`` cannot run here (its collector does not import), or None when it can."""
    try:
        collector_for(family)
    except (ImportError, AttributeError) as exc:
        return f"not available ({FAMILIES[family].partition(':')[0]}: {type(exc).__name__})"
    return None


def _pick(value: Limit, family: SourceKind, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, Mapping):
        return float(value.get(family.value, default))
    return float(value)


def limits_for(family: SourceKind, concurrency: Limit = None, timeout_s: Limit = None) -> Limits:
    """The family's limits: a number for every family, a per-family map, or the defaults."""
    base = LIMITS[family]
    return Limits(max(1, int(_pick(concurrency, family, base.concurrency))),
                  _pick(timeout_s, family, base.timeout_s))


_WRITE_LOCK = threading.Lock()


class Writer:
    """One thread doing every write of a cycle (and a process-wide lock shared by all writers)."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ispnoc-writer")

    def _locked(self, fn: Callable[..., T], *args: Any) -> T:
        with _WRITE_LOCK:
            return fn(*args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the writer thread and wait for it without blocking the loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._locked, fn, *args)

    def close(self) -> None:
        """Finish queued writes and stop the thread."""
        self._pool.shutdown(wait=True)


@dataclass(frozen=True)
class _Job:
    """What one cycle of one family needs, bundled."""

    sessions: sessionmaker[Session]
    family: SourceKind
    collector: Collector[Any]
    limits: Limits
    progress: Progress | None


def selected(session: Session, collector: Collector[Any], device_ids: Sequence[int] | None) -> list[Device]:
    """The enabled devices ``collector`` polls (only those in ``device_ids`` when given), by id."""
    stmt = select(Device).where(Device.enabled.is_(True)).order_by(Device.id)
    if device_ids is not None:
        stmt = stmt.where(Device.id.in_(list(device_ids)))
    return [d for d in session.scalars(stmt) if collector.selects(d)]


def count_selected(sessions: sessionmaker[Session], family: SourceKind,
                   device_ids: Sequence[int] | None = None) -> int:
    """How many devices a cycle of ``family`` would poll (for progress bars)."""
    with session_scope(sessions) as session:
        return len(selected(session, collector_for(family), device_ids))


def _load(job: _Job, device_ids: Sequence[int] | None,
          reveal: Reveal) -> tuple[list[Target], dict[int, tuple[str, str]]]:
    """Targets to poll, and the devices whose secrets could not be revealed (id -> name, reason)."""
    targets: list[Target] = []
    broken: dict[int, tuple[str, str]] = {}
    with session_scope(job.sessions) as session:
        for device in selected(session, job.collector, device_ids):
            try:
                targets.append(Target.of(device, reveal))
            except Exception as exc:
                broken[device.id] = (device.name, _reason(exc, None, job.limits.timeout_s))
    return targets, broken


def _reason(exc: BaseException, target: Target | None, timeout_s: float) -> str:
    """A short, one-line reason without the device's secrets."""
    if isinstance(exc, TimeoutError):
        return f"timeout after {timeout_s:g} s"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if not isinstance(exc, CollectError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    for secret in (target.password, target.community) if target else ():
        if secret:
            text = text.replace(secret, "***")
    return text[:ERROR_LIMIT]


def _health(device: Device, family: SourceKind, now: datetime, error: str | None) -> None:
    """Record one poll's outcome on the device and under details["families"][family]."""
    device.last_polled_at = now
    details = dict(device.details or {})
    families = dict(details.get("families") or {})
    entry = dict(families.get(family.value) or {})
    entry["last_error"] = error
    if error is None:
        device.status, device.last_error, device.consecutive_failures = DeviceStatus.UP, None, 0
        device.last_success_at = now
        entry["last_success_at"] = now.isoformat()
    else:
        device.status, device.last_error = DeviceStatus.DOWN, error
        device.consecutive_failures = (device.consecutive_failures or 0) + 1
        entry.setdefault("last_success_at", None)
    families[family.value] = entry
    details["families"] = families
    device.details = details


def problem_of(result: Any) -> str | None:
    """What a saved result says is wrong with its device (``device_problem``), if anything."""
    problem = getattr(result, "device_problem", None)
    return str(problem)[:ERROR_LIMIT] if problem else None


def _save_failure(job: _Job, device_id: int, error: str) -> None:
    now = utcnow()
    with session_scope(job.sessions) as session:
        device = session.get(Device, device_id)
        if device is not None:
            _health(device, job.family, now, error)


def _save(job: _Job, target: Target, result: Any) -> int:
    """Save one result and mark the device up; a failing save is recorded as the device's failure."""
    now = utcnow()
    try:
        with session_scope(job.sessions) as session:
            values = job.collector.save(session, target, result, now=now)
            device = session.get(Device, target.device_id)
            if device is not None:
                _health(device, job.family, now, problem_of(result))
            return values
    except Exception as exc:
        _save_failure(job, target.device_id, "save: " + _reason(exc, target, job.limits.timeout_s))
        raise


async def _poll(job: _Job, target: Target) -> tuple[Any, str | None]:
    """The device's parsed reply, or the reason polling it failed (any exception, or the timeout)."""
    try:
        return await asyncio.wait_for(job.collector.poll(target), job.limits.timeout_s), None
    except Exception as exc:
        return None, _reason(exc, target, job.limits.timeout_s)


async def _one(job: _Job, writer: Writer, semaphore: asyncio.Semaphore,
               target: Target) -> tuple[int, str | None]:
    """Poll and save one device: (values saved, None) or (0, the reason it failed)."""
    async with semaphore:
        result, error = await _poll(job, target)
    values = 0
    try:
        if error is None:
            values = await writer.run(_save, job, target, result)
            error = problem_of(result)
        else:
            await writer.run(_save_failure, job, target.device_id, error)
    except Exception as exc:
        error = error or "save: " + _reason(exc, target, job.limits.timeout_s)
    if job.progress is not None:
        job.progress(target.name, error is None)
    return values, error


def _record_run(sessions: sessionmaker[Session], result: CycleResult, finished: datetime) -> None:
    with session_scope(sessions) as session:
        session.add(CollectionRun(family=result.family, started_at=result.started_at, finished_at=finished,
                                  devices=result.devices, failed=result.failed, values=result.values))


async def _cycle(job: _Job, writer: Writer, device_ids: Sequence[int] | None, reveal: Reveal) -> CycleResult:
    """One cycle of one family on a shared writer."""
    result = CycleResult(family=job.family, started_at=utcnow())
    clock = time.perf_counter()
    targets, broken = await asyncio.to_thread(_load, job, device_ids, reveal)
    for device_id, (name, reason) in broken.items():
        await writer.run(_save_failure, job, device_id, reason)
        result.errors[name] = reason
    semaphore = asyncio.Semaphore(job.limits.concurrency)
    outcomes = await asyncio.gather(*(_one(job, writer, semaphore, t) for t in targets))
    for target, (values, error) in zip(targets, outcomes, strict=True):
        result.values += values
        if error is not None:
            result.errors[target.name] = error
    result.devices = len(targets) + len(broken)
    result.failed = len(result.errors)
    result.duration_s = time.perf_counter() - clock
    await writer.run(_record_run, job.sessions, result, utcnow())
    return result


def _job(sessions: sessionmaker[Session], family: SourceKind, concurrency: Limit, timeout_s: Limit,
         progress: Progress | None) -> _Job:
    try:
        collector = collector_for(family)
    except (ImportError, AttributeError) as exc:
        raise CollectorUnavailable(f"{family.value}: collector not available") from exc
    return _Job(sessions, family, collector, limits_for(family, concurrency, timeout_s), progress)


async def run_cycle(
    sessions: sessionmaker[Session],
    family: SourceKind,
    *,
    reveal: Reveal,
    device_ids: Sequence[int] | None = None,
    concurrency: int | None = None,
    timeout_s: float | None = None,
    progress: Callable[[str, bool], None] | None = None,
) -> CycleResult:
    """One collection cycle of ``family``; CollectorUnavailable if its collector is not installed."""
    job = _job(sessions, family, concurrency, timeout_s, progress)
    writer = Writer()
    try:
        return await _cycle(job, writer, device_ids, reveal)
    finally:
        await asyncio.to_thread(writer.close)


async def run_families(
    sessions: sessionmaker[Session],
    families: Sequence[SourceKind],
    *,
    reveal: Reveal,
    device_ids: Sequence[int] | None = None,
    concurrency: Limit = None,
    timeout_s: Limit = None,
    progress: Callable[[str, bool], None] | None = None,
) -> list[CycleResult]:
    """One cycle of each family at once, sharing one writer; limits may be per-family maps."""
    jobs = [_job(sessions, family, concurrency, timeout_s, progress) for family in families]
    writer = Writer()
    try:
        return list(await asyncio.gather(*(_cycle(job, writer, device_ids, reveal) for job in jobs)))
    finally:
        await asyncio.to_thread(writer.close)
