"""Billing tables: operators, staff, packages, customers, subscriptions, bills, payments, ledger,
vouchers, complaints, the suspension runs and their log, and the event outbox."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from billing import enums as e
from store import Base, Money, UTCDateTime
from store.types import str_enum


class Timestamped:
    """Created/updated times, set by the services from their ``now``."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Operator(Timestamped, Base):
    """A reseller/partner running its own customers, with a fund balance and a credit limit."""

    __tablename__ = "operators"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[e.OperatorStatus] = mapped_column(str_enum(e.OperatorStatus))
    fund_balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="BDT")
    grace_days: Mapped[int | None] = mapped_column(Integer)
    invoice_prefix: Mapped[str] = mapped_column(String(16), default="INV")
    next_invoice_no: Mapped[int] = mapped_column(Integer, default=1)


class StaffUser(Base):
    """A person who logs in: admin, billing, NOC or read-only, optionally scoped to an operator."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[e.StaffRole] = mapped_column(str_enum(e.StaffRole))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Package(Timestamped, Base):
    """A service plan: speeds, price, validity and the router profiles for active/suspended."""

    __tablename__ = "packages"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    service_type: Mapped[e.ServiceType] = mapped_column(str_enum(e.ServiceType))
    speed_down_kbps: Mapped[int] = mapped_column(Integer)
    speed_up_kbps: Mapped[int] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="BDT")
    validity_days: Mapped[int] = mapped_column(Integer, default=30)
    router_profile: Mapped[str | None] = mapped_column(String(64))
    suspended_profile: Mapped[str | None] = mapped_column(String(64))
    enforcement: Mapped[e.EnforcementStyle | None] = mapped_column(str_enum(e.EnforcementStyle))
    grace_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Customer(Timestamped, Base):
    """A subscriber: contact, service, credentials on the router and enforcement state."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_status_billing", "status", "billing_type"),
        Index("ix_customers_enforce", "desired_state", "applied_state"),
        Index("ix_customers_live_id", "deleted_at", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(Text)
    connection_type: Mapped[e.ServiceType] = mapped_column(str_enum(e.ServiceType))
    billing_type: Mapped[e.BillingType] = mapped_column(str_enum(e.BillingType))
    status: Mapped[e.CustomerStatus] = mapped_column(str_enum(e.CustomerStatus))
    suspend_reason: Mapped[e.SuspendReason | None] = mapped_column(str_enum(e.SuspendReason))
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    secret: Mapped[str | None] = mapped_column(String(128))
    static_ip: Mapped[str | None] = mapped_column(String(45))
    onu_serial: Mapped[str | None] = mapped_column(String(32), index=True)
    onu_mac: Mapped[str | None] = mapped_column(String(17))
    router_id: Mapped[int | None] = mapped_column(Integer, index=True)
    never_suspend: Mapped[bool] = mapped_column(Boolean, default=False)
    promise_to_pay_until: Mapped[date | None] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    credit_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    desired_state: Mapped[e.ServiceState] = mapped_column(str_enum(e.ServiceState))
    applied_state: Mapped[e.ServiceState | None] = mapped_column(str_enum(e.ServiceState))
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enforce_attempts: Mapped[int] = mapped_column(Integer, default=0)
    enforce_error: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    package: Mapped[Package] = relationship(lazy="joined", innerjoin=True)


class Subscription(Base):
    """A customer's service period: prepaid until ``expires_at`` or postpaid on a monthly cycle."""

    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_expiry", "status", "expires_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    billing_type: Mapped[e.BillingType] = mapped_column(str_enum(e.BillingType))
    status: Mapped[e.SubscriptionStatus] = mapped_column(str_enum(e.SubscriptionStatus))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cycle_day: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Bill(Timestamped, Base):
    """An amount a customer owes, numbered per operator (the invoice number)."""

    __tablename__ = "bills"
    __table_args__ = (
        UniqueConstraint("operator_id", "number"),
        UniqueConstraint("customer_id", "period"),
        Index("ix_bills_open", "status", "due_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    number: Mapped[str] = mapped_column(String(32))
    period: Mapped[str | None] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(Money)
    amount_paid: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[e.BillStatus] = mapped_column(str_enum(e.BillStatus))
    issued_on: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)


class Payment(Base):
    """Money received from a customer; idempotent on its key and on (customer, reference)."""

    __tablename__ = "payments"
    __table_args__ = (UniqueConstraint("customer_id", "reference"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[e.PaymentMethod] = mapped_column(str_enum(e.PaymentMethod))
    status: Mapped[e.PaymentStatus] = mapped_column(str_enum(e.PaymentStatus))
    reference: Mapped[str | None] = mapped_column(String(64))
    transaction_id: Mapped[str | None] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    note: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentAllocation(Base):
    """The part of a payment (or of held credit, when no payment) that went to one bill."""

    __tablename__ = "payment_allocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    bill_id: Mapped[int] = mapped_column(ForeignKey("bills.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """One signed movement on a customer's account (charges negative), with the balance after."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_customer_time", "customer_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[e.LedgerKind] = mapped_column(str_enum(e.LedgerKind))
    amount: Mapped[Decimal] = mapped_column(Money)
    balance_after: Mapped[Decimal] = mapped_column(Money)
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FundTransaction(Base):
    """A movement on an operator's fund: a top-up, or money moved to or from a customer."""

    __tablename__ = "fund_transactions"
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[e.FundKind] = mapped_column(str_enum(e.FundKind))
    amount: Mapped[Decimal] = mapped_column(Money)
    balance_after: Mapped[Decimal] = mapped_column(Money)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VoucherBatch(Base):
    """One generation of recharge cards for a package."""

    __tablename__ = "voucher_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("operators.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Voucher(Base):
    """A recharge card: an unguessable code that works once."""

    __tablename__ = "vouchers"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("voucher_batches.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
    value: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[e.VoucherStatus] = mapped_column(str_enum(e.VoucherStatus))
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    activated_phone: Mapped[str | None] = mapped_column(String(32))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Complaint(Timestamped, Base):
    """A support ticket opened for a customer."""

    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    status: Mapped[e.ComplaintStatus] = mapped_column(str_enum(e.ComplaintStatus))


class SuspensionRun(Base):
    """One auto-suspension run, real or dry, with its counts."""

    __tablename__ = "suspension_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[e.RunStatus] = mapped_column(str_enum(e.RunStatus))
    trigger: Mapped[str] = mapped_column(String(32), default="cli")
    suspended: Mapped[int] = mapped_column(Integer, default=0)
    reactivated: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class SuspensionLog(Base):
    """One customer suspended or reactivated, why, and for which bills and amount."""

    __tablename__ = "suspension_log"
    __table_args__ = (Index("ix_suspension_log_time", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("suspension_runs.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    action: Mapped[e.SuspensionAction] = mapped_column(str_enum(e.SuspensionAction))
    reason: Mapped[str] = mapped_column(String(64))
    bill_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    amount_due: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunLock(Base):
    """A named lock row (SQLite has no advisory locks): held until ``expires_at``."""

    __tablename__ = "run_locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutboxEvent(Base):
    """A domain event written in the same transaction as its change, delivered later."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_pending", "dispatched_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
