"""Packages and vouchers (recharge cards)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Amount, Id, UtcTime
from billing.models import Package, Voucher


class PackageRead(BaseModel):
    """A service plan."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 12, "name": "Fiber 100 Mbps", "service_type": "pppoe", "speed_down_kbps": 100000,
        "speed_up_kbps": 50000, "price": 1500, "currency": "BDT", "validity_days": 30, "active": True}]})

    id: int
    name: str
    service_type: str
    speed_down_kbps: int
    speed_up_kbps: int
    price: Amount
    currency: str
    validity_days: int
    active: bool

    @classmethod
    def of(cls, p: Package) -> PackageRead:
        return cls(id=p.id, name=p.name, service_type=p.service_type.value, speed_down_kbps=p.speed_down_kbps,
                   speed_up_kbps=p.speed_up_kbps, price=p.price, currency=p.currency,
                   validity_days=p.validity_days, active=p.active)


class VoucherGenerateIn(BaseModel):
    """How many recharge cards to generate for a package."""

    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"package_id": 1, "quantity": 10}]})

    package_id: Id
    quantity: int = Field(ge=1, le=1000)
    operator_id: Id | None = None


class VoucherActivateIn(BaseModel):
    """Use a recharge card."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"code": "ABC123XY", "phone": "+256700000000"}]})

    code: str = Field(min_length=1, max_length=64)
    phone: str | None = Field(None, max_length=32)
    customer_id: Id | None = None


class VoucherRead(BaseModel):
    """A recharge card."""

    id: int
    code: str
    package_id: int
    value: Amount
    status: str
    activated_by_id: int | None
    activated_at: UtcTime | None
    created_at: UtcTime

    @classmethod
    def of(cls, v: Voucher) -> VoucherRead:
        return cls(id=v.id, code=v.code, package_id=v.package_id, value=v.value, status=v.status.value,
                   activated_by_id=v.activated_by_id, activated_at=v.activated_at, created_at=v.created_at)
