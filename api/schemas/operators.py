"""Operator (reseller) shapes for v1."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Amount, UtcTime
from billing.models import Operator


class OperatorCreateIn(BaseModel):
    """A new operator."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Dhanmondi Net", "email": "ops@dhanmondi.example", "phone": "01711000000",
        "credit_limit": 5000, "timezone": "Asia/Dhaka", "currency": "BDT"}]})

    name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    credit_limit: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    timezone: str = "UTC"
    currency: str = Field("BDT", min_length=3, max_length=3)
    grace_days: int | None = Field(None, ge=0, le=365)
    invoice_prefix: str | None = Field(None, max_length=16)


class OperatorUpdateIn(BaseModel):
    """Operator fields to change."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"phone": "01711000001"}]})

    name: str | None = Field(None, min_length=1, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    credit_limit: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    timezone: str | None = None
    grace_days: int | None = Field(None, ge=0, le=365)


class FundIn(BaseModel):
    """Money added to an operator's fund."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 10000, "description": "bank deposit 2026-04-10"}]})

    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    description: str | None = Field(None, max_length=2000)


class OperatorRead(BaseModel):
    """An operator with its fund balance."""

    id: int
    name: str
    email: str | None
    phone: str | None
    status: str
    fund_balance: Amount
    credit_limit: Amount
    timezone: str
    currency: str
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, o: Operator) -> OperatorRead:
        return cls(id=o.id, name=o.name, email=o.email, phone=o.phone, status=o.status.value,
                   fund_balance=o.fund_balance, credit_limit=o.credit_limit, timezone=o.timezone,
                   currency=o.currency, created_at=o.created_at, updated_at=o.updated_at)
