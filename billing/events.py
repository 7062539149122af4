"""Domain events, written to the outbox in the caller's transaction (webhooks deliver them later)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from billing.models import OutboxEvent
from store.bulk import bulk_insert

EVENTS = (
    "customer.created",
    "customer.suspended",
    "customer.activated",
    "customer.expired",
    "payment.received",
    "payment.completed",
    "bill.generated",
    "complaint.created",
    "voucher.activated",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def payload(data: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy of an event's data (Decimal as string, times as ISO-8601)."""
    return {key: _jsonable(value) for key, value in data.items()}


def _queue(session: Session, pairs: Iterable[tuple[str, Mapping[str, Any]]], *, now: datetime) -> None:
    """Insert (event, data) pairs into the outbox in one statement; an unknown event raises."""
    rows = []
    for name, data in pairs:
        if name not in EVENTS:
            raise ValueError(f"unknown event {name!r}")
        rows.append({"event": name, "payload": payload(data), "created_at": now})
    if rows:
        bulk_insert(session.connection(), OutboxEvent, rows)


def emit(session: Session, event: str | Sequence[str], data: Mapping[str, Any], *, now: datetime) -> None:
    """Queue one event (or the same data as each of several events) in the current transaction."""
    names = [event] if isinstance(event, str) else list(event)
    _queue(session, ((name, data) for name in names), now=now)


def emit_many(session: Session, event: str, items: Iterable[Mapping[str, Any]], *, now: datetime) -> None:
    """Queue one event per item in a single bulk insert."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    _queue(session, ((event, item) for item in items), now=now)
