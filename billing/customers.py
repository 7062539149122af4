"""Customers: create (with the first subscription), change, move to another package, suspend, activate,
disable and soft-delete. Every input is checked before anything is written."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from string import hexdigits
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import events, ledger, subscriptions
from billing.enums import (
    BillingType,
    CustomerStatus,
    ServiceState,
    ServiceType,
    SuspendReason,
    SuspensionAction,
)
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer, Package, SuspensionLog
from billing.operators import (
    active_operator,
    clean_choice,
    clean_email,
    clean_int,
    clean_money,
    clean_name,
    clean_phone,
    clean_text,
    insert_unique,
)
from billing.packages import usable_package

USERNAME = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
SERIAL = re.compile(r"^[A-Za-z0-9-]{1,32}$")
NEEDS_LOGIN = (ServiceType.PPPOE, ServiceType.HOTSPOT)
CREATE_STATUSES = (CustomerStatus.ACTIVE, CustomerStatus.NEW)
TAKEN = "this username is already taken"


@dataclass(frozen=True)
class CustomerCreate:
    """A new customer; ``connection_type`` None takes the package's service type."""

    operator_id: int | None
    package_id: int
    name: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    connection_type: ServiceType | str | None = None
    billing_type: BillingType | str = BillingType.POSTPAID
    username: str | None = None
    secret: str | None = None
    static_ip: str | None = None
    onu_serial: str | None = None
    onu_mac: str | None = None
    router_id: int | None = None
    never_suspend: bool = False
    promise_to_pay_until: date | None = None
    credit_limit: Decimal = Decimal("0")
    status: CustomerStatus | str = CustomerStatus.ACTIVE


@dataclass(frozen=True)
class CustomerUpdate:
    """Customer fields to change: None leaves a field as it is, "" clears an optional contact or
    device field. Status changes go through the action functions."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    connection_type: ServiceType | str | None = None
    package_id: int | None = None
    username: str | None = None
    secret: str | None = None
    static_ip: str | None = None
    onu_serial: str | None = None
    onu_mac: str | None = None
    router_id: int | None = None
    never_suspend: bool | None = None
    promise_to_pay_until: date | None = None
    credit_limit: Decimal | None = None


# ---------------------------------------------------------------- field checks
def _username(value: Any) -> str:
    if not isinstance(value, str) or not USERNAME.match(value):
        raise ValidationError("must be 1-64 letters, digits or . _ @ + -", field="username")
    return value


def _secret(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise ValidationError("must be 1-128 characters", field="secret")
    return value


def _static_ip(value: Any) -> str | None:
    text = clean_text(value, field="static_ip", limit=45)
    try:
        return None if text is None else str(ipaddress.ip_address(text))
    except ValueError as exc:
        raise ValidationError("is not a valid IPv4 or IPv6 address", field="static_ip") from exc


def _onu_mac(value: Any) -> str | None:
    text = clean_text(value, field="onu_mac", limit=17)
    if text is None:
        return None
    digits = re.sub(r"[:.\-]", "", text)
    if len(digits) != 12 or any(c not in hexdigits for c in digits):
        raise ValidationError("must be a MAC address such as AA:BB:CC:DD:EE:FF", field="onu_mac")
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2)).upper()


def _onu_serial(value: Any) -> str | None:
    text = clean_text(value, field="onu_serial", limit=32)
    if text is not None and not SERIAL.match(text):
        raise ValidationError("must be 1-32 letters, digits or dashes", field="onu_serial")
    return None if text is None else text.upper()


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("must be true or false", field=field)
    return value


def _promise(value: Any, today: date) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError("must be a date", field="promise_to_pay_until")
    if value < today:
        raise ValidationError("must not be in the past", field="promise_to_pay_until")
    return value


def _status(value: Any) -> CustomerStatus:
    status = clean_choice(CustomerStatus, value, field="status")
    if status not in CREATE_STATUSES:
        raise ValidationError("a new customer is either active or new", field="status")
    return status


def _checks(region: str, today: date) -> dict[str, Callable[[Any], Any]]:
    return {
        "name": clean_name, "email": clean_email, "phone": lambda v: clean_phone(v, region=region),
        "address": lambda v: clean_text(v, field="address", limit=500),
        "connection_type": lambda v: clean_choice(ServiceType, v, field="connection_type"),
        "billing_type": lambda v: clean_choice(BillingType, v, field="billing_type"),
        "username": _username, "secret": _secret, "static_ip": _static_ip, "onu_serial": _onu_serial,
        "onu_mac": _onu_mac, "router_id": lambda v: clean_int(v, field="router_id", low=1),
        "never_suspend": lambda v: _flag(v, "never_suspend"),
        "promise_to_pay_until": lambda v: _promise(v, today),
        "credit_limit": lambda v: clean_money(v, field="credit_limit"), "status": _status,
    }


def _cleaned(data: CustomerCreate | CustomerUpdate, region: str, today: date) -> dict[str, Any]:
    """The given (non-None) fields of ``data``, each checked and normalised."""
    return {name: check(getattr(data, name)) for name, check in _checks(region, today).items()
            if getattr(data, name, None) is not None}


def _unique(session: Session, values: dict[str, Any], *, exclude: int | None = None) -> None:
    """The username is free (among every customer ever) and the static IP among current ones."""
    if values.get("username") is not None:
        stmt = select(Customer.id).where(Customer.username == values["username"],
                                         Customer.id != (exclude or 0))
        if session.scalars(stmt).first() is not None:
            raise Conflict(TAKEN, field="username")
    if values.get("static_ip") is not None:
        stmt = select(Customer.id).where(Customer.static_ip == values["static_ip"],
                                         Customer.deleted_at.is_(None), Customer.id != (exclude or 0))
        if session.scalars(stmt).first() is not None:
            raise Conflict("this static IP is already assigned to another customer", field="static_ip")


def _login_pair(values: dict[str, Any], username: str | None) -> None:
    if values.get("secret") is not None and username is None:
        raise ValidationError("a username is required when a secret is given", field="username")


def _ensure_username(session: Session, customer: Customer) -> None:
    """Give a PPPoE or hotspot customer without a username a free one: ``c<id>`` (``c<id>-2``...)."""
    if customer.username is not None or customer.connection_type not in NEEDS_LOGIN:
        return
    candidate, n = f"c{customer.id}", 1
    while session.scalars(select(Customer.id).where(Customer.username == candidate)).first() is not None:
        n += 1
        candidate = f"c{customer.id}-{n}"
    customer.username = candidate
    insert_unique(session, customer, field="username", message=TAKEN)


# ---------------------------------------------------------------- lookups
def get_customer(session: Session, customer_id: int, *, operator_id: int | None = None) -> Customer:
    """One current (not deleted) customer within the caller's operator."""
    row = session.get(Customer, customer_id)
    if row is None or row.deleted_at is not None or operator_id not in (None, row.operator_id):
        raise NotFound("customer not found", field="id")
    return row


