"""A customer's traffic per day and in total."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from collectors.models import UsageDaily


class UsageDay(BaseModel):
    """Bytes in and out on one day (UTC)."""

    day: date
    bytes_in: int
    bytes_out: int


class UsageRead(BaseModel):
    """Usage for a period."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "customer_id": 2087, "from": "2026-04-01", "to": "2026-04-30", "bytes_in": 182536110080,
        "bytes_out": 20401094656, "days": [{"day": "2026-04-01", "bytes_in": 6084537002,
                                            "bytes_out": 680036488}]}]})

    customer_id: int
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    bytes_in: int
    bytes_out: int
    days: list[UsageDay]

    @classmethod
    def of(cls, customer_id: int, start: date, end: date, rows: list[UsageDaily]) -> UsageRead:
        days = [UsageDay(day=r.day, bytes_in=r.bytes_in, bytes_out=r.bytes_out) for r in rows]
        return cls(customer_id=customer_id, start=start, end=end, days=days,
                   bytes_in=sum(d.bytes_in for d in days), bytes_out=sum(d.bytes_out for d in days))
