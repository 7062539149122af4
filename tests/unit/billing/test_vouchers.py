"""Recharge cards: unique unguessable codes, and an activation that works once, even in a race."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from billing import vouchers
from billing.enums import BillingType, BillStatus, CustomerStatus, LedgerKind, SuspendReason, VoucherStatus
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import (
    Customer,
    LedgerEntry,
    Operator,
    OutboxEvent,
    Package,
    Subscription,
    Voucher,
    VoucherBatch,
)
from billing.vouchers import VoucherConfig, activate_voucher, generate_vouchers
from tests import factories as f
from tests.factories import NOW


def _count(session: Session, model: type[object]) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _setup(session: Session, **kw: object) -> tuple[Customer, Package, Voucher]:
    op = f.operator(session)
    pkg = f.package(session, price=Decimal("500.00"))
    cust = f.customer(session, op, pkg, **kw)
    (card,) = generate_vouchers(session, package_id=pkg.id, quantity=1, now=NOW)
    return cust, pkg, card


def test_generate_a_batch_of_unique_codes(session: Session) -> None:
    pkg = f.package(session, price=Decimal("300.00"))
    cards = generate_vouchers(session, package_id=pkg.id, quantity=500, now=NOW)
    assert len(cards) == 500 and len({c.code for c in cards}) == 500
    charset = set(VoucherConfig().charset)
    assert all(len(c.code) == 12 and set(c.code) <= charset for c in cards)
    assert {(c.value, c.status, c.package_id) for c in cards} == {(Decimal("300.00"), VoucherStatus.UNUSED,
                                                                   pkg.id)}
    batch = session.get(VoucherBatch, cards[0].batch_id)
    assert batch is not None and (batch.quantity, batch.value) == (500, Decimal("300.00"))


def test_codes_follow_the_config_and_avoid_stored_ones(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = f.package(session)
    config = VoucherConfig(length=6, charset="0123456789", prefix="HS-")
    (first,) = generate_vouchers(session, package_id=pkg.id, quantity=1, now=NOW, config=config)
    assert first.code.startswith("HS-") and first.code[3:].isdigit()
    draws = iter([first.code, first.code, "HS-000001"])
    monkeypatch.setattr(vouchers, "_draw", lambda _config: next(draws))
    (second,) = generate_vouchers(session, package_id=pkg.id, quantity=1, now=NOW, config=config)
    assert second.code == "HS-000001"


@pytest.mark.parametrize(("kw", "field"), [
    ({"quantity": 0}, "quantity"), ({"quantity": 10_001}, "quantity"),
    ({"package_id": 999_999}, "package_id"),
    ({"config": VoucherConfig(charset="AB")}, "charset"), ({"config": VoucherConfig(length=2)}, "length"),
])
def test_generate_validation(session: Session, kw: dict[str, object], field: str) -> None:
    pkg = f.package(session)
    values: dict[str, object] = {"package_id": pkg.id, "quantity": 5} | kw
    with pytest.raises(ValidationError) as err:
        generate_vouchers(session, now=NOW, **values)  # type: ignore[arg-type]
    assert err.value.field == field and _count(session, Voucher) == _count(session, VoucherBatch) == 0


def test_another_operators_package_is_refused(session: Session) -> None:
    pkg = f.package(session, operator_id=f.operator(session).id)
    with pytest.raises(ValidationError) as err:
        generate_vouchers(session, package_id=pkg.id, quantity=1, now=NOW, operator_id=f.operator(session).id)
    assert err.value.field == "package_id"


def test_activation_credits_the_customer_and_pays_bills(session: Session) -> None:
    cust, _, card = _setup(session)
    bill = f.bill(session, cust, due=date(2026, 5, 10), amount="400.00")
    used = activate_voucher(session, code=card.code, phone=None, customer_id=cust.id, now=NOW)
    assert (used.status, used.activated_by_id, used.activated_at) == (VoucherStatus.USED, cust.id, NOW)
    assert bill.status == BillStatus.PAID and cust.balance == Decimal("100.00")
    entry = session.scalars(select(LedgerEntry).where(LedgerEntry.kind == LedgerKind.PAYMENT)).one()
    assert entry.description == f"voucher {card.code}" and entry.amount == Decimal("500.00")
    event = session.scalars(select(OutboxEvent).where(OutboxEvent.event == "voucher.activated")).one()
    assert event.payload["customer_id"] == cust.id and event.payload["code"] == card.code


def test_a_code_works_once(session: Session) -> None:
    cust, _, card = _setup(session)
    activate_voucher(session, code=card.code, phone=None, customer_id=cust.id, now=NOW)
    with pytest.raises(Conflict) as err:
        activate_voucher(session, code=card.code, phone=None, customer_id=cust.id, now=NOW)
    assert (err.value.field, err.value.message) == ("code", "voucher already used")
    assert cust.balance == Decimal("500.00")


def test_prepaid_customer_is_renewed_by_the_card(session: Session) -> None:
    cust, _, card = _setup(session, billing_type=BillingType.PREPAID, status=CustomerStatus.SUSPENDED,
                           suspend_reason=SuspendReason.EXPIRED)
    f.subscription(session, cust, expires=NOW - timedelta(days=1))
    activate_voucher(session, code=card.code, phone=cust.phone, customer_id=cust.id, now=NOW)
    sub = session.scalars(select(Subscription).where(Subscription.customer_id == cust.id)).one()
    assert sub.expires_at == NOW + timedelta(days=30)
    assert cust.status == CustomerStatus.ACTIVE and cust.balance == Decimal("0.00")


def test_phone_finds_the_one_customer_with_it(session: Session) -> None:
    cust, _, card = _setup(session, phone="01999000111")
    activate_voucher(session, code=card.code, phone="01999000111", customer_id=None, now=NOW)
    assert card.activated_by_id == cust.id and cust.balance == Decimal("500.00")


def test_phone_shared_by_several_customers_records_the_phone_only(session: Session) -> None:
    cust, pkg, card = _setup(session, phone="01999000222")
    twin = f.customer(session, f.operator(session), pkg, phone="01999000222")
    activate_voucher(session, code=card.code, phone="01999000222", customer_id=None, now=NOW)
    assert (card.status, card.activated_by_id) == (VoucherStatus.USED, None)
    assert card.activated_phone == "01999000222"
    assert cust.balance == twin.balance == Decimal("0")


@pytest.mark.parametrize(("kw", "error", "field"), [
    ({"code": "NOPE-NOPE"}, NotFound, "code"),
    ({"code": ""}, ValidationError, "code"),
    ({"customer_id": None, "phone": None}, ValidationError, "customer_id"),
    ({"customer_id": 999_999}, NotFound, "customer_id"),
])
def test_bad_activations_name_the_field_and_change_nothing(
    session: Session, kw: dict[str, object], error: type[Exception], field: str
) -> None:
    cust, _, card = _setup(session)
    values: dict[str, object] = {"code": card.code, "phone": None, "customer_id": cust.id} | kw
    with pytest.raises(error) as err:
        activate_voucher(session, now=NOW, **values)  # type: ignore[arg-type]
    assert getattr(err.value, "field", None) == field
    session.refresh(card)
    assert card.status == VoucherStatus.UNUSED and cust.balance == 0 and _count(session, LedgerEntry) == 0


def test_another_operators_customer_cannot_use_the_card(session: Session) -> None:
    cust, _, card = _setup(session)
    with pytest.raises(NotFound):
        activate_voucher(session, code=card.code, phone=None, customer_id=cust.id, now=NOW,
                         operator_id=f.operator(session).id)


def test_an_operators_card_works_only_for_its_own_customers(session: Session) -> None:
    cust, pkg, _ = _setup(session)
    (theirs,) = generate_vouchers(session, package_id=pkg.id, quantity=1, now=NOW,
                                  operator_id=f.operator(session).id)
    with pytest.raises(NotFound) as err:
        activate_voucher(session, code=theirs.code, phone=None, customer_id=cust.id, now=NOW)
    assert err.value.field == "code" and theirs.status == VoucherStatus.UNUSED and cust.balance == 0
    (mine,) = generate_vouchers(session, package_id=pkg.id, quantity=1, now=NOW, operator_id=cust.operator_id)
    used = activate_voucher(session, code=mine.code, phone=None, customer_id=cust.id, now=NOW)
    assert used.status == VoucherStatus.USED and cust.balance == Decimal("500.00")


def test_two_activations_at_once_exactly_one_wins(
    committed: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory() as s:
        cust_a, pkg, card = _setup(s)
        op = s.get(Operator, cust_a.operator_id)
        assert op is not None
        ids, code = [cust_a.id, f.customer(s, op, pkg).id], card.code
        s.commit()
    barrier = threading.Barrier(2, timeout=20)
    real_card = vouchers._card

    def both_read_first(session: Session, code: object, operator_id: int | None) -> Voucher:
        found = real_card(session, code, operator_id)  # both see the card unused ...
        if committed.dialect.name != "sqlite":  # (SQLite: the first holds the write lock until it commits)
            barrier.wait()  # ... before either claims it
        return found

    monkeypatch.setattr(vouchers, "_card", both_read_first)
    results: dict[int, str] = {}

    def attempt(i: int) -> None:
        with session_factory() as s:
            try:
                activate_voucher(s, code=code, phone=None, customer_id=ids[i], now=NOW)
                s.commit()
                results[i] = "won"
            except Conflict:
                s.rollback()
                results[i] = "conflict"

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results.values()) == ["conflict", "won"]
    winner = ids[next(i for i, r in results.items() if r == "won")]
    with session_factory() as s:
        balances = dict(s.execute(select(Customer.id, Customer.balance).where(Customer.id.in_(ids))).all())
        assert balances[winner] == Decimal("500.00") and sum(balances.values()) == Decimal("500.00")
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 1
        used = s.scalars(select(Voucher).where(Voucher.code == code)).one()
        assert used.activated_by_id == winner
