"""Balance statements: opening, payments, adjustments, charges and closing over a period."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from billing import ledger
from billing.enums import LedgerKind
from billing.errors import NotFound, ValidationError
from billing.models import Customer
from billing.statements import balance_at, customer_statement
from tests import factories as f

MAY_1 = datetime(2026, 5, 1, tzinfo=UTC)
MOVES = [  # when, kind, amount
    (datetime(2026, 4, 20, 9, 0, tzinfo=UTC), LedgerKind.CHARGE, "-1000.00"),
    (MAY_1, LedgerKind.PAYMENT, "600.00"),
    (datetime(2026, 5, 10, 12, 0, tzinfo=UTC), LedgerKind.ADJUSTMENT, "50.00"),
    (datetime(2026, 5, 15, 12, 0, tzinfo=UTC), LedgerKind.TRANSFER, "100.00"),
    (datetime(2026, 5, 20, 12, 0, tzinfo=UTC), LedgerKind.CHARGE, "-1000.00"),
    (datetime(2026, 5, 25, 12, 0, tzinfo=UTC), LedgerKind.TRANSFER, "-30.00"),
    (datetime(2026, 5, 31, 23, 59, 59, tzinfo=UTC), LedgerKind.PAYMENT, "200.00"),
    (datetime(2026, 6, 1, tzinfo=UTC), LedgerKind.CHARGE, "-1000.00"),
]


def _history(session: Session) -> Customer:
    cust = f.customer(session, f.operator(session), f.package(session))
    for when, kind, amount in MOVES:
        ledger.post(session, cust, kind, Decimal(amount), now=when)
    session.flush()
    return cust


def test_statement_for_may(session: Session) -> None:
    cust = _history(session)
    st = customer_statement(session, cust.id, start=date(2026, 5, 1), end=date(2026, 5, 31))
    assert st.opening_balance == Decimal("-1000.00")
    assert st.payments == Decimal("800.00")
    assert st.adjustments == Decimal("120.00")
    assert st.charges == Decimal("1000.00")
    assert st.closing_balance == Decimal("-1080.00")
    assert st.closing_balance == st.opening_balance + st.payments + st.adjustments - st.charges
    assert st.closing_balance == balance_at(session, cust, datetime(2026, 6, 1, tzinfo=UTC))


def test_statements_chain_day_by_day(session: Session) -> None:
    cust = _history(session)
    day = date(2026, 4, 18)
    previous = customer_statement(session, cust.id, start=day, end=day)
    while day < date(2026, 6, 3):
        day += timedelta(days=1)
        st = customer_statement(session, cust.id, start=day, end=day)
        assert st.opening_balance == previous.closing_balance
        previous = st
    assert previous.closing_balance == cust.balance == Decimal("-2080.00")


def test_balance_not_on_the_ledger_counts_as_opening(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session), balance=Decimal("300.00"))
    quiet = customer_statement(session, cust.id, start=date(2026, 5, 1), end=date(2026, 5, 31))
    assert (quiet.opening_balance, quiet.closing_balance) == (Decimal("300.00"), Decimal("300.00"))
    ledger.post(session, cust, LedgerKind.CHARGE, Decimal("-100"), now=datetime(2026, 5, 5, tzinfo=UTC))
    st = customer_statement(session, cust.id, start=date(2026, 5, 1), end=date(2026, 5, 31))
    assert (st.opening_balance, st.charges, st.closing_balance) == (
        Decimal("300.00"), Decimal("100.00"), Decimal("200.00"))


def test_to_before_from_names_the_field(session: Session) -> None:
    cust = _history(session)
    with pytest.raises(ValidationError) as err:
        customer_statement(session, cust.id, start=date(2026, 5, 31), end=date(2026, 5, 1))
    assert err.value.field == "to"


def test_other_operators_customer_is_not_found(session: Session) -> None:
    cust = _history(session)
    with pytest.raises(NotFound) as err:
        customer_statement(session, cust.id, start=date(2026, 5, 1), end=date(2026, 5, 31),
                           operator_id=f.operator(session).id)
    assert err.value.field == "customer_id"
    with pytest.raises(NotFound):
        customer_statement(session, 999_999, start=date(2026, 5, 1), end=date(2026, 5, 31))
