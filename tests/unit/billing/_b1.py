"""Helpers for B1's billing tests: row counts, to show a refused input wrote nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.models import (
    Complaint,
    Customer,
    Operator,
    OutboxEvent,
    Package,
    StaffUser,
    Subscription,
    SuspensionLog,
)

TABLES: tuple[Any, ...] = (Operator, Package, Customer, Subscription, StaffUser, Complaint, SuspensionLog,
                           OutboxEvent)


def counts(session: Session) -> dict[str, int]:
    """How many rows each table this suite writes holds now (pending changes flushed first)."""
    session.flush()
    return {m.__tablename__: int(session.scalar(select(func.count()).select_from(m)) or 0) for m in TABLES}


def events(session: Session, name: str) -> list[dict[str, Any]]:
    """The payloads of the outbox events called ``name``, oldest first."""
    session.flush()
    stmt = select(OutboxEvent.payload).where(OutboxEvent.event == name).order_by(OutboxEvent.id)
    return list(session.scalars(stmt))
