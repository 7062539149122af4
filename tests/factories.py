"""Small builders for test records (a real session, real rows; no mocks)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from billing import enums as e
from billing import ledger
from billing.models import Bill, Customer, Operator, Package, Subscription

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
_seq = itertools.count(1)


def operator(session: Session, **kw: Any) -> Operator:
    """An active operator (UTC unless told otherwise)."""
    n = next(_seq)
    values: dict[str, Any] = dict(
        name=f"Operator {n}", status=e.OperatorStatus.ACTIVE, fund_balance=Decimal("0"),
        credit_limit=Decimal("0"), timezone="UTC", currency="BDT", invoice_prefix=f"OP{n}",
        next_invoice_no=1, created_at=NOW, updated_at=NOW,
    )
    values.update(kw)
    row = Operator(**values)
    session.add(row)
    session.flush()
    return row


def package(session: Session, **kw: Any) -> Package:
    """A 20 Mbps PPPoE package at 1,000 BDT for 30 days."""
    n = next(_seq)
    values: dict[str, Any] = dict(
        name=f"Home {n}", service_type=e.ServiceType.PPPOE, speed_down_kbps=20_000,
        speed_up_kbps=10_000, price=Decimal("1000.00"), currency="BDT", validity_days=30,
        router_profile="20M", suspended_profile="suspended", active=True,
        created_at=NOW, updated_at=NOW,
    )
    values.update(kw)
    row = Package(**values)
    session.add(row)
    session.flush()
    return row


def customer(session: Session, op: Operator, pkg: Package, **kw: Any) -> Customer:
    """An active postpaid PPPoE customer with a unique username."""
    n = next(_seq)
    values: dict[str, Any] = dict(
        operator_id=op.id, package_id=pkg.id, name=f"Customer {n}", phone="01712345678",
        connection_type=pkg.service_type, billing_type=e.BillingType.POSTPAID,
        status=e.CustomerStatus.ACTIVE, username=f"user{n}", secret=f"pw{n}",
        never_suspend=False, balance=Decimal("0"), credit_limit=Decimal("0"),
        desired_state=e.ServiceState.ENABLED, applied_state=e.ServiceState.ENABLED,
        enforce_attempts=0, created_at=NOW, updated_at=NOW,
    )
    values.update(kw)
    row = Customer(**values)
    session.add(row)
    session.flush()
    return row


def bill(session: Session, cust: Customer, *, due: date, amount: str = "1000.00", period: str | None = None,
         paid: str = "0.00") -> Bill:
    """An unpaid (or partly paid) bill, its charge on the customer's ledger and balance."""
    n = next(_seq)
    status = e.BillStatus.UNPAID if Decimal(paid) == 0 else e.BillStatus.PARTIAL
    row = Bill(operator_id=cust.operator_id, customer_id=cust.id, number=f"T-{n:06d}", period=period,
               amount=Decimal(amount), amount_paid=Decimal(paid), currency="BDT", status=status,
               issued_on=due - timedelta(days=10), due_date=due, created_at=NOW, updated_at=NOW)
    session.add(row)
    session.flush()
    ledger.post(session, cust, e.LedgerKind.CHARGE, -Decimal(amount), now=NOW, bill_id=row.id)
    if Decimal(paid):
        ledger.post(session, cust, e.LedgerKind.PAYMENT, Decimal(paid), now=NOW)
    session.flush()
    return row


def subscription(session: Session, cust: Customer, *, expires: datetime) -> Subscription:
    """An active prepaid subscription ending at ``expires``."""
    row = Subscription(customer_id=cust.id, package_id=cust.package_id, billing_type=e.BillingType.PREPAID,
                       status=e.SubscriptionStatus.ACTIVE, starts_at=expires - timedelta(days=30),
                       expires_at=expires, price=Decimal("1000.00"), created_at=NOW)
    session.add(row)
    session.flush()
    return row
