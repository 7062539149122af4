"""Putting the store's desired service state onto the routers, through a small seam.

billing never talks to a router itself: it states what it needs as the ``RouterEnforcer``
Protocol (one router's changes at a time, so an implementation batches them on one connection),
and the wiring plugs in the MikroTik implementation (or the recording one here, for tests and the
demo). A change that could not be applied stays pending (attempts and last error kept) and is
retried by the next run. An enforcer that can also read the routers (``RouterReader``) gets them
reconciled first: drift between a router and the store is reported and becomes pending again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby
from typing import Any, NamedTuple, Protocol, runtime_checkable

from sqlalchemy import ColumnElement, Select, and_, or_, select, update
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


class Change(NamedTuple):
    """One customer's service to put in ``desired`` state."""

    subscriber: Subscriber
    desired: ServiceState


class Observed(NamedTuple):
    """What a router applies for one customer, and what was seen there (for the drift report)."""

    customer_id: int
    state: ServiceState
    found: str


class RouterEnforcer(Protocol):
    """Suspends and reactivates subscribers, one router's changes at a time."""

    def apply(self, router_id: int | None, changes: Sequence[Change]) -> dict[int, str]:
        """Apply on one router; the failures by customer id (raises EnforcementError for them all)."""
        ...


@runtime_checkable
class RouterReader(Protocol):
    """An enforcer that can also read what one router applies for its subscribers."""

    def observe(self, router_id: int, subscribers: Sequence[Subscriber]) -> list[Observed]:
        """What the router shows for each subscriber it knows (raises EnforcementError if unreachable)."""
        ...


class Call(NamedTuple):
    """One change a RecordingEnforcer received."""

    action: str
    subscriber: Subscriber


@dataclass
class RecordingEnforcer:
    """Records every change; fails those of the customers listed in ``failing``."""

    failing: set[int] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)

    def apply(self, router_id: int | None, changes: Sequence[Change]) -> dict[int, str]:
        failures: dict[int, str] = {}
        for change in changes:
            sub = change.subscriber
            if sub.customer_id in self.failing:
                failures[sub.customer_id] = f"router {router_id} unreachable"
                continue
            action = "suspend" if change.desired == ServiceState.SUSPENDED else "reactivate"
            self.calls.append(Call(action, sub))
        return failures


@dataclass(frozen=True)
class ApplyResult:
    """How many pending changes were applied, and which customers failed."""

    applied: int = 0
    failed: list[int] = field(default_factory=list)


class Drift(NamedTuple):
    """A router found not doing what the store says (reported, then repaired)."""

    customer_id: int
    router_id: int
    store: ServiceState
    found: str

    def as_dict(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "router_id": self.router_id, "store": self.store.value,
                "found": self.found}


def pending_filter() -> ColumnElement[bool]:
    """Customers whose router state differs from what the store wants (index-friendly form)."""
    suspended, enabled = ServiceState.SUSPENDED, ServiceState.ENABLED
    return or_(
        and_(Customer.desired_state == suspended,
             or_(Customer.applied_state.is_(None), Customer.applied_state == enabled)),
        and_(Customer.desired_state == enabled, Customer.applied_state == suspended),
    )


def is_pending(desired: ServiceState, applied: ServiceState | None) -> bool:
    """``pending_filter`` for one customer's values."""
    if desired == ServiceState.SUSPENDED:
        return applied != ServiceState.SUSPENDED
    return applied == ServiceState.SUSPENDED


Row = tuple[int, ServiceState, Subscriber]


def _subscribers(session: Session, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Row, ServiceState | None]]:
    """Rows of ``stmt`` (customers' columns) as subscribers, ordered by router (one connection each)."""
    session.flush()
    conn = session.connection()  # Core rows: no ORM loading
    # Packages are a small catalogue: read once, not joined (a join lets planners walk every customer).
    plans = {r.id: r for r in conn.execute(select(Package.id, Package.router_profile,
                                                   Package.suspended_profile, Package.enforcement))}
    rows = [(_subscriber_row(r, plans[r.package_id]), r.applied_state) for r in conn.execute(stmt)]
    rows.sort(key=lambda row: (row[0][2].router_id or 0, row[0][0]))
    return rows


