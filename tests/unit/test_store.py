"""The store's column types and paging."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from billing.models import Customer, LedgerEntry
from store.db import make_engine
from store.paging import paginate
from tests import factories as f


def test_money_round_trips_exactly_and_sums_exactly(session: Session) -> None:
    op, pkg = f.operator(session), f.package(session)
    c = f.customer(session, op, pkg)
    for amount in ("0.10", "0.20", "0.70", "1234567.89"):
        session.add(LedgerEntry(customer_id=c.id, kind="payment", amount=Decimal(amount),
                                balance_after=Decimal("0"), created_at=f.NOW))
    session.flush()
    total = session.scalar(select(func.sum(LedgerEntry.amount)).where(LedgerEntry.customer_id == c.id))
    assert total == Decimal("1234568.89")
    amounts = session.scalars(select(LedgerEntry.amount).where(LedgerEntry.customer_id == c.id))
    assert sorted(amounts) == [Decimal("0.10"), Decimal("0.20"), Decimal("0.70"), Decimal("1234567.89")]


def test_times_come_back_aware_utc_and_naive_is_refused(session: Session) -> None:
    op = f.operator(session)
    session.expire_all()
    assert session.get(type(op), op.id).created_at == datetime(2026, 5, 15, 12, 0, tzinfo=UTC)  # type: ignore[union-attr]
    with pytest.raises(StatementError, match="naive"):
        f.operator(session, created_at=datetime(2026, 1, 1))


def test_paginate_counts_and_slices(session: Session) -> None:
    op, pkg = f.operator(session), f.package(session)
    for _ in range(7):
        f.customer(session, op, pkg)
    page = paginate(session, select(Customer).where(Customer.operator_id == op.id).order_by(Customer.id),
                    page=2, per_page=3)
    assert (page.total, page.last_page, len(page.items)) == (7, 3, 3)
    assert all(isinstance(item, Customer) for item in page.items)
    pairs = select(Customer.id, Customer.name).where(Customer.operator_id == op.id)
    ids = paginate(session, pairs, per_page=2)
    assert all(isinstance(item, tuple) and len(item) == 2 for item in ids.items)
    with pytest.raises(ValueError, match="per_page"):
        paginate(session, select(Customer), per_page=101)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_engines_open(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("select 1").scalar() == 1
    finally:
        engine.dispose()
