"""Stand-ins for billing services that have not landed yet, with the signatures the API calls.

Installed into ``sys.modules`` only for a module that cannot be imported, so the API's write routes
are exercised now and the real services replace these the moment they exist (then these tests check
the real signatures). Each does the least a real one would: validate, scope, write, return the row.
"""

from __future__ import annotations

import importlib
import sys
import types
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import enums as e
from billing.errors import Conflict, InsufficientFunds, NotFound, ValidationError
from billing.models import Bill, Customer, Operator, Package, Payment, Voucher, VoucherBatch


def _customer(session: Session, customer_id: int, operator_id: int | None) -> Customer:
    row = session.get(Customer, customer_id)
    if row is None or row.deleted_at is not None or operator_id not in (None, row.operator_id):
        raise NotFound("customer not found", field="id")
    return row


@dataclass(frozen=True)
class CustomerCreate:
    operator_id: int | None
    package_id: int
    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    connection_type: str = "pppoe"
    billing_type: str = "postpaid"


@dataclass(frozen=True)
class CustomerUpdate:
    name: str | None = None
    package_id: int | None = None
    address: str | None = None


def create_customer(session: Session, *, data: CustomerCreate, now: datetime) -> Customer:
    if data.operator_id is None:
        raise ValidationError("operator is required", field="operator_id")
    if session.get(Package, data.package_id) is None:
        raise ValidationError("The selected package is invalid.", field="package_id")
    row = Customer(operator_id=data.operator_id, package_id=data.package_id, name=data.name, email=data.email,
                   phone=data.phone, address=data.address, connection_type=data.connection_type,
                   billing_type=data.billing_type, status=e.CustomerStatus.ACTIVE, balance=Decimal(0),
                   credit_limit=Decimal(0), desired_state=e.ServiceState.ENABLED, never_suspend=False,
                   enforce_attempts=0, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def update_customer(session: Session, customer_id: int, *, data: CustomerUpdate, now: datetime,
                    operator_id: int | None = None) -> Customer:
    row = _customer(session, customer_id, operator_id)
    for name in ("name", "package_id", "address"):
        if getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    row.updated_at = now
    session.flush()
    session.refresh(row)
    return row


def delete_customer(session: Session, customer_id: int, *, now: datetime,
                    operator_id: int | None = None) -> None:
    _customer(session, customer_id, operator_id).deleted_at = now


def _state(status: e.CustomerStatus) -> Any:
    def change(session: Session, customer_id: int, *, now: datetime, reason: str | None = None,
               operator_id: int | None = None) -> Customer:
        row = _customer(session, customer_id, operator_id)
        row.status, row.updated_at = status, now
        return row

    return change


@dataclass(frozen=True)
class PaymentCreate:
    customer_id: int
    amount: Decimal
    method: str = "cash"
    package_id: int | None = None
    reference: str | None = None
    idempotency_key: str | None = None


def record_payment(session: Session, *, data: PaymentCreate, now: datetime,
                   operator_id: int | None = None) -> Payment:
    customer = _customer(session, data.customer_id, operator_id)
    row = Payment(operator_id=customer.operator_id, customer_id=customer.id, package_id=data.package_id,
                  amount=data.amount, currency="BDT", method=data.method, status=e.PaymentStatus.COMPLETED,
                  reference=data.reference, idempotency_key=data.idempotency_key, received_at=now,
                  created_at=now)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class BillCreate:
    customer_id: int
    amount: Decimal
    due_date: date
    currency: str | None = None
    description: str | None = None


def create_bill(session: Session, *, data: BillCreate, now: datetime, operator_id: int | None = None) -> Bill:
    customer = _customer(session, data.customer_id, operator_id)
    count = len(list(session.scalars(select(Bill.id).where(Bill.operator_id == customer.operator_id))))
    row = Bill(operator_id=customer.operator_id, customer_id=customer.id, number=f"M-{count + 1}",
               amount=data.amount, amount_paid=Decimal(0), currency=data.currency or "BDT",
               status=e.BillStatus.UNPAID, issued_on=now.date(), due_date=data.due_date,
               description=data.description, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class BillUpdate:
    amount: Decimal | None = None
    due_date: date | None = None
    description: str | None = None


def _bill(session: Session, bill_id: int, operator_id: int | None) -> Bill:
    row = session.get(Bill, bill_id)
    if row is None or operator_id not in (None, row.operator_id):
        raise NotFound("bill not found", field="id")
    return row


def update_bill(session: Session, bill_id: int, *, data: BillUpdate, now: datetime,
                operator_id: int | None = None) -> Bill:
    row = _bill(session, bill_id, operator_id)
    for name in ("amount", "due_date", "description"):
        if getattr(data, name) is not None:
            setattr(row, name, getattr(data, name))
    row.updated_at = now
    return row


def delete_bill(session: Session, bill_id: int, *, now: datetime, operator_id: int | None = None) -> None:
    session.delete(_bill(session, bill_id, operator_id))


@dataclass(frozen=True)
class OperatorCreate:
    name: str
    email: str | None = None
    credit_limit: Decimal = Decimal(0)


@dataclass(frozen=True)
class OperatorUpdate:
    name: str | None = None
    phone: str | None = None


def _operator(session: Session, operator_id: int) -> Operator:
    row = session.get(Operator, operator_id)
    if row is None:
        raise NotFound("operator not found", field="id")
    return row


def create_operator(session: Session, *, data: OperatorCreate, now: datetime) -> Operator:
    row = Operator(name=data.name, email=data.email, status=e.OperatorStatus.ACTIVE, fund_balance=Decimal(0),
                   credit_limit=data.credit_limit, timezone="UTC", currency="BDT", invoice_prefix="INV",
                   next_invoice_no=1, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return row


def update_operator(session: Session, operator_id: int, *, data: OperatorUpdate, now: datetime) -> Operator:
    row = _operator(session, operator_id)
    row.name, row.phone, row.updated_at = data.name or row.name, data.phone or row.phone, now
    return row


def suspend_operator(session: Session, operator_id: int, *, now: datetime) -> Operator:
    row = _operator(session, operator_id)
    row.status, row.updated_at = e.OperatorStatus.SUSPENDED, now
    return row


def top_up(session: Session, operator_id: int, *, amount: Decimal, description: str | None,
           now: datetime) -> Operator:
    row = _operator(session, operator_id)
    row.fund_balance += amount
    return row


@dataclass(frozen=True)
class Moved:
    customer_balance: Decimal
    customer_credit_limit: Decimal
    operator_fund_balance: Decimal


def transfer(session: Session, *, operator_id: int, customer_id: int, amount: Decimal, direction: str,
             description: str | None, now: datetime) -> Moved:
    op, customer = _operator(session, operator_id), _customer(session, customer_id, operator_id)
    sign = 1 if direction == "to_customer" else -1
    if sign > 0 and op.fund_balance + op.credit_limit < amount:
        raise InsufficientFunds("the operator's fund is too low", field="amount")
    op.fund_balance -= sign * amount
    customer.balance += sign * amount
    return Moved(customer.balance, customer.credit_limit, op.fund_balance)


@dataclass(frozen=True)
class Statement:
    opening_balance: Decimal
    payments: Decimal
    adjustments: Decimal
    charges: Decimal
    closing_balance: Decimal


def customer_statement(session: Session, customer_id: int, *, start: date, end: date,
                       operator_id: int | None = None) -> Statement:
    if end < start:
        raise ValidationError("must not be before from", field="to")
    customer = _customer(session, customer_id, operator_id)
    paid = sum((p.amount for p in session.scalars(select(Payment).where(Payment.customer_id == customer.id))),
               Decimal(0))
    return Statement(Decimal(0), paid, Decimal(0), Decimal(0), paid)


def generate_vouchers(session: Session, *, package_id: int, quantity: int, now: datetime,
                      operator_id: int | None = None) -> list[Voucher]:
    package = session.get(Package, package_id)
    if package is None:
        raise ValidationError("The selected package is invalid.", field="package_id")
    batch = VoucherBatch(operator_id=operator_id, package_id=package_id, quantity=quantity,
                         value=package.price, created_at=now)
    session.add(batch)
    session.flush()
    cards = [Voucher(batch_id=batch.id, code=f"G{batch.id}X{n:04d}", package_id=package_id,
                     value=package.price, status=e.VoucherStatus.UNUSED, created_at=now)
             for n in range(quantity)]
    session.add_all(cards)
    session.flush()
    return cards


def activate_voucher(session: Session, *, code: str, phone: str | None, customer_id: int | None,
                     now: datetime, operator_id: int | None = None) -> Voucher:
    card = session.scalars(select(Voucher).where(Voucher.code == code)).first()
    if card is None:
        raise NotFound("no such voucher", field="code")
    if card.status is not e.VoucherStatus.UNUSED:
        raise Conflict("voucher already used", field="code")
    card.status, card.activated_at, card.activated_phone = e.VoucherStatus.USED, now, phone
    return card


MODULES: dict[str, dict[str, Any]] = {
    "billing.customers": {
        "CustomerCreate": CustomerCreate, "CustomerUpdate": CustomerUpdate,
        "create_customer": create_customer, "update_customer": update_customer,
        "delete_customer": delete_customer, "suspend_customer": _state(e.CustomerStatus.SUSPENDED),
        "activate_customer": _state(e.CustomerStatus.ACTIVE),
        "disable_customer": _state(e.CustomerStatus.DISABLED),
    },
    "billing.payments": {"PaymentCreate": PaymentCreate, "record_payment": record_payment},
    "billing.operators": {"OperatorCreate": OperatorCreate, "OperatorUpdate": OperatorUpdate,
                          "create_operator": create_operator, "update_operator": update_operator,
                          "suspend_operator": suspend_operator},
    "billing.funds": {"top_up": top_up, "transfer": transfer},
    "billing.statements": {"customer_statement": customer_statement},
    "billing.vouchers": {"generate_vouchers": generate_vouchers, "activate_voucher": activate_voucher},
    "billing.bills": {"BillCreate": BillCreate, "BillUpdate": BillUpdate, "create_bill": create_bill,
                      "update_bill": update_bill, "delete_bill": delete_bill},
}


def install() -> list[str]:
    """Import the API's route modules with a stand-in for each missing service module, then take the
    stand-ins out of ``sys.modules`` again so nothing else in the test run sees them."""
    import billing
    from api.app import ROUTERS

    installed = []
    for name, attrs in MODULES.items():
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            module = types.ModuleType(name, "stand-in (tests/integration/api/stand_ins.py)")
            module.__dict__.update(attrs)
            sys.modules[name] = module
            installed.append(name)
    for route_module in ROUTERS:
        try:
            importlib.import_module(route_module)
        except ModuleNotFoundError:
            pass
    for name in installed:
        del sys.modules[name]
        if hasattr(billing, name.rpartition(".")[2]):
            delattr(billing, name.rpartition(".")[2])
    return installed


INSTALLED = install()
