"""Two operators with customers, bills, payments, subscriptions, vouchers and usage, committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from billing import enums as e
from billing.models import Bill, Payment, Subscription, Voucher, VoucherBatch
from collectors.models import UsageDaily
from tests import factories as f
from tests.factories import NOW


@dataclass(frozen=True)
class Side:
    """One operator's records."""

    operator: int
    customers: tuple[int, ...]
    bills: tuple[int, ...]
    payments: tuple[int, ...]
    subscriptions: tuple[int, ...]
    package: int


@dataclass(frozen=True)
class World:
    """Operator A (the scoped caller's) and operator B (someone else's)."""

    a: Side
    b: Side
    shared_package: int
    vouchers: tuple[int, ...]


def _bill(s: Session, op: int, customer: int, n: int) -> int:
    bill = Bill(operator_id=op, customer_id=customer, number=f"INV-{op}-{n}", period=f"2026-{n:02d}",
                amount=Decimal("1500.00"), amount_paid=Decimal("0"), currency="BDT",
                status=e.BillStatus.UNPAID, issued_on=date(2026, n, 1), due_date=date(2026, n, 10),
                description=f"Monthly subscription ({n})", created_at=NOW, updated_at=NOW)
    s.add(bill)
    s.flush()
    return bill.id


def _payment(s: Session, op: int, customer: int, n: int) -> int:
    pay = Payment(operator_id=op, customer_id=customer, amount=Decimal("500.50"), currency="BDT",
                  method=e.PaymentMethod.BKASH, status=e.PaymentStatus.COMPLETED, reference=f"TXN-{op}-{n}",
                  received_at=NOW, created_at=NOW)
    s.add(pay)
    s.flush()
    return pay.id


def _subscription(s: Session, customer: int, package: int) -> int:
    sub = Subscription(customer_id=customer, package_id=package, billing_type=e.BillingType.POSTPAID,
                       status=e.SubscriptionStatus.ACTIVE, starts_at=NOW, cycle_day=1,
                       price=Decimal("1000.00"), created_at=NOW)
    s.add(sub)
    s.flush()
    return sub.id


def _side(s: Session, shared: int) -> Side:
    op = f.operator(s)
    own = f.package(s, operator_id=op.id)
    pkg = s.get(type(own), shared)
    assert pkg is not None
    customers = [f.customer(s, op, pkg).id, f.customer(s, op, own).id]
    bills = tuple(_bill(s, op.id, customers[0], n) for n in (1, 2))
    payments = (_payment(s, op.id, customers[0], 1),)
    subs = (_subscription(s, customers[0], shared),)
    return Side(op.id, tuple(customers), bills, payments, subs, own.id)


def build(s: Session) -> World:
    """Create the world; usage for A's first customer on the last three days."""
    shared = f.package(s, name="Premium 50 Mbps").id
    a, b = _side(s, shared), _side(s, shared)
    batch = VoucherBatch(package_id=shared, quantity=2, value=Decimal("1000.00"), created_at=NOW)
    s.add(batch)
    s.flush()
    codes = [Voucher(batch_id=batch.id, code=f"CODE{n}XYZ", package_id=shared, value=Decimal("1000.00"),
                     status=e.VoucherStatus.UNUSED, created_at=NOW) for n in range(2)]
    s.add_all(codes)
    for back in range(3):
        s.add(UsageDaily(customer_id=a.customers[0], day=NOW.date() - timedelta(days=back),
                         bytes_in=1000 * (back + 1), bytes_out=100))
    s.flush()
    return World(a, b, shared, tuple(v.id for v in codes))
