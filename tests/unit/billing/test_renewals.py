"""Prepaid renewals from the balance: limits, extension from expiry, reactivation, auto-renewal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.enums import (
    BillingType,
    CustomerStatus,
    LedgerKind,
    ServiceState,
    SuspendReason,
    SuspensionAction,
)
from billing.errors import InsufficientFunds, NotFound, ValidationError
from billing.models import Customer, LedgerEntry, OutboxEvent, Subscription, SuspensionLog
from billing.renewals import renew_due_prepaid, renew_prepaid
from tests import factories as f
from tests.factories import NOW


def _prepaid(session: Session, balance: str = "1000.00", limit: str = "0.00", **kw: object) -> Customer:
    op, pkg = f.operator(session), f.package(session, price=Decimal("1000.00"), validity_days=30)
    return f.customer(session, op, pkg, billing_type=BillingType.PREPAID, balance=Decimal(balance),
                      credit_limit=Decimal(limit), **kw)


def test_renewal_extends_from_the_current_expiry(session: Session) -> None:
    cust = _prepaid(session, balance="2500.00")
    current = f.subscription(session, cust, expires=NOW + timedelta(days=5))
    sub = renew_prepaid(session, cust.id, now=NOW)
    assert sub is current and sub.expires_at == NOW + timedelta(days=35)
    assert cust.balance == Decimal("1500.00")
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.customer_id == cust.id)).one()
    assert (entry.kind, entry.amount) == (LedgerKind.CHARGE, Decimal("-1000.00"))


def test_first_renewal_starts_now(session: Session) -> None:
    cust = _prepaid(session, status=CustomerStatus.NEW)
    sub = renew_prepaid(session, cust.id, now=NOW)
    assert (sub.starts_at, sub.expires_at) == (NOW, NOW + timedelta(days=30))
    assert cust.status == CustomerStatus.ACTIVE and cust.balance == Decimal("0.00")


def test_renewal_wakes_a_customer_suspended_for_expiry(session: Session) -> None:
    cust = _prepaid(session, status=CustomerStatus.SUSPENDED, suspend_reason=SuspendReason.EXPIRED,
                    desired_state=ServiceState.SUSPENDED)
    f.subscription(session, cust, expires=NOW - timedelta(days=3))
    sub = renew_prepaid(session, cust.id, now=NOW)
    assert sub.expires_at == NOW + timedelta(days=30)
    assert (cust.status, cust.suspend_reason, cust.desired_state) == (
        CustomerStatus.ACTIVE, None, ServiceState.ENABLED)
    log = session.scalars(select(SuspensionLog).where(SuspensionLog.customer_id == cust.id)).one()
    assert log.action == SuspensionAction.REACTIVATE
    event = session.scalars(select(OutboxEvent).where(OutboxEvent.event == "customer.activated")).one()
    assert event.payload["customer_id"] == cust.id


def test_manual_suspension_is_not_lifted_by_a_renewal(session: Session) -> None:
    cust = _prepaid(session, status=CustomerStatus.SUSPENDED, suspend_reason=SuspendReason.MANUAL)
    renew_prepaid(session, cust.id, now=NOW)
    assert cust.status == CustomerStatus.SUSPENDED


def test_credit_limit_allows_a_little_debt_and_no_more(session: Session) -> None:
    cust = _prepaid(session, balance="900.00", limit="100.00")
    renew_prepaid(session, cust.id, now=NOW)
    assert cust.balance == Decimal("-100.00")
    with pytest.raises(InsufficientFunds) as err:
        renew_prepaid(session, cust.id, now=NOW)
    assert err.value.field == "balance" and cust.balance == Decimal("-100.00")
    assert len(session.scalars(select(LedgerEntry).where(LedgerEntry.customer_id == cust.id)).all()) == 1


def test_postpaid_and_unknown_customers_are_refused(session: Session) -> None:
    post = f.customer(session, f.operator(session), f.package(session), balance=Decimal("5000"))
    with pytest.raises(ValidationError) as err:
        renew_prepaid(session, post.id, now=NOW)
    assert err.value.field == "customer_id" and post.balance == Decimal("5000")
    with pytest.raises(NotFound):
        renew_prepaid(session, 999_999, now=NOW)
    cust = _prepaid(session)
    with pytest.raises(NotFound):
        renew_prepaid(session, cust.id, now=NOW, operator_id=f.operator(session).id)


def test_auto_renewal_picks_expired_customers_who_can_pay(session: Session) -> None:
    ready = _prepaid(session, status=CustomerStatus.SUSPENDED, suspend_reason=SuspendReason.EXPIRED)
    broke = _prepaid(session, balance="999.99")
    running = _prepaid(session)
    manual = _prepaid(session, status=CustomerStatus.SUSPENDED, suspend_reason=SuspendReason.MANUAL)
    for cust, days in ((ready, -2), (broke, -2), (running, 3), (manual, -2)):
        f.subscription(session, cust, expires=NOW + timedelta(days=days))
    assert renew_due_prepaid(session, now=NOW) == 1
    subs = {s.customer_id: s.expires_at for s in session.scalars(select(Subscription))}
    assert subs[ready.id] == NOW + timedelta(days=30) and ready.status == CustomerStatus.ACTIVE
    assert subs[broke.id] == NOW - timedelta(days=2) and broke.balance == Decimal("999.99")
    assert subs[running.id] == NOW + timedelta(days=3)
    assert renew_due_prepaid(session, now=NOW) == 0
