"""The billing runs as the CLI and the scheduler both start them: a suspension run over a router
enforcer that is closed afterwards, and bill generation in one transaction."""

from __future__ import annotations

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


def suspend_now(sessions: sessionmaker[Session], *, now: datetime, grace_days: int,
                enforcer: ClosingEnforcer, dry_run: bool = False, trigger: str = "scheduler") -> RunReport:
    """One suspension run with the configured grace; RunInProgress when another run holds the lock."""
    try:
        return run_suspension(sessions, now=now, policy=SuspensionPolicy(grace_days=grace_days),
                              enforcer=enforcer, dry_run=dry_run, trigger=trigger)
    finally:
        enforcer.close()


def generate(sessions: sessionmaker[Session], *, now: datetime, due_days: int,
             period: str | None = None) -> GenerationResult:
    """Postpaid bills for ``period`` (the current month by default), committed at once."""
    with session_scope(sessions) as session:
        return generate_bills(session, now=now, period=period, due_days=due_days)
