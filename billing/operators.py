"""Operators (resellers): create, change, suspend; plus the field checks customers and staff share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from billing.enums import OperatorStatus
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Operator
from store import Base
from store.types import to_money

E = TypeVar("E", bound=StrEnum)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
CODE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


# ---------------------------------------------------------------- field checks (shared)
def clean_text(value: str | None, *, field: str, limit: int, required: bool = False) -> str | None:
    """Stripped text of at most ``limit`` characters; empty means None (an error when required)."""
    text = value.strip() if isinstance(value, str) else None
    if value is not None and not isinstance(value, str):
        raise ValidationError("must be text", field=field)
    if not text:
        if required:
            raise ValidationError("must not be empty", field=field)
        return None
    if len(text) > limit:
        raise ValidationError(f"must be at most {limit} characters", field=field)
    return text


def clean_name(value: str, *, field: str = "name", limit: int = 120) -> str:
    """A required display name."""
    text = clean_text(value, field=field, limit=limit, required=True)
    assert text is not None
    return text


def clean_email(value: str | None, *, field: str = "email", required: bool = False) -> str | None:
    """An email address of a plausible shape (``local@domain.tld``), its domain lowercased."""
    text = clean_text(value, field=field, limit=254, required=required)
    if text is None:
        return None
    if not EMAIL.match(text):
        raise ValidationError("is not a valid email address", field=field)
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_phone(value: str | None, *, region: str = "BD", field: str = "phone") -> str | None:
    """A phone number in E.164 (``+8801712345678``), read with ``region`` when it has no ``+``."""
    text = clean_text(value, field=field, limit=32)
    if text is None:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("is not a valid phone number", field=field) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("is not a valid phone number", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_money(value: Any, *, field: str, positive: bool = False) -> Decimal:
    """A non-negative (or positive) amount with at most two decimal places."""
    if isinstance(value, bool | float) or value is None:
        raise ValidationError("must be a decimal amount", field=field)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError("must be a decimal amount", field=field) from exc
    if not amount.is_finite() or amount != to_money(amount):
        raise ValidationError("must have at most two decimal places", field=field)
    if amount < 0 or (positive and amount == 0):
        raise ValidationError("must be greater than 0" if positive else "must not be negative", field=field)
    return to_money(amount)


def clean_int(value: Any, *, field: str, low: int, high: int | None = None) -> int:
    """A whole number within ``low`` .. ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("must be a whole number", field=field)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValidationError(f"must be {bound}", field=field)
    return value


def clean_choice(enum: type[E], value: Any, *, field: str) -> E:
    """One of an enum's values (given as the member or its string)."""
    try:
        return enum(value)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum)
        raise ValidationError(f"must be one of: {allowed}", field=field) from exc


def clean_timezone(value: Any, *, field: str = "timezone") -> str:
    """An IANA time zone name."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("must be a time zone name such as Asia/Dhaka", field=field)
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"unknown time zone {value!r}", field=field) from exc
    return value.strip()


def clean_currency(value: Any, *, field: str = "currency") -> str:
    """A three-letter currency code, uppercased."""
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise ValidationError("must be a three-letter currency code", field=field)
    return value.strip().upper()


def insert_unique(session: Session, row: Base, *, field: str, message: str) -> None:
    """Add and flush ``row`` in a savepoint; a unique-key clash becomes Conflict on ``field``."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(message, field=field) from exc


# ---------------------------------------------------------------- operators
@dataclass(frozen=True)
class OperatorCreate:
    """A new operator (reseller)."""

    name: str
    email: str | None = None
    phone: str | None = None
    credit_limit: Decimal = Decimal("0")
    timezone: str = "UTC"
    currency: str = "BDT"
    grace_days: int | None = None
    invoice_prefix: str | None = "INV"


@dataclass(frozen=True)
class OperatorUpdate:
    """Operator fields to change; None leaves a field as it is."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    credit_limit: Decimal | None = None
    timezone: str | None = None
    grace_days: int | None = None
    invoice_prefix: str | None = None


def get_operator(session: Session, operator_id: int) -> Operator:
    """One operator by id."""
    row = session.get(Operator, operator_id)
    if row is None:
        raise NotFound("operator not found", field="id")
    return row


def active_operator(session: Session, operator_id: int | None, *, field: str = "operator_id") -> Operator:
    """The operator a new record belongs to: it must exist and be active."""
    if operator_id is None:
        raise ValidationError("an operator is required", field=field)
    row = session.get(Operator, operator_id) if isinstance(operator_id, int) else None
    if row is None:
        raise ValidationError("The selected operator is invalid.", field=field)
    if row.status is not OperatorStatus.ACTIVE:
        raise ValidationError("The selected operator is suspended.", field=field)
    return row


def _unique_name(session: Session, name: str, *, exclude: int | None = None) -> None:
    stmt = select(Operator.id).where(func.lower(Operator.name) == name.lower())
    if exclude is not None:
        stmt = stmt.where(Operator.id != exclude)
    if session.scalars(stmt).first() is not None:
        raise Conflict(f"an operator named {name!r} already exists", field="name")


def _prefix(value: Any) -> str:
    if not isinstance(value, str) or not CODE.match(value):
        raise ValidationError("must be 1-16 letters, digits or dashes", field="invoice_prefix")
    return value


def _cleaned(data: OperatorCreate | OperatorUpdate, region: str) -> dict[str, Any]:
    """The given (non-None) fields of ``data``, each checked and normalised."""
    checks: dict[str, Any] = {
        "name": lambda v: clean_name(v), "email": lambda v: clean_email(v),
        "phone": lambda v: clean_phone(v, region=region),
        "credit_limit": lambda v: clean_money(v, field="credit_limit"), "timezone": clean_timezone,
        "currency": clean_currency, "grace_days": lambda v: clean_int(v, field="grace_days", low=0, high=365),
        "invoice_prefix": _prefix,
    }
    return {name: check(getattr(data, name)) for name, check in checks.items()
            if getattr(data, name, None) is not None}


def create_operator(session: Session, *, data: OperatorCreate, now: datetime,
                    default_region: str = "BD") -> Operator:
    """Create an active operator with an empty fund."""
    values = {"credit_limit": Decimal("0.00"), "invoice_prefix": "INV", **_cleaned(data, default_region)}
    _unique_name(session, values["name"])
    row = Operator(status=OperatorStatus.ACTIVE, fund_balance=Decimal("0.00"), next_invoice_no=1,
                   created_at=now, updated_at=now, **values)
    insert_unique(session, row, field="name", message="an operator with this name already exists")
    return row


def update_operator(session: Session, operator_id: int, *, data: OperatorUpdate, now: datetime,
                    default_region: str = "BD") -> Operator:
    """Change the given fields of an operator."""
    row = get_operator(session, operator_id)
    values = _cleaned(data, default_region)
    if "name" in values:
        _unique_name(session, values["name"], exclude=row.id)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    insert_unique(session, row, field="name", message="an operator with this name already exists")
    return row


def _set_status(session: Session, operator_id: int, status: OperatorStatus, now: datetime) -> Operator:
    row = get_operator(session, operator_id)
    if row.status is not status:
        row.status, row.updated_at = status, now
        session.flush()
    return row


def suspend_operator(session: Session, operator_id: int, *, now: datetime) -> Operator:
    """Suspend an operator: it can no longer take new customers (its customers are left as they are)."""
    return _set_status(session, operator_id, OperatorStatus.SUSPENDED, now)


def activate_operator(session: Session, operator_id: int, *, now: datetime) -> Operator:
    """Make a suspended operator active again."""
    return _set_status(session, operator_id, OperatorStatus.ACTIVE, now)
