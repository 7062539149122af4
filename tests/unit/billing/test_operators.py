"""billing.operators: create, update, suspend, and the shared field checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from billing import enums as e
from billing import operators as svc
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Operator
from tests import factories as f
from tests.factories import NOW
from tests.unit.billing._b1 import counts


def test_create_sets_defaults_and_normalises(session: Session) -> None:
    op = svc.create_operator(session, data=svc.OperatorCreate(
        name=" Dhaka Fiber Net ", email="noc@DhakaFiber.example", phone="01711000000",
        credit_limit=Decimal("5000"), timezone="Asia/Dhaka", currency="bdt", grace_days=3,
        invoice_prefix="DFN"), now=NOW)
    assert (op.name, op.email, op.phone) == ("Dhaka Fiber Net", "noc@dhakafiber.example", "+8801711000000")
    assert (op.status, op.fund_balance, op.credit_limit) == (e.OperatorStatus.ACTIVE, Decimal("0.00"),
                                                             Decimal("5000.00"))
    assert (op.timezone, op.currency, op.grace_days, op.invoice_prefix, op.next_invoice_no) == (
        "Asia/Dhaka", "BDT", 3, "DFN", 1)
    assert op.id is not None and (op.created_at, op.updated_at) == (NOW, NOW)


def test_create_defaults(session: Session) -> None:
    op = svc.create_operator(session, data=svc.OperatorCreate(name="Plain"), now=NOW)
    assert (op.timezone, op.currency, op.invoice_prefix, op.grace_days, op.email) == (
        "UTC", "BDT", "INV", None, None)
    nothing = svc.create_operator(session, data=svc.OperatorCreate(name="No prefix", invoice_prefix=None),
                                  now=NOW)
    assert nothing.invoice_prefix == "INV"


INVALID: list[tuple[str, dict[str, Any]]] = [
    ("name", {"name": " "}), ("name", {"name": "n" * 121}), ("email", {"email": "ops-at-example"}),
    ("phone", {"phone": "555"}), ("credit_limit", {"credit_limit": Decimal("-0.01")}),
    ("credit_limit", {"credit_limit": 1.5}), ("timezone", {"timezone": "Mars/Olympus"}),
    ("timezone", {"timezone": ""}), ("timezone", {"timezone": "../etc/passwd"}),
    ("currency", {"currency": "TAKA"}), ("grace_days", {"grace_days": -1}),
    ("grace_days", {"grace_days": 366}), ("invoice_prefix", {"invoice_prefix": "IN V"}),
]


@pytest.mark.parametrize(("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_invalid_input_names_the_field_and_writes_nothing(session: Session, field: str,
                                                          change: dict[str, Any]) -> None:
    before = counts(session)
    with pytest.raises(ValidationError) as err:
        svc.create_operator(session, data=svc.OperatorCreate(**{"name": "Valid", **change}), now=NOW)
    assert err.value.field == field
    assert counts(session) == before


def test_name_is_unique_ignoring_case(session: Session) -> None:
    svc.create_operator(session, data=svc.OperatorCreate(name="Agrabad Air"), now=NOW)
    before = counts(session)
    with pytest.raises(Conflict) as err:
        svc.create_operator(session, data=svc.OperatorCreate(name="agrabad AIR"), now=NOW)
    assert err.value.field == "name" and counts(session) == before


def test_update_changes_only_given_fields(session: Session) -> None:
    op = svc.create_operator(session, data=svc.OperatorCreate(name="Old", email="a@example.com"), now=NOW)
    later = NOW + timedelta(days=1)
    svc.update_operator(session, op.id, data=svc.OperatorUpdate(phone="01711000001", grace_days=0), now=later)
    assert (op.name, op.email, op.phone, op.grace_days, op.updated_at) == (
        "Old", "a@example.com", "+8801711000001", 0, later)
    svc.update_operator(session, op.id, data=svc.OperatorUpdate(name="Old"), now=later)  # its own name


def test_update_refuses_a_taken_name_or_bad_field(session: Session) -> None:
    svc.create_operator(session, data=svc.OperatorCreate(name="Taken"), now=NOW)
    op = svc.create_operator(session, data=svc.OperatorCreate(name="Mine"), now=NOW)
    with pytest.raises(Conflict) as conflict:
        svc.update_operator(session, op.id, data=svc.OperatorUpdate(name="TAKEN"), now=NOW)
    with pytest.raises(ValidationError) as invalid:
        svc.update_operator(session, op.id, data=svc.OperatorUpdate(phone="0", timezone="Asia/Dhaka"),
                            now=NOW)
    assert (conflict.value.field, invalid.value.field) == ("name", "phone")
    session.refresh(op)
    assert (op.name, op.timezone, op.phone) == ("Mine", "UTC", None)


def test_suspend_and_activate(session: Session) -> None:
    op = f.operator(session)
    later = NOW + timedelta(hours=1)
    assert svc.suspend_operator(session, op.id, now=later).status is e.OperatorStatus.SUSPENDED
    assert op.updated_at == later
    assert svc.suspend_operator(session, op.id, now=later + timedelta(hours=1)).updated_at == later
    assert svc.activate_operator(session, op.id, now=later).status is e.OperatorStatus.ACTIVE


def test_unknown_operator_is_not_found(session: Session) -> None:
    calls: list[Callable[[], object]] = [
        lambda: svc.get_operator(session, 10**9), lambda: svc.suspend_operator(session, 10**9, now=NOW),
        lambda: svc.update_operator(session, 10**9, data=svc.OperatorUpdate(), now=NOW)]
    for call in calls:
        with pytest.raises(NotFound):
            call()


def test_active_operator_check(session: Session) -> None:
    op = f.operator(session)
    assert svc.active_operator(session, op.id) is op
    svc.suspend_operator(session, op.id, now=NOW)
    for value in (op.id, None, 10**9, "1"):
        with pytest.raises(ValidationError) as err:
            svc.active_operator(session, value)  # type: ignore[arg-type]
        assert err.value.field == "operator_id"


@pytest.mark.parametrize(("value", "expected"), [
    ("+880 1712-345678", "+8801712345678"), ("01712345678", "+8801712345678"), ("", None), (None, None)])
def test_clean_phone(value: str | None, expected: str | None) -> None:
    assert svc.clean_phone(value) == expected


@pytest.mark.parametrize("value", ["10", "10.00", Decimal("10.1"), 10])
def test_clean_money_accepts_two_places(value: Any) -> None:
    assert svc.clean_money(value, field="x") == Decimal(value).quantize(Decimal("0.01"))


@pytest.mark.parametrize("value", ["abc", None, True, Decimal("NaN"), Decimal("Infinity"), "1e-3"])
def test_clean_money_refuses(value: Any) -> None:
    with pytest.raises(ValidationError) as err:
        svc.clean_money(value, field="amount")
    assert err.value.field == "amount"


def test_insert_unique_turns_a_clash_past_the_checks_into_conflict(session: Session) -> None:
    """A duplicate that slips past the look-up (a concurrent insert) still ends as Conflict, and the
    savepoint keeps the session usable."""
    first = f.operator(session)
    before = counts(session)
    twin = Operator(name=first.name, status=e.OperatorStatus.ACTIVE, fund_balance=Decimal("0"),
                    credit_limit=Decimal("0"), timezone="UTC", currency="BDT", invoice_prefix="X",
                    next_invoice_no=1, created_at=NOW, updated_at=NOW)
    with pytest.raises(Conflict) as err:
        svc.insert_unique(session, twin, field="name", message="taken")
    assert err.value.field == "name" and counts(session) == before
    assert svc.create_operator(session, data=svc.OperatorCreate(name="After the clash"), now=NOW).id
