"""billing.complaints: opening a complaint (announced) and moving it through its statuses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from billing import complaints as svc
from billing import enums as e
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer, Operator
from tests import factories as f
from tests.factories import NOW
from tests.unit.billing._b1 import counts, events

S = e.ComplaintStatus


@pytest.fixture
def customer(session: Session) -> Customer:
    op = f.operator(session)
    return f.customer(session, op, f.package(session))


def test_open_complaint_is_stored_and_announced(session: Session, customer: Customer) -> None:
    c = svc.open_complaint(session, customer_id=customer.id, subject="  No internet since morning ",
                           body="ONU LOS light red", now=NOW, operator_id=customer.operator_id)
    assert (c.customer_id, c.subject, c.body, c.status, c.created_at) == (
        customer.id, "No internet since morning", "ONU LOS light red", S.OPEN, NOW)
    assert events(session, "complaint.created") == [{
        "complaint_id": c.id, "customer_id": customer.id, "operator_id": customer.operator_id,
        "subject": "No internet since morning", "status": "open"}]


@pytest.mark.parametrize(("subject", "body", "field"), [
    ("", None, "subject"), ("   ", "x", "subject"), ("s" * 201, None, "subject"),
    ("ok", "b" * 10_001, "body")])
def test_invalid_input_names_the_field_and_writes_nothing(session: Session, customer: Customer, subject: str,
                                                          body: str | None, field: str) -> None:
    before = counts(session)
    with pytest.raises(ValidationError) as err:
        svc.open_complaint(session, customer_id=customer.id, subject=subject, body=body, now=NOW)
    assert err.value.field == field and counts(session) == before


def test_another_operators_or_a_deleted_customer_is_not_found(session: Session, customer: Customer) -> None:
    other: Operator = f.operator(session)
    before = counts(session)
    with pytest.raises(NotFound) as err:
        svc.open_complaint(session, customer_id=customer.id, subject="x", body=None, now=NOW,
                           operator_id=other.id)
    assert err.value.field == "customer_id"
    customer.deleted_at = NOW
    with pytest.raises(NotFound):
        svc.open_complaint(session, customer_id=customer.id, subject="x", body=None, now=NOW)
    assert counts(session) == before


def test_status_moves(session: Session, customer: Customer) -> None:
    c = svc.open_complaint(session, customer_id=customer.id, subject="Slow", body=None, now=NOW)
    later = NOW + timedelta(hours=1)
    for status in ("in_progress", S.RESOLVED, S.OPEN, S.CLOSED):
        assert svc.update_complaint_status(session, c.id, status=status, now=later).status == status
    assert c.updated_at == later
    assert svc.update_complaint_status(session, c.id, status="closed", now=NOW).updated_at == later
    with pytest.raises(Conflict) as err:
        svc.update_complaint_status(session, c.id, status=S.OPEN, now=NOW)
    assert err.value.field == "status" and c.status is S.CLOSED


def test_bad_status_and_scope(session: Session, customer: Customer) -> None:
    c = svc.open_complaint(session, customer_id=customer.id, subject="Slow", body=None, now=NOW)
    with pytest.raises(ValidationError) as err:
        svc.update_complaint_status(session, c.id, status="escalated", now=NOW)
    assert err.value.field == "status" and c.status is S.OPEN
    other = f.operator(session).id
    calls: list[Callable[[], object]] = [
        lambda: svc.update_complaint_status(session, c.id, status="closed", now=NOW, operator_id=other),
        lambda: svc.get_complaint(session, c.id, operator_id=other),
        lambda: svc.get_complaint(session, 10**9)]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert svc.get_complaint(session, c.id, operator_id=customer.operator_id) is c
