"""Bill, payment and subscription shapes (read shapes are shared by v1 lists and v2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Amount, Day, Id, UtcTime
from billing.enums import BillStatus, PaymentMethod
from billing.models import Bill, Payment, Subscription


class BillCreateIn(BaseModel):
    """A manual bill for a customer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "customer_id": 2087, "amount": 1500, "currency": "BDT", "due_date": "2026-05-01",
        "description": "Monthly subscription — Fiber 200 Mbps (May 2026)"}]})

    customer_id: Id
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    due_date: Day
    description: str | None = Field(None, max_length=2000)


class BillUpdateIn(BaseModel):
    """Fields of a bill to change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "due_date": "2026-05-10", "description": "Monthly subscription (May 2026), extended"}]})

    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    due_date: Day | None = None
    description: str | None = Field(None, max_length=2000)
    status: BillStatus | None = None


class BillRead(BaseModel):
    """A bill."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 8431, "customer_id": 2087, "amount": 1500, "currency": "BDT", "status": "unpaid",
        "due_date": "2026-05-01", "description": "Monthly subscription — Fiber 200 Mbps (May 2026)",
        "created_at": "2026-04-15T00:00:00Z"}]})

    id: int
    customer_id: int
    amount: Amount
    currency: str
    status: str
    due_date: date
    description: str | None
    created_at: UtcTime

    @classmethod
    def of(cls, b: Bill) -> BillRead:
        return cls(id=b.id, customer_id=b.customer_id, amount=b.amount, currency=b.currency,
                   status=b.status.value, due_date=b.due_date, description=b.description,
                   created_at=b.created_at)


class InvoiceRead(BillRead):
    """A bill seen as an invoice (v1): with its number, period and what is paid."""

    number: str
    period: str | None
    amount_paid: Amount
    issued_on: date

    @classmethod
    def of(cls, b: Bill) -> InvoiceRead:
        return cls(**BillRead.of(b).model_dump(), number=b.number, period=b.period,
                   amount_paid=b.amount_paid, issued_on=b.issued_on)


class PaymentCreateIn(BaseModel):
    """Record a payment (send an ``Idempotency-Key`` header so a retry returns the first result)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "customer_id": 1, "package_id": 1, "amount": 10000, "payment_method": "cash",
        "reference": "CASH-001"}]})

    customer_id: Id
    package_id: Id | None = None
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    payment_method: PaymentMethod = PaymentMethod.CASH
    reference: str | None = Field(None, max_length=64)
    transaction_id: str | None = Field(None, max_length=64)
    note: str | None = Field(None, max_length=2000)


class PaymentRead(BaseModel):
    """A payment."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 311, "customer_id": 1, "package_id": 1, "amount": 10000, "currency": "BDT",
        "payment_method": "cash", "status": "completed", "reference": "CASH-001", "transaction_id": None,
        "received_at": "2026-04-15T09:30:00Z", "created_at": "2026-04-15T09:30:00Z"}]})

    id: int
    customer_id: int
    package_id: int | None
    amount: Amount
    currency: str
    payment_method: str
    status: str
    reference: str | None
    transaction_id: str | None
    received_at: UtcTime
    created_at: UtcTime

    @classmethod
    def of(cls, p: Payment) -> PaymentRead:
        return cls(id=p.id, customer_id=p.customer_id, package_id=p.package_id, amount=p.amount,
                   currency=p.currency, payment_method=p.method.value, status=p.status.value,
                   reference=p.reference, transaction_id=p.transaction_id, received_at=p.received_at,
                   created_at=p.created_at)


class SubscriptionRead(BaseModel):
    """A customer's service period."""

    id: int
    customer_id: int
    package_id: int
    billing_type: str
    status: str
    price: Amount
    starts_at: UtcTime
    expires_at: UtcTime | None
    cycle_day: int | None
    created_at: UtcTime

    @classmethod
    def of(cls, s: Subscription) -> SubscriptionRead:
        return cls(id=s.id, customer_id=s.customer_id, package_id=s.package_id,
                   billing_type=s.billing_type.value, status=s.status.value, price=s.price,
                   starts_at=s.starts_at, expires_at=s.expires_at, cycle_day=s.cycle_day,
                   created_at=s.created_at)