def _columns() -> Select[*tuple[Any, ...]]:
    return select(Customer.id, Customer.desired_state, Customer.applied_state, Customer.router_id,
                  Customer.username, Customer.static_ip, Customer.connection_type, Customer.package_id
                  ).where(Customer.deleted_at.is_(None))


def pending(
    session: Session, *, limit: int | None = None, customer_ids: Iterable[int] | None = None
) -> list[Row]:
    """The pending changes, with what the routers need, ordered by router (one connection each)."""
    stmt = _columns().where(pending_filter())
    if customer_ids is not None:
        stmt = stmt.where(Customer.id.in_(list(customer_ids)))
    if limit is not None:
        stmt = stmt.limit(limit)
    return [row for row, _ in _subscribers(session, stmt)]


def _subscriber_row(r: Any, plan: Any) -> Row:
    sub = Subscriber(r.id, r.router_id, r.username, r.static_ip, r.connection_type.value, plan.router_profile,
                     plan.suspended_profile, plan.enforcement)
    return r.id, r.desired_state, sub


def apply_pending(
    session: Session, enforcer: RouterEnforcer, *, now: datetime, limit: int | None = None,
    customer_ids: Iterable[int] | None = None,
) -> ApplyResult:
    """Apply every pending change, one router's batch at a time, and record the outcome per customer."""
    done: dict[ServiceState, list[int]] = defaultdict(list)
    errors: dict[str, list[int]] = defaultdict(list)
    rows = pending(session, limit=limit, customer_ids=customer_ids)
    for router_id, group in groupby(rows, key=lambda row: row[2].router_id):
        changes = [Change(sub, desired) for _, desired, sub in group]
        try:
            failures = enforcer.apply(router_id, changes)
        except EnforcementError as exc:
            failures = {change.subscriber.customer_id: str(exc) for change in changes}
        for change in changes:
            cid = change.subscriber.customer_id
            if cid in failures:
                errors[failures[cid][:MAX_ERROR]].append(cid)
            else:
                done[change.desired].append(cid)
    _record(session, done, errors, now=now)
    failed = [cid for ids in errors.values() for cid in ids]
    return ApplyResult(applied=sum(len(ids) for ids in done.values()), failed=failed)


def reconcile(session: Session, enforcer: RouterEnforcer, *, now: datetime) -> list[Drift]:
    """Read every router that serves customers and compare with the store (one read per router).

    Drift (the router not doing what the store says of a settled customer) is returned and made
    pending again, so ``apply_pending`` repairs it; a pending change the router already shows is
    recorded as applied without writing it twice. Unreachable routers are skipped (their changes
    stay pending). A no-op for enforcers that cannot read routers.
    """
    if not isinstance(enforcer, RouterReader):
        return []
    rows = _subscribers(session, _columns().where(Customer.router_id.is_not(None)))
    drift: list[Drift] = []
    settled: dict[ServiceState, list[int]] = defaultdict(list)
    seen_as: dict[ServiceState, list[int]] = defaultdict(list)
    for router_id, group in groupby(rows, key=lambda row: row[0][2].router_id):
        batch = list(group)
        try:
            seen = {o.customer_id: o for o in enforcer.observe(int(router_id or 0), [r[0][2] for r in batch])}
        except EnforcementError:
            continue
        for (cid, desired, _sub), applied in batch:
            found = seen.get(cid)
            if found is None or found.state == applied == desired:
                continue
            if found.state == desired:
                settled[desired].append(cid)
            elif not is_pending(desired, applied):
                drift.append(Drift(cid, int(router_id or 0), desired, found.found))
                seen_as[found.state].append(cid)
    _record(session, settled, {}, now=now)
    _mark_seen(session, seen_as, now=now)
    return drift


def _mark_seen(session: Session, seen_as: dict[ServiceState, list[int]], *, now: datetime) -> None:
    """Record what the router was found applying (this makes the customer pending again)."""
    for state, ids in seen_as.items():
        for chunk in _chunks(ids):
            session.execute(update(Customer).where(Customer.id.in_(chunk)).values(
                applied_state=state, applied_at=now,
            ).execution_options(synchronize_session=False))


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
