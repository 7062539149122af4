"""Payments: oldest bills first, partial and over-payments, retries, reactivation at once."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from billing.enums import BillStatus, CustomerStatus, ServiceState, SuspendReason
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer, LedgerEntry, OutboxEvent, Payment, PaymentAllocation, SuspensionLog
from billing.payments import PaymentCreate, record_payment
from store.db import session_scope
from tests import factories as f

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


def pay(session: Session, customer_id: int, amount: str, **kw: object) -> Payment:
    return record_payment(session, data=PaymentCreate(customer_id=customer_id, amount=Decimal(amount),
                                                      **kw), now=NOW)  # type: ignore[arg-type]


def test_payments_settle_the_oldest_bill_first_then_partly_the_next(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session))
    newer = f.bill(session, cust, due=date(2026, 5, 10))
    older = f.bill(session, cust, due=date(2026, 4, 10))
    pay(session, cust.id, "1300.00", method="bkash", reference="TX1")
    assert (older.status, older.amount_paid) == (BillStatus.PAID, Decimal("1000.00"))
    assert (newer.status, newer.amount_paid) == (BillStatus.PARTIAL, Decimal("300.00"))
    assert cust.balance == Decimal("-700.00")


def test_an_overpayment_becomes_credit_used_by_the_next_bill(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session))
    f.bill(session, cust, due=date(2026, 5, 10))
    payment = pay(session, cust.id, "1500.00")
    assert cust.balance == Decimal("500.00")
    allocated = session.scalars(select(PaymentAllocation.amount).where(
        PaymentAllocation.payment_id == payment.id)).all()
    assert allocated == [Decimal("1000.00")]
    entries = session.scalars(select(LedgerEntry.balance_after).where(LedgerEntry.customer_id == cust.id)
                              .order_by(LedgerEntry.id)).all()
    assert entries == [Decimal("-1000.00"), Decimal("500.00")]


def test_a_retry_by_key_or_by_reference_never_records_twice(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session))
    first = pay(session, cust.id, "200.00", idempotency_key="k-1")
    assert pay(session, cust.id, "200.00", idempotency_key="k-1").id == first.id
    by_ref = pay(session, cust.id, "300.00", reference="BK123")
    assert pay(session, cust.id, "300.00", reference="BK123").id == by_ref.id
    assert cust.balance == Decimal("500.00")
    with pytest.raises(Conflict) as err:
        pay(session, cust.id, "999.00", idempotency_key="k-1")
    assert err.value.field == "idempotency_key"


def test_two_concurrent_retries_record_one_payment(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        cust_id = f.customer(session, f.operator(session), f.package(session)).id
    ids: list[int] = []
    barrier = threading.Barrier(2)

    def attempt() -> None:
        barrier.wait()
        with session_scope(session_factory) as session:
            ids.append(pay(session, cust_id, "250.00", idempotency_key="same-request").id)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(ids) == 2 and ids[0] == ids[1]
    with session_scope(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 1
        cust = session.get(Customer, cust_id)
        assert cust is not None and cust.balance == Decimal("250.00")


def test_clearing_the_debt_reactivates_at_once_in_the_same_transaction(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session), status=CustomerStatus.SUSPENDED,
                      suspend_reason=SuspendReason.OVERDUE, desired_state=ServiceState.SUSPENDED,
                      applied_state=ServiceState.SUSPENDED)
    f.bill(session, cust, due=date(2026, 4, 1))
    f.bill(session, cust, due=date(2026, 5, 1))
    pay(session, cust.id, "1000.00")
    assert cust.status == CustomerStatus.SUSPENDED  # one bill still past grace
    pay(session, cust.id, "1000.00")
    assert (cust.status, cust.desired_state, cust.suspend_reason) == (
        CustomerStatus.ACTIVE, ServiceState.ENABLED, None)
    log = session.scalars(select(SuspensionLog).where(SuspensionLog.customer_id == cust.id)).one()
    assert (log.action, log.reason, log.run_id) == ("reactivate", "payment", None)
    events = session.scalars(select(OutboxEvent.event)).all()
    assert "customer.activated" in events and events.count("payment.completed") == 2


def test_a_manual_suspension_is_not_lifted_by_a_payment(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session), status=CustomerStatus.SUSPENDED,
                      suspend_reason=SuspendReason.MANUAL, desired_state=ServiceState.SUSPENDED)
    pay(session, cust.id, "100.00")
    assert cust.status == CustomerStatus.SUSPENDED


@pytest.mark.parametrize(("changes", "error", "field"), [
    ({"amount": Decimal("0")}, ValidationError, "amount"),
    ({"amount": Decimal("-5")}, ValidationError, "amount"),
    ({"amount": "ten"}, ValidationError, "amount"),
    ({"method": "gold"}, ValidationError, "method"),
    ({"package_id": 999_999}, ValidationError, "package_id"),
    ({"customer_id": 999_999}, NotFound, "customer_id"),
    ({"reference": "x" * 65}, ValidationError, "reference"),
])
def test_invalid_input_names_the_field_and_changes_nothing(
    session: Session, changes: dict[str, object], error: type[Exception], field: str,
) -> None:
    cust = f.customer(session, f.operator(session), f.package(session))
    f.bill(session, cust, due=date(2026, 5, 1))
    values: dict[str, object] = {"customer_id": cust.id, "amount": Decimal("10"), **changes}
    tables = (Payment, LedgerEntry, OutboxEvent)
    before = [session.scalar(select(func.count()).select_from(t)) for t in tables]
    with pytest.raises(error) as err:
        record_payment(session, data=PaymentCreate(**values), now=NOW)  # type: ignore[arg-type]
    assert getattr(err.value, "field", None) == field
    after = [session.scalar(select(func.count()).select_from(t)) for t in tables]
    assert after == before and cust.balance == Decimal("-1000.00")


def test_another_operators_customer_is_not_found(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session))
    with pytest.raises(NotFound):
        record_payment(session, data=PaymentCreate(customer_id=cust.id, amount=Decimal("5")), now=NOW,
                       operator_id=cust.operator_id + 1000)
