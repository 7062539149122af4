"""Prepaid renewals: charge the package price from the balance and extend the subscription."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from billing import events, ledger
from billing.enums import (
    BillingType,
    CustomerStatus,
    LedgerKind,
    ServiceState,
    SubscriptionStatus,
    SuspendReason,
    SuspensionAction,
)
from billing.errors import Conflict, InsufficientFunds, NotFound, ValidationError
from billing.models import Customer, Package, Subscription, SuspensionLog


def _customer(session: Session, customer_id: int, operator_id: int | None) -> Customer:
    customer = ledger.lock_customer(session, customer_id)
    if customer is None or operator_id not in (None, customer.operator_id):
        raise NotFound("customer not found", field="customer_id")
    if customer.billing_type != BillingType.PREPAID:
        raise ValidationError("Only a prepaid customer is renewed from the balance.", field="customer_id")
    if customer.status == CustomerStatus.DISABLED:
        raise Conflict("A disabled customer cannot be renewed.", field="customer_id")
    return customer


def current_subscription(session: Session, customer_id: int) -> Subscription | None:
    """The customer's active subscription that runs longest."""
    stmt = (select(Subscription)
            .where(Subscription.customer_id == customer_id, Subscription.status == SubscriptionStatus.ACTIVE)
            .order_by(Subscription.expires_at.desc(), Subscription.id.desc()).limit(1))
    return session.scalars(stmt).first()


def _extend(session: Session, customer: Customer, package: Package, now: datetime) -> Subscription:
    sub = current_subscription(session, customer.id)
    if sub is None:
        sub = Subscription(customer_id=customer.id, package_id=package.id, billing_type=BillingType.PREPAID,
                           status=SubscriptionStatus.ACTIVE, starts_at=now, expires_at=now,
                           price=package.price, created_at=now)
        session.add(sub)
    start = max(now, sub.expires_at or now)
    sub.expires_at = start + timedelta(days=package.validity_days)
    sub.package_id, sub.price = package.id, package.price
    return sub


def _wake(session: Session, customer: Customer, now: datetime) -> None:
    """A customer stopped for expiry (or never started) is active again once paid up."""
    expired = customer.status == CustomerStatus.SUSPENDED and customer.suspend_reason == SuspendReason.EXPIRED
    if not (expired or customer.status in (CustomerStatus.NEW, CustomerStatus.EXPIRED)):
        return
    customer.status, customer.suspend_reason = CustomerStatus.ACTIVE, None
    customer.desired_state = ServiceState.ENABLED
    session.execute(insert(SuspensionLog), [{
        "run_id": None, "customer_id": customer.id, "action": SuspensionAction.REACTIVATE,
        "reason": "renewal", "bill_ids": [], "amount_due": 0, "created_at": now}])
    events.emit(session, "customer.activated", {"customer_id": customer.id, "reason": "renewal"}, now=now)


def renew_prepaid(session: Session, customer_id: int, *, now: datetime,
                  operator_id: int | None = None) -> Subscription:
    """Charge one period of the customer's package and extend the subscription from its end (or now)."""
    customer = _customer(session, customer_id, operator_id)
    package = customer.package
    if customer.balance - package.price < -customer.credit_limit:
        raise InsufficientFunds("The balance does not cover the package price.", field="balance")
    ledger.post(session, customer, LedgerKind.CHARGE, -package.price, now=now,
                description=f"renewal {package.name}")
    sub = _extend(session, customer, package, now)
    _wake(session, customer, now)
    customer.updated_at = now
    session.flush()
    return sub


def due_for_renewal(session: Session, *, now: datetime) -> list[int]:
    """Prepaid customers whose service has run out and whose balance pays one more period: one query."""
    latest = (select(Subscription.customer_id, func.max(Subscription.expires_at).label("until"))
              .where(Subscription.status == SubscriptionStatus.ACTIVE)
              .group_by(Subscription.customer_id).subquery())
    stmt = (
        select(Customer.id)
        .join(Package, Package.id == Customer.package_id)
        .join(latest, latest.c.customer_id == Customer.id)
        .where(Customer.billing_type == BillingType.PREPAID, Customer.deleted_at.is_(None),
               latest.c.until <= now, Customer.balance - Package.price >= -Customer.credit_limit,
               or_(Customer.status.in_((CustomerStatus.ACTIVE, CustomerStatus.EXPIRED)),
                   and_(Customer.status == CustomerStatus.SUSPENDED,
                        Customer.suspend_reason == SuspendReason.EXPIRED)))
        .order_by(Customer.id)
    )
    return list(session.scalars(stmt))


def renew_due_prepaid(session: Session, *, now: datetime) -> int:
    """Auto-renew every expired prepaid customer whose balance covers a period; returns how many."""
    renewed = 0
    for customer_id in due_for_renewal(session, now=now):
        customer = ledger.lock_customer(session, customer_id)
        if customer is None or customer.balance - customer.package.price < -customer.credit_limit:
            continue
        renew_prepaid(session, customer_id, now=now)
        renewed += 1
    return renewed
