"""Recording a payment: idempotent, allocated to the oldest unpaid bills first, the rest kept as
credit, and a customer suspended for debt is reactivated at once in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from billing import events, ledger
from billing.enums import (
    CustomerStatus,
    LedgerKind,
    PaymentMethod,
    PaymentStatus,
    ServiceState,
    SuspendReason,
    SuspensionAction,
)
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer, Package, Payment
from billing.policy import SuspensionPolicy, still_overdue
from billing.suspension import Entry, log
from store.types import to_money

MAX_AMOUNT = Decimal("100000000")


@dataclass(frozen=True)
class PaymentCreate:
    """A payment received from a customer."""

    customer_id: int
    amount: Decimal
    method: str = "cash"
    package_id: int | None = None
    reference: str | None = None
    transaction_id: str | None = None
    note: str | None = None
    idempotency_key: str | None = None
    received_at: datetime | None = None


def _amount(value: object) -> Decimal:
    try:
        amount = to_money(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError("The amount must be a number.", field="amount") from exc
    if amount <= 0:
        raise ValidationError("The amount must be greater than zero.", field="amount")
    if amount >= MAX_AMOUNT:
        raise ValidationError("The amount is too large.", field="amount")
    return amount


def _validate(
    session: Session, data: PaymentCreate, operator_id: int | None
) -> tuple[Decimal, PaymentMethod]:
    amount = _amount(data.amount)
    try:
        method = PaymentMethod(data.method)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in PaymentMethod)
        raise ValidationError(f"The method must be one of: {allowed}.", field="method") from exc
    for name in ("reference", "transaction_id"):
        value = getattr(data, name)
        if value is not None and not 1 <= len(value) <= 64:
            raise ValidationError(f"The {name} must be 1 to 64 characters.", field=name)
    if data.idempotency_key is not None and not 1 <= len(data.idempotency_key) <= 128:
        raise ValidationError("The idempotency key must be 1 to 128 characters.", field="idempotency_key")
    if data.package_id is not None and session.get(Package, data.package_id) is None:
        raise ValidationError("The selected package is invalid.", field="package_id")
    customer = session.get(Customer, data.customer_id)
    if customer is None or customer.deleted_at is not None or operator_id not in (None, customer.operator_id):
        raise NotFound("customer not found", field="customer_id")
    return amount, method


def _existing(session: Session, data: PaymentCreate) -> Payment | None:
    """A payment this request already recorded (same idempotency key, or same customer reference)."""
    clauses = []
    if data.idempotency_key:
        clauses.append(Payment.idempotency_key == data.idempotency_key)
    if data.reference:
        clauses.append((Payment.customer_id == data.customer_id) & (Payment.reference == data.reference))
    if not clauses:
        return None
    return session.scalars(select(Payment).where(or_(*clauses)).order_by(Payment.id).limit(1)).first()


def _same(found: Payment, data: PaymentCreate, amount: Decimal) -> Payment:
    if found.customer_id != data.customer_id or found.amount != amount:
        field = "idempotency_key" if data.idempotency_key == found.idempotency_key else "reference"
        raise Conflict(f"The {field} was already used for a different payment.", field=field)
    return found


def record_payment(
    session: Session, *, data: PaymentCreate, now: datetime, operator_id: int | None = None,
    policy: SuspensionPolicy | None = None,
) -> Payment:
    """Record ``data`` once (a retry returns the first payment) and settle bills with it."""
    amount, method = _validate(session, data, operator_id)
    found = _existing(session, data)
    if found is not None:
        return _same(found, data, amount)
    customer = ledger.lock_customer(session, data.customer_id)
    if customer is None:
        raise NotFound("customer not found", field="customer_id")
    payment = Payment(
        operator_id=customer.operator_id, customer_id=customer.id, package_id=data.package_id, amount=amount,
        currency=customer.package.currency, method=method, status=PaymentStatus.COMPLETED,
        reference=data.reference, transaction_id=data.transaction_id, idempotency_key=data.idempotency_key,
        note=data.note, received_at=data.received_at or now, created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        found = _existing(session, data)
        if found is None:
            raise
        return _same(found, data, amount)
    _settle(session, customer, payment, now=now)
    reactivate_if_cleared(session, customer, now=now, policy=policy or SuspensionPolicy())
    return payment


def _settle(session: Session, customer: Customer, payment: Payment, *, now: datetime) -> None:
    note = f"payment {payment.method.value}" + (f" {payment.reference}" if payment.reference else "")
    ledger.post(session, customer, LedgerKind.PAYMENT, payment.amount, now=now, payment_id=payment.id,
                description=note)
    allocations = ledger.apply_credit(session, customer, now=now, payment_id=payment.id)
    data = {"payment_id": payment.id, "customer_id": customer.id, "amount": payment.amount,
            "method": payment.method.value, "reference": payment.reference,
            "bills": [a.bill_id for a in allocations], "balance": customer.balance}
    events.emit(session, ("payment.received", "payment.completed"), data, now=now)


def reactivate_if_cleared(session: Session, customer: Customer, *, now: datetime,
                          policy: SuspensionPolicy) -> bool:
    """Reactivate a customer suspended for debt once no bill is past due plus grace any more."""
    if customer.status != CustomerStatus.SUSPENDED or customer.suspend_reason != SuspendReason.OVERDUE:
        return False
    session.flush()
    if still_overdue(session, customer.id, now=now, policy=policy):
        return False
    customer.status = CustomerStatus.ACTIVE
    customer.suspend_reason = None
    customer.desired_state = ServiceState.ENABLED
    customer.updated_at = now
    log(session, [Entry(customer.id, SuspensionAction.REACTIVATE, "payment")], run_id=None, now=now)
    return True


def get_payment(session: Session, payment_id: int, *, operator_id: int | None = None) -> Payment:
    """One payment, within the caller's operator."""
    payment = session.get(Payment, payment_id)
    if payment is None or operator_id not in (None, payment.operator_id):
        raise NotFound("payment not found", field="id")
    return payment
