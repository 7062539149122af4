"""A customer's balance statement for a period, from the ledger with aggregate SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.enums import LedgerKind
from billing.errors import NotFound, ValidationError
from billing.models import Customer, LedgerEntry
from store.types import to_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Statement:
    """Opening balance, money in and out over ``[start, end]`` (UTC days), and the closing balance.

    ``closing_balance = opening_balance + payments + adjustments - charges``; charges are positive."""

    opening_balance: Decimal
    payments: Decimal
    adjustments: Decimal
    charges: Decimal
    closing_balance: Decimal


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def balance_at(session: Session, customer: Customer, moment: datetime) -> Decimal:
    """The customer's balance just before ``moment`` (from the ledger's running balance).

    Entries are ordered by id, the order they were applied in under the customer's lock: a request's
    ``now`` is taken when it arrives, so of two at once the later-stamped one may be applied first."""
    order = (LedgerEntry.id,)
    mine = LedgerEntry.customer_id == customer.id
    last = session.execute(
        select(LedgerEntry.balance_after).where(mine, LedgerEntry.created_at < moment)
        .order_by(*(c.desc() for c in order)).limit(1)).first()
    if last is not None:
        return to_money(last[0])
    first = session.execute(
        select(LedgerEntry.balance_after, LedgerEntry.amount).where(mine, LedgerEntry.created_at >= moment)
        .order_by(*order).limit(1)).first()
    if first is not None:
        return to_money(first[0] - first[1])
    return to_money(customer.balance)


def _sums(session: Session, customer_id: int, start: datetime, end: datetime) -> dict[LedgerKind, Decimal]:
    stmt = (
        select(LedgerEntry.kind, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.customer_id == customer_id, LedgerEntry.created_at >= start,
               LedgerEntry.created_at < end)
        .group_by(LedgerEntry.kind)
    )
    return {LedgerKind(kind): to_money(total or ZERO) for kind, total in session.execute(stmt)}


def customer_statement(session: Session, customer_id: int, *, start: date, end: date,
                       operator_id: int | None = None) -> Statement:
    """The statement for the UTC days ``start`` to ``end`` inclusive."""
    for name, value in (("from", start), ("to", end)):
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ValidationError(f"The {name} date must be a date.", field=name)
    if end < start:
        raise ValidationError("The to date must not be before the from date.", field="to")
    customer = session.get(Customer, customer_id)
    if customer is None or customer.deleted_at is not None or operator_id not in (None, customer.operator_id):
        raise NotFound("customer not found", field="customer_id")
    session.flush()
    begin, finish = _midnight(start), _midnight(end + timedelta(days=1))
    opening = balance_at(session, customer, begin)
    sums = _sums(session, customer.id, begin, finish)
    payments = sums.get(LedgerKind.PAYMENT, ZERO)
    adjustments = to_money(sums.get(LedgerKind.ADJUSTMENT, ZERO) + sums.get(LedgerKind.TRANSFER, ZERO))
    charges = to_money(-sums.get(LedgerKind.CHARGE, ZERO))
    closing = to_money(opening + payments + adjustments - charges)
    return Statement(opening, payments, adjustments, charges, closing)
