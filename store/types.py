"""Shared column types: money as exact Decimal, time as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Enum
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

CENT = Decimal("0.01")


def utcnow() -> datetime:
    """The current time, aware, in UTC (for callers at the edge; services take ``now``)."""
    return datetime.now(UTC)


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantize to two decimal places, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class Money(TypeDecorator[Decimal]):
    """A Decimal amount with two places, stored as whole hundredths so sums are exact everywhere."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        return int(to_money(value) * 100)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        return self


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, always UTC; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError(f"naive or non-datetime value for a UTC column: {value!r}")
        aware: datetime = value.astimezone(UTC)
        return aware.replace(tzinfo=None) if dialect.name == "sqlite" else aware

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(cls: type[Any]) -> Enum:
    """A StrEnum column stored as its lowercase values in a VARCHAR (portable, no native ENUM)."""
    return Enum(cls, values_callable=lambda c: [m.value for m in c], native_enum=False, length=24,
                validate_strings=True)
