"""Putting the store's desired service state onto the routers, through a small seam.

billing never talks to a router itself: it states what it needs as the ``RouterEnforcer``
Protocol, and the wiring plugs in the MikroTik implementation (or the recording one here, for tests
and the demo). A change that could not be applied stays pending (attempts and last error kept) and
is retried by the next run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from billing.enums import EnforcementStyle, ServiceState
from billing.models import Customer, Package

MAX_ERROR = 500


class EnforcementError(Exception):
    """A router refused or could not be reached; the message never carries credentials."""


class Subscriber(NamedTuple):
    """What a router needs to know to cut or restore one customer's service."""

    customer_id: int
    router_id: int | None
    username: str | None
    static_ip: str | None
    connection_type: str
    active_profile: str | None
    suspended_profile: str | None
    style: EnforcementStyle | None


class RouterEnforcer(Protocol):
    """Suspends and reactivates subscribers on their routers."""

    def suspend(self, sub: Subscriber) -> None: ...

    def reactivate(self, sub: Subscriber) -> None: ...


class Call(NamedTuple):
    """One call a RecordingEnforcer received."""

    action: str
    subscriber: Subscriber


@dataclass
class RecordingEnforcer:
    """Records every call; raises EnforcementError for the customers listed in ``failing``."""

    failing: set[int] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def suspend(self, sub: Subscriber) -> None:
        self._record("suspend", sub)

    def reactivate(self, sub: Subscriber) -> None:
        self._record("reactivate", sub)

    def _record(self, action: str, sub: Subscriber) -> None:
        if sub.customer_id in self.failing:
            raise EnforcementError(f"router {sub.router_id} unreachable")
        self.calls.append(Call(action, sub))


@dataclass(frozen=True)
class ApplyResult:
    """How many pending changes were applied, and which customers failed."""

    applied: int = 0
    failed: list[int] = field(default_factory=list)


def pending_filter() -> ColumnElement[bool]:
    """Customers whose router state differs from what the store wants (index-friendly form)."""
    suspended, enabled = ServiceState.SUSPENDED, ServiceState.ENABLED
    return or_(
        and_(Customer.desired_state == suspended,
             or_(Customer.applied_state.is_(None), Customer.applied_state == enabled)),
        and_(Customer.desired_state == enabled, Customer.applied_state == suspended),
    )


def pending(
    session: Session, *, limit: int | None = None, customer_ids: Iterable[int] | None = None
) -> list[tuple[int, ServiceState, Subscriber]]:
    """The pending changes, with what the routers need, ordered by router (one connection each)."""
    stmt = (
        select(Customer.id, Customer.desired_state, Customer.router_id, Customer.username,
               Customer.static_ip, Customer.connection_type, Customer.package_id)
        .where(pending_filter(), Customer.deleted_at.is_(None))
    )
    if customer_ids is not None:
        stmt = stmt.where(Customer.id.in_(list(customer_ids)))
    if limit is not None:
        stmt = stmt.limit(limit)
    session.flush()
    conn = session.connection()  # Core rows: no ORM loading
    # Packages are a small catalogue: read once, not joined (a join lets planners walk every customer).
    plans = {r.id: r for r in conn.execute(select(Package.id, Package.router_profile,
                                                   Package.suspended_profile, Package.enforcement))}
    rows = [_subscriber_row(r, plans[r.package_id]) for r in conn.execute(stmt)]
    rows.sort(key=lambda row: (row[2].router_id or 0, row[0]))  # one router's changes together
    return rows


def _subscriber_row(r: Any, plan: Any) -> tuple[int, ServiceState, Subscriber]:
    sub = Subscriber(r.id, r.router_id, r.username, r.static_ip, r.connection_type.value, plan.router_profile,
                     plan.suspended_profile, plan.enforcement)
    return r.id, r.desired_state, sub


def apply_pending(
    session: Session, enforcer: RouterEnforcer, *, now: datetime, limit: int | None = None,
    customer_ids: Iterable[int] | None = None,
) -> ApplyResult:
    """Apply every pending change (grouped per router) and record the outcome per customer."""
    done: dict[ServiceState, list[int]] = defaultdict(list)
    errors: dict[str, list[int]] = defaultdict(list)
    for customer_id, desired, sub in pending(session, limit=limit, customer_ids=customer_ids):
        try:
            if desired == ServiceState.SUSPENDED:
                enforcer.suspend(sub)
            else:
                enforcer.reactivate(sub)
        except EnforcementError as exc:
            errors[str(exc)[:MAX_ERROR]].append(customer_id)
            continue
        done[desired].append(customer_id)
    _record(session, done, errors, now=now)
    failed = [cid for ids in errors.values() for cid in ids]
    return ApplyResult(applied=sum(len(ids) for ids in done.values()), failed=failed)


def _record(session: Session, done: dict[ServiceState, list[int]], errors: dict[str, list[int]], *,
            now: datetime) -> None:
    """One UPDATE per outcome (not per customer)."""
    for state, ids in done.items():
        for chunk in _chunks(ids):
            session.execute(update(Customer).where(Customer.id.in_(chunk)).values(
                applied_state=state, applied_at=now, enforce_attempts=0, enforce_error=None,
            ).execution_options(synchronize_session=False))
    for message, ids in errors.items():
        for chunk in _chunks(ids):
            session.execute(update(Customer).where(Customer.id.in_(chunk)).values(
                enforce_attempts=Customer.enforce_attempts + 1, enforce_error=message,
            ).execution_options(synchronize_session=False))


def _chunks(ids: list[int], size: int = 5_000) -> Iterable[list[int]]:
    """Slices small enough for SQLite's bound-parameter limit."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
