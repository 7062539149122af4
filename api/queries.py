"""Read side of the API: scoped lists and lookups over the billing tables (writes go via billing/).

Every function takes ``operator_id``: when given, only that operator's rows exist; another operator's
row by id raises NotFound, exactly as a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.orm import Session

from billing.enums import CustomerStatus, ServiceType
from billing.errors import NotFound
from billing.models import Bill, Customer, Operator, Package, Payment, Subscription, Voucher
from collectors.models import UsageDaily
from store.paging import Page, page_keys, paginate

T = TypeVar("T")
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


def _scope(stmt: S, column: Any, operator_id: int | None) -> S:
    return stmt if operator_id is None else stmt.where(column == operator_id)


def _one(session: Session, stmt: Select[T], what: str) -> T:
    row = session.scalars(stmt).first()
    if row is None:
        raise NotFound(f"{what} not found", field="id")
    return row


def _page(session: Session, stmt: Select[Any], page: int, per_page: int) -> Page[Any]:
    return paginate(session, stmt, page=page, per_page=per_page)


def _customers(operator_id: int | None) -> Select[Customer]:
    stmt = select(Customer).where(Customer.deleted_at.is_(None))
    return _scope(stmt, Customer.operator_id, operator_id)


@dataclass(frozen=True, slots=True)
class PackageName:
    """A package as a customer list shows it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ListedCustomer:
    """A customer as lists show it (both versions), read as plain rows: no ORM instance per row."""

    id: int
    name: str
    email: str | None
    phone: str | None
    package: PackageName
    connection_type: ServiceType
    status: CustomerStatus
    operator_id: int
    created_at: datetime
    updated_at: datetime


LISTED = (Customer.id, Customer.name, Customer.email, Customer.phone, Customer.package_id,
          Customer.connection_type, Customer.status, Customer.operator_id, Customer.created_at,
          Customer.updated_at)
"""What a customer list shows (both versions); the rest of the row is not loaded for a page of 100."""
LISTED_ROWS = (select(*LISTED, Package.name.label("package_name"))
               .join(Package, Package.id == Customer.package_id).order_by(Customer.id))


def _listed(rows: Iterable[Any]) -> list[ListedCustomer]:
    packages: dict[int, PackageName] = {}
    out = []
    for r in rows:
        package = packages.get(r.package_id) or packages.setdefault(r.package_id, PackageName(r.package_id,
                                                                                             r.package_name))
        out.append(ListedCustomer(r.id, r.name, r.email, r.phone, package, r.connection_type, r.status,
                                  r.operator_id, r.created_at, r.updated_at))
    return out


def list_customers(session: Session, *, operator_id: int | None = None, status: str | None = None,
                   page: int = 1, per_page: int = 20) -> Page[ListedCustomer]:
    """Live customers, oldest first, optionally by status: the page's ids, then just those rows."""
    where: list[ColumnElement[bool]] = [Customer.deleted_at.is_(None)]
    if operator_id is not None:
        where.append(Customer.operator_id == operator_id)
    if status:
        where.append(Customer.status == status)
    stmt = select(Customer).where(*where).order_by(Customer.id)
    ids, total = page_keys(session, stmt, Customer.id, page=page, per_page=per_page)
    rows = session.execute(LISTED_ROWS.where(*where, Customer.id.in_(ids))).all() if ids else []
    return Page(items=_listed(rows), page=page, per_page=per_page, total=total)


def get_customer(session: Session, customer_id: int, *, operator_id: int | None = None) -> Customer:
    """One live customer visible to ``operator_id``."""
    return _one(session, _customers(operator_id).where(Customer.id == customer_id), "customer")


def list_bills(session: Session, *, operator_id: int | None = None, customer_id: int | None = None,
               page: int = 1, per_page: int = 20) -> Page[Bill]:
    """Bills, newest first, optionally of one customer."""
    stmt = _scope(select(Bill), Bill.operator_id, operator_id).order_by(Bill.id.desc())
    if customer_id is not None:
        get_customer(session, customer_id, operator_id=operator_id)
        stmt = stmt.where(Bill.customer_id == customer_id)
    return _page(session, stmt, page, per_page)


