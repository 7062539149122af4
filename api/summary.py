"""The v1 dashboard summary: customers by status, money owed and money received (one operator or all)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from billing.enums import BillStatus, CustomerStatus, PaymentStatus
from billing.models import Bill, Customer, Payment

ZERO = Decimal("0.00")
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class Summary:
    """Counts and sums for the dashboard."""

    customers_total: int
    customers_by_status: dict[str, int]
    open_bills: int
    amount_due: Decimal
    payments_today: Decimal
    payments_this_month: Decimal


def _scoped(stmt: S, column: Any, operator_id: int | None) -> S:
    return stmt if operator_id is None else stmt.where(column == operator_id)


def _paid_since(session: Session, since: datetime, operator_id: int | None) -> Decimal:
    stmt = select(func.sum(Payment.amount)).where(
        Payment.received_at >= since, Payment.status == PaymentStatus.COMPLETED)
    return session.scalar(_scoped(stmt, Payment.operator_id, operator_id)) or ZERO


def dashboard_summary(session: Session, *, now: datetime, operator_id: int | None = None) -> Summary:
    """The summary at ``now`` (UTC day and month), for one operator when given."""
    by_status = _scoped(select(Customer.status, func.count()).where(Customer.deleted_at.is_(None))
                        .group_by(Customer.status), Customer.operator_id, operator_id)
    counts = {status.value: 0 for status in CustomerStatus}
    counts.update({str(s): int(n) for s, n in session.execute(by_status)})
    open_stmt = _scoped(select(func.count(), func.sum(Bill.amount), func.sum(Bill.amount_paid))
                        .where(Bill.status.in_((BillStatus.UNPAID, BillStatus.PARTIAL))),
                        Bill.operator_id, operator_id)
    open_count, billed, paid = session.execute(open_stmt).one()
    day = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return Summary(
        customers_total=sum(counts.values()), customers_by_status=counts, open_bills=int(open_count),
        amount_due=(billed or ZERO) - (paid or ZERO),
        payments_today=_paid_since(session, day, operator_id),
        payments_this_month=_paid_since(session, day.replace(day=1), operator_id),
    )
