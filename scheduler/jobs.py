"""The scheduler's jobs: module-level functions (the job store keeps references to them) taking
plain arguments and reaching the process's ``JobContext`` (installed by ``NocScheduler.start``).
Each run that must never overlap itself, even across processes, holds a named RunLock row; a job
that raises gives it back (or, with the store down, at its next start), its sessions rolled back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api import delivery
from api.sms import gateway_from
from billing import locks
from billing.errors import RunInProgress
from collectors.base import CycleResult, Reveal
from collectors.cycle import CollectorUnavailable, limits_for, run_cycle
from collectors.enums import SourceKind
from scheduler.config import SchedulerSettings
from scheduler.retention import prune
from scheduler.runs import ClosingEnforcer, SuspendOptions, generate, suspend_now
from store.types import utcnow

log = logging.getLogger(__name__)


@dataclass
class JobContext:
    """What jobs need in this process: settings, the store, secrets in clear, the router seam."""

    settings: SchedulerSettings
    engine: Engine
    sessions: sessionmaker[Session]
    reveal: Reveal
    enforcer: Callable[[], ClosingEnforcer]
    lock_ttl: timedelta = timedelta(minutes=30)
    clock: Callable[[], datetime] = field(default=utcnow)
    unreleased: dict[str, str] = field(default_factory=dict)
    """RunLocks (name -> holder) whose release failed, given back at that job's next start."""


_context: JobContext | None = None


def install(context: JobContext) -> None:
    """Make ``context`` the one jobs of this process use (one scheduler per process)."""
    global _context
    if _context is not None and _context is not context:
        raise RuntimeError("a scheduler is already running in this process")
    _context = context


def uninstall(context: JobContext) -> None:
    """Remove ``context`` if it is the installed one."""
    global _context
    if _context is context:
        _context = None


def current() -> JobContext:
    """The installed context; a job fired without a running scheduler is an error."""
    if _context is None:
        raise RuntimeError("no scheduler context installed in this process")
    return _context


def _release(ctx: JobContext, name: str, holder: str) -> None:
    """Give the RunLock back; if the store fails that too, remember it for the job's next start."""
    try:
        locks.release(ctx.sessions, name, holder)
    except Exception:
        ctx.unreleased[name] = holder
        raise


@contextmanager
def exclusive(ctx: JobContext, name: str) -> Iterator[bool]:
    """Hold the RunLock ``name`` for the block (given back even when it raises); False (and nothing
    held) when another run has it. A lock this process failed to give back is released first."""
    stale = ctx.unreleased.pop(name, None)
    if stale is not None:
        _release(ctx, name, stale)
    try:
        holder = locks.acquire(ctx.sessions, name, now=ctx.clock(), ttl=ctx.lock_ttl)
    except RunInProgress:
        log.info("%s: still running elsewhere, this start skipped", name)
        yield False
        return
    try:
        yield True
    finally:
        _release(ctx, name, holder)


def collect(family: str) -> CycleResult | None:
    """One collect cycle of ``family`` (skipped while another is running, or when not installed)."""
    ctx, kind = current(), SourceKind(family)
    limits = limits_for(kind, ctx.settings.collect_concurrency, ctx.settings.collect_timeout_s)
    with exclusive(ctx, f"collect:{family}") as mine:
        if not mine:
            return None
        try:
            result = asyncio.run(run_cycle(ctx.sessions, kind, reveal=ctx.reveal,
                                           concurrency=limits.concurrency, timeout_s=limits.timeout_s))
        except CollectorUnavailable as exc:
            log.warning("%s", exc)
            return None
    log.info("collect %s: %d devices, %d failed, %d values in %.1f s", family, result.devices,
             result.failed, result.values, result.duration_s)
    return result


def suspension() -> dict[str, Any] | None:
    """The auto-suspension run, applied on the routers (skipped while another run holds its lock)."""
    ctx = current()
    try:
        report = suspend_now(ctx.sessions, now=ctx.clock(), enforcer=ctx.enforcer(),
                             options=SuspendOptions(grace_days=ctx.settings.grace_days))
    except RunInProgress:
        log.info("suspension: another run is in progress, this start skipped")
        return None
    summary: dict[str, Any] = report.summary()
    return summary


def bills() -> int | None:
    """Postpaid bills for the current month (never twice: generation skips what is billed)."""
    ctx = current()
    with exclusive(ctx, "bills") as mine:
        if not mine:
            return None
        result = generate(ctx.sessions, now=ctx.clock(), due_days=ctx.settings.bill_due_days)
    log.info("bills %s: %d generated, %d already billed", result.period, result.created, result.skipped)
    return result.created


def webhooks() -> delivery.DeliveryReport:
    """Fan out and POST the due webhook deliveries once (claims are leased: runs may overlap)."""
    ctx = current()
    with httpx.Client(timeout=delivery.TIMEOUT) as client:
        options = delivery.WebhookOptions(key=ctx.settings.credentials_key,
                                          allow_private=ctx.settings.webhook_allow_private)
        return delivery.deliver_webhooks(ctx.sessions, now=ctx.clock(), client=client, options=options)


def sms() -> delivery.DeliveryReport:
    """Send the due queued texts once through the configured gateway."""
    ctx = current()
    with httpx.Client(timeout=delivery.TIMEOUT) as client:
        return delivery.deliver_sms(ctx.sessions, now=ctx.clock(), gateway=gateway_from(ctx.settings, client))


def retention() -> dict[str, int] | None:
    """Delete history older than ``retention_days``, in batches."""
    ctx = current()
    with exclusive(ctx, "retention") as mine:
        if not mine:
            return None
        return prune(ctx.sessions, now=ctx.clock(), days=ctx.settings.retention_days)
