"""Who is due for suspension at a moment, selected set-based in SQL.

Postpaid: an unpaid (or partly paid) bill whose due date plus the grace days is before today in the
operator's timezone. Grace comes from the package, else the operator, else the global default.
Prepaid: the customer's latest active subscription expired before ``now``. Exempt: never-suspend
customers, a promise to pay until its date (inclusive, operator's local date), deleted, disabled,
or already suspended customers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from billing.enums import BillingType, BillStatus, CustomerStatus, SubscriptionStatus, SuspendReason
from billing.models import Bill, Customer, Operator, Package, Subscription
from store.types import Money

SUSPENDABLE = (CustomerStatus.ACTIVE, CustomerStatus.NEW)
OPEN = (BillStatus.UNPAID, BillStatus.PARTIAL)


@dataclass(frozen=True)
class SuspensionPolicy:
    """The global grace period; operators and packages may override it."""

    grace_days: int = 3


class Due(NamedTuple):
    """One customer a run would suspend, why, and for which bills and amount."""

    customer_id: int
    reason: SuspendReason
    bill_ids: tuple[int, ...] = ()
    amount_due: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class _Scope:
    """Per operator: today's local date and the cutoff per effective grace."""

    operator_id: int
    today: date
    cutoffs: dict[int, list[int]] = field(default_factory=dict)  # grace days -> package ids


def local_today(now: datetime, timezone: str) -> date:
    """The calendar date at ``now`` in ``timezone``."""
    return now.astimezone(ZoneInfo(timezone)).date()


def _scopes(session: Session, now: datetime, policy: SuspensionPolicy) -> list[_Scope]:
    """Operators and packages are a small catalogue: read them once and group packages by grace."""
    packages = session.execute(select(Package.id, Package.operator_id, Package.grace_days)).all()
    scopes = []
    for op_id, tz, op_grace in session.execute(select(Operator.id, Operator.timezone, Operator.grace_days)):
        scope = _Scope(op_id, local_today(now, tz))
        for pkg_id, pkg_op, pkg_grace in packages:
            if pkg_op in (None, op_id):
                grace = next(g for g in (pkg_grace, op_grace, policy.grace_days) if g is not None)
                scope.cutoffs.setdefault(grace, []).append(pkg_id)
        scopes.append(scope)
    return scopes


def _not_exempt(scope: _Scope, statuses: tuple[CustomerStatus, ...]) -> ColumnElement[bool]:
    return and_(
        Customer.operator_id == scope.operator_id,
        Customer.never_suspend.is_(False),
        Customer.deleted_at.is_(None),
        Customer.status.in_(statuses),
        or_(Customer.promise_to_pay_until.is_(None), Customer.promise_to_pay_until < scope.today),
    )


def _overdue_clause(scope: _Scope, statuses: tuple[CustomerStatus, ...]) -> ColumnElement[bool]:
    return and_(_not_exempt(scope, statuses), _grace_only(scope))


def _grace_only(scope: _Scope) -> ColumnElement[bool]:
    return or_(false(), *[
        and_(Customer.package_id.in_(ids), Bill.due_date < scope.today - timedelta(days=grace))
        for grace, ids in scope.cutoffs.items()
    ])


@dataclass(frozen=True)
class _Query:
    scopes: list[_Scope]
    now: datetime
    customer_ids: list[int] | None
    statuses: tuple[CustomerStatus, ...]


def overdue(session: Session, q: _Query) -> list[Due]:
    """Postpaid customers with a bill past due plus grace: one query, aggregated per customer."""
    if not q.scopes:
        return []
    stmt = (
        select(Customer.id, Bill.id, type_coerce(Bill.amount - Bill.amount_paid, Money))
        .join(Bill, Bill.customer_id == Customer.id)
        .where(Customer.billing_type == BillingType.POSTPAID, Bill.status.in_(OPEN),
               or_(*[_overdue_clause(s, q.statuses) for s in q.scopes]))
        .order_by(Customer.id, Bill.due_date, Bill.id)
    )
    if q.customer_ids is not None:
        stmt = stmt.where(Customer.id.in_(q.customer_ids))
    bills: dict[int, list[int]] = defaultdict(list)
    amounts: dict[int, Decimal] = defaultdict(Decimal)
    for customer_id, bill_id, owed in session.connection().execute(stmt):  # Core: no ORM rows
        bills[customer_id].append(bill_id)
        amounts[customer_id] += owed  # exact: each amount is already in whole cents
    return [Due(cid, SuspendReason.OVERDUE, tuple(ids), amounts[cid]) for cid, ids in bills.items()]


def expired(session: Session, q: _Query) -> list[Due]:
    """Prepaid customers whose latest active subscription ended before ``now``."""
    if not q.scopes:
        return []
    latest = (
        select(Subscription.customer_id, func.max(Subscription.expires_at).label("until"))
        .where(Subscription.status == SubscriptionStatus.ACTIVE)
        .group_by(Subscription.customer_id).subquery()
    )
    stmt = (
        select(Customer.id)
        .join(latest, latest.c.customer_id == Customer.id)
        .where(Customer.billing_type == BillingType.PREPAID, latest.c.until < q.now,
               or_(*[_not_exempt(s, q.statuses) for s in q.scopes]))
        .order_by(Customer.id)
    )
    if q.customer_ids is not None:
        stmt = stmt.where(Customer.id.in_(q.customer_ids))
    return [Due(cid, SuspendReason.EXPIRED) for cid in session.scalars(stmt)]


def select_due(session: Session, *, now: datetime, policy: SuspensionPolicy,
               customer_ids: Iterable[int] | None = None,
               statuses: tuple[CustomerStatus, ...] = SUSPENDABLE) -> list[Due]:
    """Everyone a run at ``now`` suspends (optionally only among ``customer_ids``), by customer id.

    ``statuses`` widens the search (the run asks it of suspended customers to find who is clear)."""
    session.flush()  # the queries below run on the connection (Core rows), past the autoflush
    ids = list(customer_ids) if customer_ids is not None else None
    q = _Query(_scopes(session, now, policy), now, ids, statuses)
    return sorted(overdue(session, q) + expired(session, q), key=lambda d: d.customer_id)


def still_overdue(session: Session, customer_id: int, *, now: datetime, policy: SuspensionPolicy) -> bool:
    """Whether one customer still has a bill past due plus grace (ignoring their current status)."""
    customer = session.get(Customer, customer_id)
    return customer is not None and is_overdue(session, customer, now=now, policy=policy)


def is_overdue(session: Session, customer: Customer, *, now: datetime, policy: SuspensionPolicy) -> bool:
    """The postpaid rule for one customer: an open bill past due plus grace, in the operator's today."""
    customer_id = customer.id
    scopes = [s for s in _scopes(session, now, policy) if s.operator_id == customer.operator_id]
    stmt: Any = (
        select(Bill.id).join(Customer, Customer.id == Bill.customer_id)
        .where(Bill.customer_id == customer_id, Bill.status.in_(OPEN),
               or_(false(), *[_grace_only(s) for s in scopes]))
        .limit(1)
    )
    return session.scalar(stmt) is not None

