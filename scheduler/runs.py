"""The billing runs as the CLI and the scheduler both start them: a suspension run over a router
enforcer that is closed afterwards, and bill generation in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from billing.bills import GenerationResult, generate_bills
from billing.enforcement import RouterEnforcer
from billing.policy import SuspensionPolicy
from billing.suspension import RunReport, run_suspension
from store.db import session_scope


class ClosingEnforcer(RouterEnforcer, Protocol):
    """A router enforcer holding connections that ``close()`` gives back."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class SuspendOptions:
    """How a suspension run goes: the grace days, report-only or not, and who started it."""

    grace_days: int
    dry_run: bool = False
    trigger: str = "scheduler"


def suspend_now(sessions: sessionmaker[Session], *, now: datetime, enforcer: ClosingEnforcer,
                options: SuspendOptions) -> RunReport:
    """One suspension run, the enforcer closed after; RunInProgress when another run holds the lock."""
    try:
        return run_suspension(sessions, now=now, policy=SuspensionPolicy(grace_days=options.grace_days),
                              enforcer=enforcer, dry_run=options.dry_run, trigger=options.trigger)
    finally:
        enforcer.close()


def generate(sessions: sessionmaker[Session], *, now: datetime, due_days: int,
             period: str | None = None) -> GenerationResult:
    """Postpaid bills for ``period`` (the current month by default), committed at once."""
    with session_scope(sessions) as session:
        return generate_bills(session, now=now, period=period, due_days=due_days)
