"""A customer's balance statement for a period, and moving funds between an operator and a customer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Amount, Id


class StatementRead(BaseModel):
    """Opening balance, what came in and went out, and the closing balance of a period."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "customer_id": 2087, "from": "2026-04-01", "to": "2026-04-30", "opening_balance": 245.71,
        "payments": 57, "adjustments": 5, "charges": 60.63, "closing_balance": 247.08}]})

    customer_id: int
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    opening_balance: Amount
    payments: Amount
    adjustments: Amount
    charges: Amount
    closing_balance: Amount


class TransferIn(BaseModel):
    """Money moved from an operator's fund to a customer's balance, or back."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "customer_id": 2087, "amount": 500, "direction": "to_customer", "description": "advance for May"}]})

    customer_id: Id
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    direction: Literal["to_customer", "from_customer"] = "to_customer"
    description: str | None = Field(None, max_length=2000)


class TransferRead(BaseModel):
    """Balances after the move."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "customer_balance": 242.09, "customer_credit_limit": -55, "operator_fund_balance": 9500}]})

    customer_balance: Amount
    customer_credit_limit: Amount
    operator_fund_balance: Amount
