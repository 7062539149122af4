"""Operator funds: top-ups and transfers to and from customers, never past a credit limit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.enums import BillStatus, FundKind, LedgerKind
from billing.errors import InsufficientFunds, NotFound, ValidationError
from billing.funds import Moved, top_up, transfer
from billing.models import Customer, FundTransaction, LedgerEntry, Operator
from tests import factories as f
from tests.factories import NOW


def _world(session: Session, fund: str = "1000.00", op_limit: str = "0.00",
           cust_limit: str = "0.00") -> tuple[Operator, Customer]:
    op = f.operator(session, fund_balance=Decimal(fund), credit_limit=Decimal(op_limit))
    return op, f.customer(session, op, f.package(session), credit_limit=Decimal(cust_limit))


def _rows(session: Session) -> tuple[int, int]:
    return (int(session.scalar(select(func.count()).select_from(FundTransaction)) or 0),
            int(session.scalar(select(func.count()).select_from(LedgerEntry)) or 0))


def test_top_up_adds_to_the_fund(session: Session) -> None:
    op = f.operator(session)
    assert top_up(session, op.id, amount=Decimal("2500.50"), description="cash", now=NOW) is op
    assert op.fund_balance == Decimal("2500.50")
    row = session.scalars(select(FundTransaction).where(FundTransaction.operator_id == op.id)).one()
    assert (row.kind, row.amount, row.balance_after) == (FundKind.TOPUP, Decimal("2500.50"),
                                                         Decimal("2500.50"))


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), "lots", Decimal("1e9")])
def test_top_up_refuses_bad_amounts(session: Session, amount: Decimal) -> None:
    op = f.operator(session)
    with pytest.raises(ValidationError) as err:
        top_up(session, op.id, amount=amount, description=None, now=NOW)
    assert err.value.field == "amount" and op.fund_balance == 0 and _rows(session)[0] == 0


def test_top_up_unknown_operator(session: Session) -> None:
    with pytest.raises(NotFound) as err:
        top_up(session, 999_999, amount=Decimal("1"), description=None, now=NOW)
    assert err.value.field == "operator_id"


def test_to_customer_moves_money_and_pays_open_bills(session: Session) -> None:
    op, cust = _world(session)
    bill = f.bill(session, cust, due=date(2026, 5, 10), amount="600.00")
    moved = transfer(session, operator_id=op.id, customer_id=cust.id, amount=Decimal("800.00"),
                     direction="to_customer", description="advance", now=NOW)
    assert (moved.customer_balance, moved.operator_fund_balance) == (Decimal("200.00"), Decimal("200.00"))
    assert bill.status == BillStatus.PAID
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.TRANSFER,
                                                      LedgerEntry.customer_id == cust.id)).one()
    assert entry.amount == Decimal("800.00") and entry.description == "advance"


def test_to_customer_stops_at_the_operators_credit_limit(session: Session) -> None:
    op, cust = _world(session, fund="100.00", op_limit="400.00")
    transfer(session, operator_id=op.id, customer_id=cust.id, amount=Decimal("500.00"), now=NOW)
    assert op.fund_balance == Decimal("-400.00")
    before = _rows(session)
    with pytest.raises(InsufficientFunds) as err:
        transfer(session, operator_id=op.id, customer_id=cust.id, amount=Decimal("0.01"), now=NOW)
    assert err.value.field == "amount"
    assert (op.fund_balance, cust.balance, _rows(session)) == (Decimal("-400.00"), Decimal("500.00"), before)


def test_from_customer_stops_at_the_customers_credit_limit(session: Session) -> None:
    op, cust = _world(session, fund="300.00", cust_limit="50.00")
    transfer(session, operator_id=op.id, customer_id=cust.id, amount=Decimal("300.00"), now=NOW)
    moved = transfer(session, operator_id=op.id, customer_id=cust.id, amount=Decimal("350.00"),
                     direction="from_customer", description="refund to partner", now=NOW)
    assert moved == Moved(Decimal("-50.00"), Decimal("50.00"), Decimal("350.00"))
    before = _rows(session)
    with pytest.raises(InsufficientFunds) as err:
        transfer(session, operator_id=op.id, customer_id=cust.id, amount=Decimal("0.01"),
                 direction="from_customer", now=NOW)
    assert err.value.field == "amount"
    assert (op.fund_balance, cust.balance, _rows(session)) == (Decimal("350.00"), Decimal("-50.00"), before)
    kinds = session.scalars(select(FundTransaction.kind).order_by(FundTransaction.id)).all()
    assert kinds == [FundKind.TO_CUSTOMER, FundKind.FROM_CUSTOMER]


@pytest.mark.parametrize(("kw", "error", "field"), [
    ({"direction": "sideways"}, ValidationError, "direction"),
    ({"amount": Decimal("0")}, ValidationError, "amount"),
    ({"amount": Decimal("-10")}, ValidationError, "amount"),
    ({"description": "x" * 2001}, ValidationError, "description"),
    ({"customer_id": 999_999}, NotFound, "customer_id"),
    ({"operator_id": 999_999}, NotFound, "operator_id"),
])
def test_bad_transfers_name_the_field_and_change_nothing(
    session: Session, kw: dict[str, object], error: type[Exception], field: str
) -> None:
    op, cust = _world(session)
    values: dict[str, object] = {"operator_id": op.id, "customer_id": cust.id, "amount": Decimal("10"),
                                 "direction": "to_customer", "description": None} | kw
    with pytest.raises(error) as err:
        transfer(session, now=NOW, **values)  # type: ignore[arg-type]
    assert getattr(err.value, "field", None) == field
    assert (op.fund_balance, cust.balance, _rows(session)) == (Decimal("1000.00"), Decimal("0"), (0, 0))


def test_another_operators_customer_is_not_found(session: Session) -> None:
    op, _ = _world(session)
    _, theirs = _world(session)
    with pytest.raises(NotFound) as err:
        transfer(session, operator_id=op.id, customer_id=theirs.id, amount=Decimal("10"), now=NOW)
    assert err.value.field == "customer_id" and op.fund_balance == Decimal("1000.00")
