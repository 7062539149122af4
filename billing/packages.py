"""Service packages (plans): create, change, look up, and the check a customer's package must pass."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from billing.enums import EnforcementStyle, ServiceType
from billing.errors import NotFound, ValidationError
from billing.models import Package
from billing.operators import (
    active_operator,
    clean_choice,
    clean_currency,
    clean_int,
    clean_money,
    clean_name,
    clean_text,
)


@dataclass(frozen=True)
class PackageCreate:
    """A new package; ``operator_id`` None makes it global (offered by every operator)."""

    name: str
    service_type: ServiceType | str
    speed_down_kbps: int
    speed_up_kbps: int
    price: Decimal
    operator_id: int | None = None
    currency: str = "BDT"
    validity_days: int = 30
    router_profile: str | None = None
    suspended_profile: str | None = None
    enforcement: EnforcementStyle | str | None = None
    grace_days: int | None = None
    active: bool = True


@dataclass(frozen=True)
class PackageUpdate:
    """Package fields to change; None leaves a field as it is."""

    name: str | None = None
    service_type: ServiceType | str | None = None
    speed_down_kbps: int | None = None
    speed_up_kbps: int | None = None
    price: Decimal | None = None
    currency: str | None = None
    validity_days: int | None = None
    router_profile: str | None = None
    suspended_profile: str | None = None
    enforcement: EnforcementStyle | str | None = None
    grace_days: int | None = None
    active: bool | None = None


def _active_flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError("must be true or false", field="active")
    return value


CHECKS: dict[str, Any] = {
    "name": lambda v: clean_name(v),
    "service_type": lambda v: clean_choice(ServiceType, v, field="service_type"),
    "speed_down_kbps": lambda v: clean_int(v, field="speed_down_kbps", low=1),
    "speed_up_kbps": lambda v: clean_int(v, field="speed_up_kbps", low=1),
    "price": lambda v: clean_money(v, field="price", positive=True),
    "currency": clean_currency,
    "validity_days": lambda v: clean_int(v, field="validity_days", low=1, high=366),
    "router_profile": lambda v: clean_text(v, field="router_profile", limit=64),
    "suspended_profile": lambda v: clean_text(v, field="suspended_profile", limit=64),
    "enforcement": lambda v: clean_choice(EnforcementStyle, v, field="enforcement"),
    "grace_days": lambda v: clean_int(v, field="grace_days", low=0, high=365),
    "active": _active_flag,
}
REQUIRED = ("name", "service_type", "speed_down_kbps", "speed_up_kbps", "price")


def _cleaned(data: PackageCreate | PackageUpdate) -> dict[str, Any]:
    """The given (non-None) fields, each checked and normalised."""
    return {name: check(getattr(data, name)) for name, check in CHECKS.items()
            if getattr(data, name) is not None}


def get_package(session: Session, package_id: int, *, operator_id: int | None = None) -> Package:
    """One package: global ones are visible to every caller, an operator's only to its own."""
    row = session.get(Package, package_id)
    if row is None or (row.operator_id not in (None, operator_id) and operator_id is not None):
        raise NotFound("package not found", field="id")
    return row


def usable_package(session: Session, package_id: Any, *, operator_id: int,
                   field: str = "package_id") -> Package:
    """A package a customer of ``operator_id`` may have: it exists, is active, and is that
    operator's own or global."""
    row = session.get(Package, package_id) if isinstance(package_id, int) else None
    if row is None or row.operator_id not in (None, operator_id):
        raise ValidationError("The selected package is invalid.", field=field)
    if not row.active:
        raise ValidationError("The selected package is no longer offered.", field=field)
    return row


def create_package(session: Session, *, data: PackageCreate, now: datetime) -> Package:
    """Create a package (an operator's own when ``operator_id`` is set; that operator must be active)."""
    for name in REQUIRED:
        if getattr(data, name) is None:
            raise ValidationError("is required", field=name)
    values = _cleaned(data)
    if data.operator_id is not None:
        active_operator(session, data.operator_id)
    row = Package(operator_id=data.operator_id, created_at=now, updated_at=now,
                  **{"currency": "BDT", "validity_days": 30, **values})
    session.add(row)
    session.flush()
    return row


def update_package(session: Session, package_id: int, *, data: PackageUpdate, now: datetime,
                   operator_id: int | None = None) -> Package:
    """Change the given fields; a scoped caller may change only its operator's own packages."""
    row = session.get(Package, package_id)
    if row is None or operator_id not in (None, row.operator_id):
        raise NotFound("package not found", field="id")
    values = _cleaned(data)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    session.flush()
    return row
