"""Every status and kind of the billing domain, one labelled enum each (lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class OperatorStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class StaffRole(StrEnum):
    ADMIN = "admin"
    BILLING = "billing"
    NOC = "noc"
    READ_ONLY = "read-only"


class ServiceType(StrEnum):
    PPPOE = "pppoe"
    HOTSPOT = "hotspot"
    STATIC = "static"
    FIBER = "fiber"
    WIRELESS = "wireless"


class CustomerStatus(StrEnum):
    NEW = "new"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISABLED = "disabled"
    EXPIRED = "expired"


class BillingType(StrEnum):
    PREPAID = "prepaid"
    POSTPAID = "postpaid"


class ServiceState(StrEnum):
    """What the router should do (desired) or does (applied) for a customer."""

    ENABLED = "enabled"
    SUSPENDED = "suspended"


class EnforcementStyle(StrEnum):
    PROFILE_SWAP = "profile"
    ADDRESS_LIST = "address-list"


class SuspendReason(StrEnum):
    OVERDUE = "overdue"
    EXPIRED = "expired"
    MANUAL = "manual"
    DISABLED = "disabled"


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class BillStatus(StrEnum):
    UNPAID = "unpaid"
    PARTIAL = "partial"
    PAID = "paid"
    CANCELLED = "cancelled"


class PaymentMethod(StrEnum):
    CASH = "cash"
    BKASH = "bkash"
    NAGAD = "nagad"
    MOBILE_MONEY = "mobile_money"
    BANK = "bank"
    CARD = "card"
    VOUCHER = "voucher"
    BALANCE = "balance"
    OTHER = "other"


class PaymentStatus(StrEnum):
    COMPLETED = "completed"
    REVERSED = "reversed"


class LedgerKind(StrEnum):
    """Ledger entries: charges are negative amounts, everything else as signed."""

    CHARGE = "charge"
    PAYMENT = "payment"
    ADJUSTMENT = "adjustment"
    TRANSFER = "transfer"


class FundKind(StrEnum):
    TOPUP = "topup"
    TO_CUSTOMER = "to_customer"
    FROM_CUSTOMER = "from_customer"


class VoucherStatus(StrEnum):
    UNUSED = "unused"
    USED = "used"
    DISABLED = "disabled"


class ComplaintStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class SuspensionAction(StrEnum):
    SUSPEND = "suspend"
    REACTIVATE = "reactivate"


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