def get_bill(session: Session, bill_id: int, *, operator_id: int | None = None) -> Bill:
    """One bill visible to ``operator_id``."""
    stmt = _scope(select(Bill), Bill.operator_id, operator_id).where(Bill.id == bill_id)
    return _one(session, stmt, "bill")


def list_payments(session: Session, *, operator_id: int | None = None, customer_id: int | None = None,
                  page: int = 1, per_page: int = 20) -> Page[Payment]:
    """Payments, newest first, optionally of one customer."""
    stmt = _scope(select(Payment), Payment.operator_id, operator_id).order_by(Payment.id.desc())
    if customer_id is not None:
        get_customer(session, customer_id, operator_id=operator_id)
        stmt = stmt.where(Payment.customer_id == customer_id)
    return _page(session, stmt, page, per_page)


def get_payment(session: Session, payment_id: int, *, operator_id: int | None = None) -> Payment:
    """One payment visible to ``operator_id``."""
    stmt = _scope(select(Payment), Payment.operator_id, operator_id).where(Payment.id == payment_id)
    return _one(session, stmt, "payment")


def payment_by_key(session: Session, key: str, *, operator_id: int | None = None) -> Payment | None:
    """The payment recorded earlier under an idempotency key, if any."""
    stmt = _scope(select(Payment), Payment.operator_id, operator_id).where(Payment.idempotency_key == key)
    return session.scalars(stmt).first()


def list_subscriptions(session: Session, *, operator_id: int | None = None, customer_id: int | None = None,
                       page: int = 1, per_page: int = 20) -> Page[Subscription]:
    """Subscriptions, newest first, optionally of one customer."""
    stmt = select(Subscription).join(Customer, Customer.id == Subscription.customer_id)
    stmt = _scope(stmt, Customer.operator_id, operator_id).order_by(Subscription.id.desc())
    if customer_id is not None:
        get_customer(session, customer_id, operator_id=operator_id)
        stmt = stmt.where(Subscription.customer_id == customer_id)
    return _page(session, stmt, page, per_page)


def _packages(operator_id: int | None) -> Select[Package]:
    stmt = select(Package)
    if operator_id is not None:
        stmt = stmt.where(or_(Package.operator_id.is_(None), Package.operator_id == operator_id))
    return stmt


def list_packages(session: Session, *, operator_id: int | None = None, page: int = 1,
                  per_page: int = 20) -> Page[Package]:
    """Packages: shared ones and the operator's own."""
    return _page(session, _packages(operator_id).order_by(Package.id), page, per_page)


def get_package(session: Session, package_id: int, *, operator_id: int | None = None) -> Package:
    """One package visible to ``operator_id``."""
    return _one(session, _packages(operator_id).where(Package.id == package_id), "package")


def list_operators(session: Session, *, operator_id: int | None = None, page: int = 1,
                   per_page: int = 20) -> Page[Operator]:
    """Operators (a scoped caller sees only its own)."""
    stmt = _scope(select(Operator), Operator.id, operator_id).order_by(Operator.id)
    return _page(session, stmt, page, per_page)


def list_vouchers(session: Session, *, operator_id: int | None = None, page: int = 1,
                  per_page: int = 20) -> Page[Voucher]:
    """Recharge cards, newest first (a scoped caller sees cards of its own and shared packages)."""
    stmt = select(Voucher).join(Package, Package.id == Voucher.package_id).order_by(Voucher.id.desc())
    if operator_id is not None:
        stmt = stmt.where(or_(Package.operator_id.is_(None), Package.operator_id == operator_id))
    return _page(session, stmt, page, per_page)


def customer_usage(session: Session, customer_id: int, *, start: date, end: date,
                   operator_id: int | None = None) -> list[UsageDaily]:
    """A customer's daily traffic from ``start`` to ``end`` inclusive."""
    get_customer(session, customer_id, operator_id=operator_id)
    stmt = (select(UsageDaily).where(UsageDaily.customer_id == customer_id, UsageDaily.day >= start,
                                     UsageDaily.day <= end).order_by(UsageDaily.day))
    return list(session.scalars(stmt))