def _locked(session: Session, customer_id: int, operator_id: int | None) -> Customer:
    """The customer, row-locked for a change, within the caller's operator."""
    row = ledger.lock_customer(session, customer_id)
    if row is None or operator_id not in (None, row.operator_id):
        raise NotFound("customer not found", field="id")
    return row


# ---------------------------------------------------------------- create / update / delete
def create_customer(session: Session, *, data: CustomerCreate, now: datetime,
                    default_region: str = "BD") -> Customer:
    """Create a customer, its first subscription and the ``customer.created`` event."""
    values = _cleaned(data, default_region, now.date())
    operator = active_operator(session, data.operator_id)
    package = usable_package(session, data.package_id, operator_id=operator.id)
    values.setdefault("connection_type", package.service_type)
    values.setdefault("billing_type", BillingType.POSTPAID)
    values.setdefault("status", CustomerStatus.ACTIVE)
    _login_pair(values, values.get("username"))
    _unique(session, values)
    customer = Customer(
        operator_id=operator.id, package_id=package.id, package=package, balance=Decimal("0.00"),
        desired_state=ServiceState.ENABLED, applied_state=None, enforce_attempts=0,
        created_at=now, updated_at=now, **values,
    )
    insert_unique(session, customer, field="username", message=TAKEN)
    _ensure_username(session, customer)
    subscriptions.start(session, customer, package, now=now, timezone=operator.timezone)
    session.flush()
    events.emit(session, "customer.created", {
        "customer_id": customer.id, "operator_id": customer.operator_id, "package_id": package.id,
        "name": customer.name, "username": customer.username, "status": customer.status.value,
        "billing_type": customer.billing_type.value, "connection_type": customer.connection_type.value,
    }, now=now)
    return customer


def update_customer(session: Session, customer_id: int, *, data: CustomerUpdate, now: datetime,
                    operator_id: int | None = None, default_region: str = "BD") -> Customer:
    """Change the given fields of a customer (a new package also moves its subscription)."""
    customer = _locked(session, customer_id, operator_id)
    values = _cleaned(data, default_region, now.date())
    package = None
    if data.package_id is not None and data.package_id != customer.package_id:
        package = usable_package(session, data.package_id, operator_id=customer.operator_id)
    _login_pair(values, values.get("username", customer.username))
    _unique(session, values, exclude=customer.id)
    for name, value in values.items():
        setattr(customer, name, value)
    if package is not None:
        _move(session, customer, package, now=now)
    customer.updated_at = now
    insert_unique(session, customer, field="username", message=TAKEN)
    _ensure_username(session, customer)
    return customer


