"""The v1 dashboard summary."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from api.schemas.common import Amount
from api.summary import Summary


class DashboardRead(BaseModel):
    """Customers by status, open bills and money received."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "customers_total": 523, "customers_by_status": {"new": 3, "active": 480, "suspended": 30,
                                                        "disabled": 5, "expired": 5},
        "open_bills": 61, "amount_due": 73200, "payments_today": 12500, "payments_this_month": 402300}]})

    customers_total: int
    customers_by_status: dict[str, int]
    open_bills: int
    amount_due: Amount
    payments_today: Amount
    payments_this_month: Amount

    @classmethod
    def of(cls, s: Summary) -> DashboardRead:
        return cls(customers_total=s.customers_total, customers_by_status=s.customers_by_status,
                   open_bills=s.open_bills, amount_due=s.amount_due, payments_today=s.payments_today,
                   payments_this_month=s.payments_this_month)
