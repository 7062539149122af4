"""Complaints (support tickets): open one for a customer, move it through its statuses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from billing import events
from billing.enums import ComplaintStatus
from billing.errors import Conflict, NotFound
from billing.models import Complaint, Customer
from billing.operators import clean_choice, clean_text

S = ComplaintStatus
# Where a complaint may go from each status; closed is final (open a new one instead).
MOVES: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.OPEN: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.OPEN, S.RESOLVED, S.CLOSED}),
    S.RESOLVED: frozenset({S.OPEN, S.CLOSED}),
    S.CLOSED: frozenset(),
}


def _customer(session: Session, customer_id: Any, operator_id: int | None) -> Customer:
    row = session.get(Customer, customer_id) if isinstance(customer_id, int) else None
    if row is None or row.deleted_at is not None or operator_id not in (None, row.operator_id):
        raise NotFound("customer not found", field="customer_id")
    return row


def get_complaint(session: Session, complaint_id: int, *, operator_id: int | None = None) -> Complaint:
    """One complaint, within the caller's operator (through its customer)."""
    row = session.get(Complaint, complaint_id)
    customer = None if row is None else session.get(Customer, row.customer_id)
    if row is None or customer is None or operator_id not in (None, customer.operator_id):
        raise NotFound("complaint not found", field="id")
    return row


def open_complaint(session: Session, *, customer_id: int, subject: str, body: str | None, now: datetime,
                   operator_id: int | None = None) -> Complaint:
    """Open a complaint for a customer and announce it (``complaint.created``)."""
    subject_text = clean_text(subject, field="subject", limit=200, required=True)
    body_text = clean_text(body, field="body", limit=10_000)
    customer = _customer(session, customer_id, operator_id)
    row = Complaint(customer_id=customer.id, subject=subject_text, body=body_text, status=S.OPEN,
                    created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    events.emit(session, "complaint.created", {
        "complaint_id": row.id, "customer_id": customer.id, "operator_id": customer.operator_id,
        "subject": row.subject, "status": row.status.value,
    }, now=now)
    return row


def update_complaint_status(session: Session, complaint_id: int, *, status: ComplaintStatus | str,
                            now: datetime, operator_id: int | None = None) -> Complaint:
    """Move a complaint to ``status`` (the same status is no change; closed ones stay closed)."""
    target = clean_choice(ComplaintStatus, status, field="status")
    row = get_complaint(session, complaint_id, operator_id=operator_id)
    if target is row.status:
        return row
    if target not in MOVES[row.status]:
        raise Conflict(f"a {row.status.value} complaint cannot become {target.value}", field="status")
    row.status, row.updated_at = target, now
    session.flush()
    return row

