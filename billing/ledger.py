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
from store.types import to_money

ZERO = Decimal("0.00")
OPEN = (BillStatus.UNPAID, BillStatus.PARTIAL)


def lock_customer(session: Session, customer_id: int) -> Customer | None:
    """Load a customer for update (a row lock on PostgreSQL; SQLite serialises writers)."""
    stmt = select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
    return session.scalars(stmt.with_for_update(of=Customer)).first()


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
    customer.balance = to_money(customer.balance + amount)
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
    """The customer's unpaid and partly paid bills, oldest due first."""
    stmt = (
        select(Bill)
        .where(Bill.customer_id == customer_id, Bill.status.in_(OPEN))
        .order_by(Bill.due_date, Bill.id)
    )
    return list(session.scalars(stmt))


def outstanding(session: Session, customer_id: int) -> Decimal:
    """What the customer still owes on open bills."""
    return sum((b.amount - b.amount_paid for b in open_bills(session, customer_id)), ZERO)


def held_credit(session: Session, customer: Customer) -> Decimal:
    """Money held for the customer and not yet allocated to any bill."""
    return max(ZERO, to_money(customer.balance + outstanding(session, customer.id)))


def settle(bill: Bill, amount: Decimal) -> Decimal:
    """Pay up to ``amount`` of ``bill``; returns what was used."""
    used = min(amount, bill.amount - bill.amount_paid)
    if used <= 0:
        return ZERO
    bill.amount_paid = to_money(bill.amount_paid + used)
    bill.status = BillStatus.PAID if bill.amount_paid >= bill.amount else BillStatus.PARTIAL
    return used


def apply_credit(
    session: Session, customer: Customer, *, now: datetime, payment_id: int | None = None
) -> list[PaymentAllocation]:
    """Allocate held credit to open bills, oldest due first; returns the allocations made."""
    available = held_credit(session, customer)
    allocations: list[PaymentAllocation] = []
    for bill in open_bills(session, customer.id):
        if available <= 0:
            break
        used = settle(bill, available)
        available -= used
        bill.updated_at = now
        allocation = PaymentAllocation(payment_id=payment_id, bill_id=bill.id, amount=used, created_at=now)
        session.add(allocation)
        allocations.append(allocation)
    return allocations
