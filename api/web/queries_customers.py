"""Read side of the dashboard's customer pages: search, and one customer's billing beside their network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.queries import get_customer
from billing.enums import ServiceState
from billing.models import Bill, Customer, Payment, SuspensionLog
from collectors.models import Device, Onu, SubscriberSession, UsageDaily
from store.paging import Page, paginate

RECENT = 20
USAGE_DAYS = 30


@dataclass(frozen=True)
class CustomerSearch:
    """The customer list's search and status filter."""

    q: str | None = None
    status: str | None = None


def list_customers(session: Session, search: CustomerSearch, *, operator_id: int | None, page: int,
                   per_page: int = 50) -> Page[Customer]:
    """Live customers by id, searched by name, username, phone or email."""
    q, status = search.q, search.status
    stmt = select(Customer).where(Customer.deleted_at.is_(None)).order_by(Customer.id)
    if operator_id is not None:
        stmt = stmt.where(Customer.operator_id == operator_id)
    if status:
        stmt = stmt.where(Customer.status == status)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(Customer.name.ilike(like), Customer.username.ilike(like),
                              Customer.phone.ilike(like), Customer.email.ilike(like)))
    return paginate(session, stmt, page=page, per_page=per_page)


@dataclass(frozen=True)
class CustomerDetail:
    """A customer's billing and network state for the customer page."""

    customer: Customer
    bills: list[Bill]
    payments: list[Payment]
    session: SubscriberSession | None
    onu: Onu | None
    router: Device | None
    usage: list[UsageDaily]
    log: list[SuspensionLog]


def _live_session(session: Session, customer: Customer) -> SubscriberSession | None:
    who = [SubscriberSession.customer_id == customer.id]
    if customer.username:
        who.append(SubscriberSession.username == customer.username)
    stmt = (select(SubscriberSession).where(or_(*who), SubscriberSession.ended_at.is_(None))
            .order_by(SubscriberSession.started_at.desc()).limit(1))
    return session.scalars(stmt).first()


def _onu(session: Session, customer: Customer) -> Onu | None:
    who = [Onu.customer_id == customer.id]
    if customer.onu_serial:
        who.append(Onu.serial == customer.onu_serial)
    return session.scalars(select(Onu).where(or_(*who)).order_by(Onu.id).limit(1)).first()


def customer_detail(session: Session, customer_id: int, *, now: datetime,
                    operator_id: int | None) -> CustomerDetail:
    """Everything the customer page shows (NotFound outside the caller's operator)."""
    customer = get_customer(session, customer_id, operator_id=operator_id)
    bills = session.scalars(select(Bill).where(Bill.customer_id == customer_id)
                            .order_by(Bill.id.desc()).limit(RECENT)).all()
    payments = session.scalars(select(Payment).where(Payment.customer_id == customer_id)
                               .order_by(Payment.id.desc()).limit(RECENT)).all()
    router = session.get(Device, customer.router_id) if customer.router_id else None
    usage = session.scalars(select(UsageDaily).where(
        UsageDaily.customer_id == customer_id, UsageDaily.day >= (now - timedelta(days=USAGE_DAYS)).date())
        .order_by(UsageDaily.day)).all()
    log = session.scalars(select(SuspensionLog).where(SuspensionLog.customer_id == customer_id)
                          .order_by(SuspensionLog.id.desc()).limit(RECENT)).all()
    return CustomerDetail(customer, list(bills), list(payments), _live_session(session, customer),
                          _onu(session, customer), router, list(usage), list(log))


def router_outcome(session: Session, customer_id: int) -> tuple[bool, str | None]:
    """Whether the router has what the store wants for the customer, and the last refusal if not."""
    row = session.execute(select(Customer.desired_state, Customer.applied_state, Customer.enforce_error)
                          .where(Customer.id == customer_id)).one_or_none()
    if row is None:
        return False, "no such customer"
    desired, applied, error = row
    in_place = desired == applied or (applied is None and desired == ServiceState.ENABLED)
    return in_place, error
