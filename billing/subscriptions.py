"""A customer's service periods: the first one when the customer is created, a new one on a package
change (same expiry or billing day), and cancelling them when the customer goes."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from billing.enums import BillingType, SubscriptionStatus
from billing.models import Customer, Package, Subscription

LAST_CYCLE_DAY = 28


def cycle_day(now: datetime, timezone: str = "UTC") -> int:
    """The monthly billing day for a service starting at ``now`` (the operator's local day, at most 28)."""
    return min(now.astimezone(ZoneInfo(timezone)).day, LAST_CYCLE_DAY)


def start(session: Session, customer: Customer, package: Package, *, now: datetime,
          timezone: str = "UTC") -> Subscription:
    """The customer's first period: prepaid for the package's validity, or postpaid on a monthly cycle."""
    prepaid = customer.billing_type is BillingType.PREPAID
    row = Subscription(
        customer_id=customer.id, package_id=package.id, billing_type=customer.billing_type,
        status=SubscriptionStatus.ACTIVE, starts_at=now,
        expires_at=now + timedelta(days=package.validity_days) if prepaid else None,
        cycle_day=None if prepaid else cycle_day(now, timezone), price=package.price, created_at=now,
    )
    session.add(row)
    return row


def active(session: Session, customer_id: int) -> Subscription | None:
    """The customer's current period, if any."""
    stmt = (select(Subscription)
            .where(Subscription.customer_id == customer_id, Subscription.status == SubscriptionStatus.ACTIVE)
            .order_by(Subscription.starts_at.desc(), Subscription.id.desc()))
    return session.scalars(stmt).first()


def switch_package(session: Session, customer: Customer, package: Package, *,
                   now: datetime) -> Subscription | None:
    """Close the current period and open one on ``package`` from ``now``, keeping its expiry (prepaid)
    or billing day (postpaid); nothing when the customer has no current period."""
    current = active(session, customer.id)
    if current is None or current.package_id == package.id:
        return None
    current.status = SubscriptionStatus.CANCELLED
    row = Subscription(
        customer_id=customer.id, package_id=package.id, billing_type=current.billing_type,
        status=SubscriptionStatus.ACTIVE, starts_at=now, expires_at=current.expires_at,
        cycle_day=current.cycle_day, price=package.price, created_at=now,
    )
    session.add(row)
    return row


def cancel_all(session: Session, customer_id: int) -> None:
    """Cancel every current period of the customer."""
    session.execute(
        update(Subscription)
        .where(Subscription.customer_id == customer_id, Subscription.status == SubscriptionStatus.ACTIVE)
        .values(status=SubscriptionStatus.CANCELLED)
        .execution_options(synchronize_session="fetch")
    )