def _move(session: Session, customer: Customer, package: Package, *, now: datetime) -> None:
    customer.package_id = package.id
    customer.package = package
    subscriptions.switch_package(session, customer, package, now=now)


def change_package(session: Session, customer_id: int, *, package_id: int, now: datetime,
                   operator_id: int | None = None) -> Customer:
    """Move a customer to another package (its current period keeps its expiry or billing day)."""
    customer = _locked(session, customer_id, operator_id)
    if package_id == customer.package_id:
        return customer
    package = usable_package(session, package_id, operator_id=customer.operator_id)
    _move(session, customer, package, now=now)
    customer.updated_at = now
    session.flush()
    return customer


def delete_customer(session: Session, customer_id: int, *, now: datetime,
                    operator_id: int | None = None) -> None:
    """Soft-delete: kept for history, gone from lookups, service cut and subscriptions cancelled."""
    customer = _locked(session, customer_id, operator_id)
    customer.deleted_at = now
    customer.status = CustomerStatus.DISABLED
    customer.suspend_reason = SuspendReason.DISABLED
    _desire(customer, ServiceState.SUSPENDED)
    customer.updated_at = now
    subscriptions.cancel_all(session, customer.id)
    session.flush()


# ---------------------------------------------------------------- manual actions
@dataclass(frozen=True)
class _Action:
    """What a manual action sets, logs and announces."""

    status: CustomerStatus
    reason: SuspendReason | None
    desired: ServiceState
    event: str
    log: SuspensionAction


SUSPEND = _Action(CustomerStatus.SUSPENDED, SuspendReason.MANUAL, ServiceState.SUSPENDED,
                  "customer.suspended", SuspensionAction.SUSPEND)
DISABLE = _Action(CustomerStatus.DISABLED, SuspendReason.DISABLED, ServiceState.SUSPENDED,
                  "customer.suspended", SuspensionAction.SUSPEND)
ACTIVATE = _Action(CustomerStatus.ACTIVE, None, ServiceState.ENABLED, "customer.activated",
                   SuspensionAction.REACTIVATE)


def _desire(customer: Customer, state: ServiceState) -> None:
    """Ask the enforcer for ``state``; a new wish starts its retry count afresh."""
    if customer.desired_state is not state:
        customer.desired_state = state
        customer.enforce_attempts = 0
        customer.enforce_error = None


def _act(session: Session, customer_id: int, action: _Action, *, now: datetime, reason: str | None,
         operator_id: int | None) -> Customer:
    """Apply a manual action (nothing when the customer is already there); logged and announced."""
    note = clean_text(reason, field="reason", limit=200)
    customer = _locked(session, customer_id, operator_id)
    if (customer.status, customer.suspend_reason, customer.desired_state) == (
            action.status, action.reason, action.desired):
        return customer
    customer.status, customer.suspend_reason = action.status, action.reason
    _desire(customer, action.desired)
    customer.updated_at = now
    kind = (action.reason or SuspendReason.MANUAL).value
    session.add(SuspensionLog(run_id=None, customer_id=customer.id, action=action.log,
                              reason=(f"{kind}: {note}" if note else kind)[:64], bill_ids=[],
                              amount_due=Decimal("0.00"), created_at=now))
    session.flush()
    data: dict[str, Any] = {"customer_id": customer.id, "operator_id": customer.operator_id, "reason": kind,
                            "note": note}
    if action.log is SuspensionAction.SUSPEND:
        data |= {"bill_ids": [], "amount_due": Decimal("0.00")}
    events.emit(session, action.event, data, now=now)
    return customer


def suspend_customer(session: Session, customer_id: int, *, now: datetime, reason: str | None = None,
                     operator_id: int | None = None) -> Customer:
    """Suspend by hand (payments do not lift it; ``activate_customer`` does)."""
    return _act(session, customer_id, SUSPEND, now=now, reason=reason, operator_id=operator_id)


def activate_customer(session: Session, customer_id: int, *, now: datetime, reason: str | None = None,
                      operator_id: int | None = None) -> Customer:
    """Activate by hand (from new, suspended, disabled or expired)."""
    return _act(session, customer_id, ACTIVATE, now=now, reason=reason, operator_id=operator_id)


def disable_customer(session: Session, customer_id: int, *, now: datetime, reason: str | None = None,
                     operator_id: int | None = None) -> Customer:
    """Disable: service cut until activated by hand."""
    return _act(session, customer_id, DISABLE, now=now, reason=reason, operator_id=operator_id)
