"""Bill runs (idempotent, numbered per operator, held credit used) and manual bills."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from billing import bills
from billing.bills import BillCreate, BillUpdate, create_bill, delete_bill, generate_bills, update_bill
from billing.enums import BillingType, BillStatus, CustomerStatus, LedgerKind
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Bill, Customer, LedgerEntry, OutboxEvent, PaymentAllocation
from tests import factories as f

NOW = datetime(2026, 6, 3, 8, 0, tzinfo=UTC)


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _bills_of(session: Session, customer: Customer) -> list[Bill]:
    return list(session.scalars(select(Bill).where(Bill.customer_id == customer.id).order_by(Bill.id)))


def test_run_bills_postpaid_customers_once_per_period(session: Session) -> None:
    op, pkg = f.operator(session, invoice_prefix="DHK"), f.package(session, price=Decimal("1200.00"))
    active = f.customer(session, op, pkg)
    suspended = f.customer(session, op, pkg, status=CustomerStatus.SUSPENDED)
    skipped = [f.customer(session, op, pkg, status=CustomerStatus.DISABLED),
               f.customer(session, op, pkg, billing_type=BillingType.PREPAID),
               f.customer(session, op, pkg, deleted_at=NOW)]
    first = generate_bills(session, now=NOW, due_days=7)
    assert (first.period, first.created) == ("2026-06", 2)
    again = generate_bills(session, now=NOW, period="2026-06", due_days=7)
    assert (again.created, again.skipped) == (0, 2)
    for cust in (active, suspended):
        (bill,) = _bills_of(session, cust)
        assert (bill.amount, bill.status, bill.period) == (Decimal("1200.00"), BillStatus.UNPAID, "2026-06")
        assert (bill.issued_on, bill.due_date) == (date(2026, 6, 1), date(2026, 6, 8))
        assert bill.number.startswith("DHK-202606-")
        session.refresh(cust)
        assert cust.balance == Decimal("-1200.00")
        entry = session.scalars(select(LedgerEntry).where(LedgerEntry.bill_id == bill.id)).one()
        assert (entry.kind, entry.amount, entry.balance_after) == (LedgerKind.CHARGE, Decimal("-1200.00"),
                                                                   Decimal("-1200.00"))
    assert all(_bills_of(session, c) == [] for c in skipped)
    events = session.scalars(select(OutboxEvent).where(OutboxEvent.event == "bill.generated")).all()
    assert {e.payload["bill_id"] for e in events} == set(first.bill_ids)


def test_numbers_are_sequential_per_operator(session: Session) -> None:
    pkg = f.package(session)
    op_a, op_b = f.operator(session, invoice_prefix="AAA"), f.operator(session, invoice_prefix="BBB",
                                                                       next_invoice_no=41)
    for op in (op_a, op_b, op_a):
        f.customer(session, op, pkg)
    generate_bills(session, now=NOW, period="2026-05")
    numbers = {op.id: sorted(session.scalars(select(Bill.number).where(Bill.operator_id == op.id)))
               for op in (op_a, op_b)}
    assert numbers[op_a.id] == ["AAA-202605-000001", "AAA-202605-000002"]
    assert numbers[op_b.id] == ["BBB-202605-000041"]
    f.customer(session, op_a, pkg)
    generate_bills(session, now=NOW, period="2026-05")
    session.refresh(op_a)
    assert op_a.next_invoice_no == 4
    latest = session.scalars(select(Bill.number).where(Bill.operator_id == op_a.id)).all()
    assert "AAA-202605-000003" in latest


def test_numbers_past_six_digits_stay_whole(session: Session) -> None:
    op, pkg = f.operator(session, invoice_prefix="BIG", next_invoice_no=999_999), f.package(session)
    for _ in range(2):
        f.customer(session, op, pkg)
    generate_bills(session, now=NOW)
    numbers = sorted(session.scalars(select(Bill.number).where(Bill.operator_id == op.id)))
    assert numbers == ["BIG-202606-1000000", "BIG-202606-999999"]


def test_held_credit_pays_the_new_bill(session: Session) -> None:
    op, pkg = f.operator(session), f.package(session, price=Decimal("1000.00"))
    rich = f.customer(session, op, pkg, balance=Decimal("1500.00"))
    partly = f.customer(session, op, pkg, balance=Decimal("400.00"))
    generate_bills(session, now=NOW)
    for cust, paid, status, balance in ((rich, "1000.00", BillStatus.PAID, "500.00"),
                                        (partly, "400.00", BillStatus.PARTIAL, "-600.00")):
        (bill,) = _bills_of(session, cust)
        session.refresh(cust)
        assert (bill.amount_paid, bill.status, cust.balance) == (Decimal(paid), status, Decimal(balance))
        alloc = session.scalars(select(PaymentAllocation).where(PaymentAllocation.bill_id == bill.id)).one()
        assert alloc.amount == Decimal(paid)


def test_held_credit_pays_older_open_bills_first(session: Session) -> None:
    op, pkg = f.operator(session), f.package(session, price=Decimal("1000.00"))
    cust = f.customer(session, op, pkg, balance=Decimal("1600.00"))
    older = f.bill(session, cust, due=date(2026, 5, 10), amount="1000.00")  # not yet paid from the credit
    generate_bills(session, now=NOW)
    (_, new) = _bills_of(session, cust)
    session.refresh(cust)
    assert (older.status, new.status, new.amount_paid) == (BillStatus.PAID, BillStatus.PARTIAL,
                                                           Decimal("600.00"))
    assert cust.balance == Decimal("-400.00")


@pytest.mark.parametrize("period", ["2026-13", "26-05", "2026-5", "", "may"])
def test_bad_period_names_the_field_and_writes_nothing(session: Session, period: str) -> None:
    f.customer(session, f.operator(session), f.package(session))
    with pytest.raises(ValidationError) as err:
        generate_bills(session, now=NOW, period=period)
    assert err.value.field == "period" and _count(session, Bill) == 0


def test_bad_due_days(session: Session) -> None:
    with pytest.raises(ValidationError) as err:
        generate_bills(session, now=NOW, due_days=-1)
    assert err.value.field == "due_days"


def test_run_handles_many_customers_in_bulk(session: Session) -> None:
    op, pkg = f.operator(session), f.package(session)
    base = session.get(Customer, f.customer(session, op, pkg).id)
    assert base is not None
    columns = [c.key for c in Customer.__table__.columns if c.key != "id"]
    session.execute(insert(Customer), [
        {k: getattr(base, k) for k in columns} | {"username": f"bulk{n}", "name": f"Bulk {n}"}
        for n in range(2500)])
    result = generate_bills(session, now=NOW)
    assert result.created == 2501 and len(set(result.bill_ids)) == 2501
    charges = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.bill_id.in_(result.bill_ids))
    assert session.scalar(charges) == 2501
    total = session.scalar(select(func.sum(Customer.balance)).where(Customer.operator_id == op.id))
    assert total == Decimal("-2501000.00")


def _manual(session: Session, **kw: object) -> tuple[Customer, Bill]:
    cust = f.customer(session, f.operator(session, invoice_prefix="MAN"), f.package(session))
    values: dict[str, object] = {"customer_id": cust.id, "amount": Decimal("500.00"),
                                 "due_date": date(2026, 6, 20)} | kw
    return cust, create_bill(session, data=BillCreate(**values), now=NOW)  # type: ignore[arg-type]


def test_manual_bill_is_numbered_and_charged(session: Session) -> None:
    cust, bill = _manual(session, description="router replacement")
    assert bill.number == "MAN-202606-000001" and bill.currency == "BDT" and bill.issued_on == NOW.date()
    assert cust.balance == Decimal("-500.00") and bill.status == BillStatus.UNPAID


def test_manual_bill_uses_held_credit(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session), balance=Decimal("800.00"))
    bill = create_bill(session, data=BillCreate(cust.id, Decimal("500.00"), date(2026, 6, 20)), now=NOW)
    assert (bill.status, bill.amount_paid, cust.balance) == (BillStatus.PAID, Decimal("500.00"),
                                                             Decimal("300.00"))


@pytest.mark.parametrize(("kw", "field"), [
    ({"amount": Decimal("0")}, "amount"), ({"amount": "abc"}, "amount"),
    ({"currency": "taka"}, "currency"), ({"due_date": "soon"}, "due_date"),
    ({"period": "2026/06"}, "period"), ({"customer_id": 999_999}, "customer_id"),
])
def test_manual_bill_validation(session: Session, kw: dict[str, object], field: str) -> None:
    cust = f.customer(session, f.operator(session), f.package(session))
    before = _count(session, Bill), _count(session, LedgerEntry)
    values: dict[str, object] = {"customer_id": cust.id, "amount": Decimal("5"), "due_date": date(2026, 7, 1)}
    with pytest.raises((ValidationError, NotFound)) as err:
        create_bill(session, data=BillCreate(**(values | kw)), now=NOW)  # type: ignore[arg-type]
    assert err.value.field == field
    assert (_count(session, Bill), _count(session, LedgerEntry)) == before and cust.balance == 0


def test_other_operators_customer_and_bill_are_not_found(session: Session) -> None:
    cust, bill = _manual(session)
    other = f.operator(session)
    with pytest.raises(NotFound):
        create_bill(session, data=BillCreate(cust.id, Decimal("1"), date(2026, 7, 1)), now=NOW,
                    operator_id=other.id)
    with pytest.raises(NotFound):
        update_bill(session, bill.id, data=BillUpdate(description="x"), now=NOW, operator_id=other.id)
    with pytest.raises(NotFound):
        delete_bill(session, bill.id, now=NOW, operator_id=other.id)
    assert bills.get_bill(session, bill.id, operator_id=cust.operator_id) is bill


def test_update_amount_posts_the_difference(session: Session) -> None:
    cust, bill = _manual(session)
    update_bill(session, bill.id, data=BillUpdate(amount=Decimal("650.00"), due_date=date(2026, 6, 30)),
                now=NOW)
    assert (bill.amount, bill.due_date, cust.balance) == (Decimal("650.00"), date(2026, 6, 30),
                                                          Decimal("-650.00"))
    update_bill(session, bill.id, data=BillUpdate(amount=Decimal("100.00")), now=NOW)
    adjustments = session.scalars(select(LedgerEntry.amount).where(
        LedgerEntry.bill_id == bill.id, LedgerEntry.kind == LedgerKind.ADJUSTMENT).order_by(LedgerEntry.id))
    assert list(adjustments) == [Decimal("-150.00"), Decimal("550.00")]
    assert cust.balance == Decimal("-100.00")


def test_update_below_paid_and_paid_bills_are_refused(session: Session) -> None:
    cust = f.customer(session, f.operator(session), f.package(session), balance=Decimal("300.00"))
    bill = create_bill(session, data=BillCreate(cust.id, Decimal("500.00"), date(2026, 6, 20)), now=NOW)
    assert bill.amount_paid == Decimal("300.00")
    with pytest.raises(ValidationError) as err:
        update_bill(session, bill.id, data=BillUpdate(amount=Decimal("299.99")), now=NOW)
    assert err.value.field == "amount" and bill.amount == Decimal("500.00")
    update_bill(session, bill.id, data=BillUpdate(amount=Decimal("300.00")), now=NOW)
    assert bill.status == BillStatus.PAID and cust.balance == Decimal("0.00")
    with pytest.raises(Conflict):
        update_bill(session, bill.id, data=BillUpdate(description="late"), now=NOW)
    with pytest.raises(Conflict) as gone:
        delete_bill(session, bill.id, now=NOW)
    assert gone.value.field == "id"


def test_delete_cancels_and_reverses_the_charge(session: Session) -> None:
    cust, bill = _manual(session)
    delete_bill(session, bill.id, now=NOW)
    assert bill.status == BillStatus.CANCELLED and cust.balance == Decimal("0.00")
    with pytest.raises(NotFound):
        delete_bill(session, bill.id, now=NOW)
    with pytest.raises(Conflict):
        update_bill(session, bill.id, data=BillUpdate(description="x"), now=NOW)


def test_two_runs_at_once_bill_each_customer_once(
    committed: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory() as s:
        op, pkg = f.operator(s), f.package(s, price=Decimal("700.00"))
        ids = [f.customer(s, op, pkg).id for _ in range(20)]
        s.commit()
    barrier, real_lock = threading.Barrier(2, timeout=20), bills._lock_operators

    def together(session: Session) -> None:
        barrier.wait()  # both runs reach the lock at the same moment
        real_lock(session)

    monkeypatch.setattr(bills, "_lock_operators", together)
    created: list[int] = []

    def run() -> None:
        with session_factory() as s:
            created.append(generate_bills(s, now=NOW).created)
            s.commit()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(created) == [0, 20]
    with session_factory() as s:
        balances = s.scalars(select(Customer.balance).where(Customer.id.in_(ids))).all()
        assert set(balances) == {Decimal("-700.00")}
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 20
        numbers = s.scalars(select(Bill.number)).all()
        assert len(set(numbers)) == 20 and s.get(type(op), op.id).next_invoice_no == 21  # type: ignore[union-attr]
