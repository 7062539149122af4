"""A customer's account: signed ledger entries, the running balance and credit applied to bills.

The balance is payments and credits minus charges. Held credit is always applied to open bills
(oldest due first), so a positive balance means credit and a negative one means money owed.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.enums import BillStatus, LedgerKind
from billing.models import Bill, Customer, LedgerEntry, PaymentAllocation
from store.atomic import increment, locked
from store.types import to_money

ZERO = Decimal("0.00")
OPEN = (BillStatus.UNPAID, BillStatus.PARTIAL)


def lock_customer(session: Session, customer_id: int) -> Customer | None:
    """The customer read fresh under a lock held to the end of the transaction (every change to its
    money takes this first, so two never interleave)."""
    stmt = select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
    return locked(session, stmt)


def post(
    session: Session,
    customer: Customer,
    kind: LedgerKind,
    amount: Decimal,
    *,
    now: datetime,
    bill_id: int | None = None,
    payment_id: int | None = None,
    description: str | None = None,
) -> LedgerEntry:
    """Append one signed entry and move the customer's balance by it."""
    amount = to_money(amount)
    increment(session, customer, "balance", amount)
    entry = LedgerEntry(
        customer_id=customer.id,
        kind=kind,
        amount=amount,
        balance_after=customer.balance,
        bill_id=bill_id,
        payment_id=payment_id,
        description=description,
        created_at=now,
    )
    session.add(entry)
    return entry


def open_bills(session: Session, customer_id: int) -> list[Bill]:
    """The customer's unpaid and partly paid bills as stored now, oldest due first."""
    stmt = (
        select(Bill)
        .where(Bill.customer_id == customer_id, Bill.status.in_(OPEN))
        .order_by(Bill.due_date, Bill.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def _owed(bills: list[Bill]) -> Decimal:
    return sum((b.amount - b.amount_paid for b in bills), ZERO)


def outstanding(session: Session, customer_id: int) -> Decimal:
    """What the customer still owes on open bills."""
    return _owed(open_bills(session, customer_id))


def _held(customer: Customer, bills: list[Bill]) -> Decimal:
    """Money held for the customer and not yet allocated to any of ``bills`` (its open ones)."""
    return max(ZERO, to_money(customer.balance + _owed(bills)))


def settle(session: Session, bill: Bill, amount: Decimal) -> Decimal:
    """Pay up to ``amount`` of ``bill`` (its customer locked); returns what was used."""
    used = min(amount, bill.amount - bill.amount_paid)
    if used <= 0:
        return ZERO
    paid = increment(session, bill, "amount_paid", used)
    bill.status = BillStatus.PAID if paid >= bill.amount else BillStatus.PARTIAL
    return used


def apply_credit(
    session: Session, customer: Customer, *, now: datetime, payment_id: int | None = None
) -> list[PaymentAllocation]:
    """Allocate held credit to open bills, oldest due first; returns the allocations made."""
    bills = open_bills(session, customer.id)
    available = _held(customer, bills)
    allocations: list[PaymentAllocation] = []
    for bill in bills:
        if available <= 0:
            break
        used = settle(session, bill, available)
        available -= used
        bill.updated_at = now
        allocation = PaymentAllocation(payment_id=payment_id, bill_id=bill.id, amount=used, created_at=now)
        session.add(allocation)
        allocations.append(allocation)
    return allocations
