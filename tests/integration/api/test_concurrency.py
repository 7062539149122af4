"""Money under concurrency, over real HTTP (uvicorn on loopback) on the store under test: no 5xx, no
lost update, every payment on the ledger once, balance = sum of ledger = statement closing balance."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from billing.enforcement import RecordingEnforcer
from billing.enums import CustomerStatus
from billing.models import Bill, Customer, LedgerEntry, Operator, Payment, PaymentAllocation, Voucher
from billing.policy import SuspensionPolicy
from billing.suspension import run_suspension
from billing.vouchers import generate_vouchers
from tests import factories as f
from tests.factories import NOW
from tests.integration.api.conftest import Api
from tests.integration.api.loopback import uvicorn_on_loopback

pytestmark = pytest.mark.slow
TEN = Decimal("10.00")


@dataclass
class Live:
    """The API on a real socket, a token, and a pool of concurrent callers."""

    api: Api
    base: str
    headers: dict[str, str]

    def post(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return httpx.request(method, f"{self.base}{path}", json=body, headers=self.headers, timeout=60)

    def at_once(self, calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
        """Start every call together (a barrier) and wait for all."""
        barrier = threading.Barrier(len(calls), timeout=30)

        def go(call: Callable[[], httpx.Response]) -> httpx.Response:
            barrier.wait()
            return call()

        with ThreadPoolExecutor(len(calls)) as pool:
            return list(pool.map(go, calls))


@pytest.fixture
def live(api: Api) -> Iterator[Live]:
    app: FastAPI = api.http.app  # type: ignore[assignment]
    headers = api.auth(api.token("v2", "admin", tier="high"))
    with uvicorn_on_loopback(app) as base:
        yield Live(api, base, headers)


def _customers(api: Api, n: int, *, bill: str | None = "100.00",
               overdue: bool = False) -> tuple[int, list[int]]:
    with api.db() as s:
        op, pkg = f.operator(s, fund_balance=Decimal("1000.00")), f.package(s)
        ids = []
        for _ in range(n):
            cust = f.customer(s, op, pkg)
            if bill is not None:
                f.bill(s, cust, due=(NOW - timedelta(days=40 if overdue else -5)).date(), amount=bill)
            ids.append(cust.id)
        return op.id, ids


def _pay(live: Live, customer_id: int, amount: Decimal = TEN) -> Callable[[], httpx.Response]:
    return lambda: live.post("POST", "/api/v2/billing/payments",
                             {"customer_id": customer_id, "amount": str(amount)})


def assert_books(live: Live, customer_ids: list[int]) -> dict[int, Decimal]:
    """Each customer: balance = sum of its ledger = statement closing; each payment on the ledger once;
    each bill's paid amount = what was allocated to it. Returns the balances."""
    balances: dict[int, Decimal] = {}
    with live.api.db() as s:
        for cid in customer_ids:
            balance = s.scalars(select(Customer.balance).where(Customer.id == cid)).one()
            ledger = s.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                              .where(LedgerEntry.customer_id == cid))
            assert balance == ledger, f"customer {cid}: balance {balance} != ledger {ledger}"
            balances[cid] = balance
        per_payment = s.execute(select(Payment.id, func.count(LedgerEntry.id))
                                .outerjoin(LedgerEntry, LedgerEntry.payment_id == Payment.id)
                                .where(Payment.customer_id.in_(customer_ids)).group_by(Payment.id)).all()
        assert all(n == 1 for _, n in per_payment), per_payment
        for bill in s.scalars(select(Bill).where(Bill.customer_id.in_(customer_ids))):
            allocated = s.scalar(select(func.coalesce(func.sum(PaymentAllocation.amount), 0))
                                 .where(PaymentAllocation.bill_id == bill.id))
            assert allocated is not None and bill.amount_paid == allocated <= bill.amount, (
                bill.id, bill.amount_paid, allocated)
    for cid in customer_ids:
        r = httpx.get(f"{live.base}/api/v2/customers/{cid}/statement", params={"from": "2000-01-01"},
                      headers=live.headers, timeout=30)
        assert r.status_code == 200, r.text
        assert Decimal(str(r.json()["data"]["closing_balance"])) == balances[cid]
    return balances


def assert_no_5xx(responses: list[httpx.Response], ok: tuple[int, ...] = (200, 201)) -> None:
    bad = [(r.status_code, r.text[:200]) for r in responses if r.status_code not in ok]
    assert not bad, bad


def test_fifty_payments_at_once_on_one_customer_all_count(live: Live) -> None:
    _, (cid,) = _customers(live.api, 1)
    responses = live.at_once([_pay(live, cid) for _ in range(50)])
    assert_no_5xx(responses, (201,))
    assert len({r.json()["data"]["id"] for r in responses}) == 50
    balances = assert_books(live, [cid])
    assert balances[cid] == Decimal("-100.00") + 50 * TEN
    with live.api.db() as s:
        assert s.scalars(select(Bill.amount_paid).where(Bill.customer_id == cid)).one() == Decimal("100.00")


def test_fifty_payments_at_once_over_fifty_customers(live: Live) -> None:
    _, ids = _customers(live.api, 50)
    assert_no_5xx(live.at_once([_pay(live, cid, Decimal("60.00")) for cid in ids]), (201,))
    balances = assert_books(live, ids)
    assert set(balances.values()) == {Decimal("-40.00")}


def test_payments_race_a_suspension_run_and_fund_moves(live: Live) -> None:
    op_id, ids = _customers(live.api, 5, overdue=True)
    policy = SuspensionPolicy(grace_days=3)

    def suspension_run() -> httpx.Response:
        report = run_suspension(live.api.sessions, now=NOW, policy=policy, enforcer=RecordingEnforcer())
        return httpx.Response(200, json={"suspended": report.suspended})

    def move(cid: int) -> Callable[[], httpx.Response]:
        return lambda: live.post("PUT", f"/api/v2/operators/{op_id}/funds/transfer",
                                 {"customer_id": cid, "amount": "5.00", "direction": "to_customer"})

    calls = [_pay(live, cid, Decimal("50.00")) for cid in ids for _ in range(2)]
    calls += [move(cid) for cid in ids] + [suspension_run]
    assert_no_5xx(live.at_once(calls))
    balances = assert_books(live, ids)
    assert set(balances.values()) == {Decimal("5.00")}  # -100 + 2 x 50 + 5
    with live.api.db() as s:
        assert s.scalars(select(Operator.fund_balance).where(Operator.id == op_id)).one() == Decimal("975.00")
        statuses = set(s.scalars(select(Customer.status).where(Customer.id.in_(ids))))
    # whichever came first, nobody who paid everything stays cut off
    assert statuses == {CustomerStatus.ACTIVE}


def test_one_voucher_activated_twice_at_once_is_used_once(live: Live) -> None:
    _, ids = _customers(live.api, 2, bill=None)
    with live.api.db() as s:
        pkg = s.get(Customer, ids[0]).package_id  # type: ignore[union-attr]
        code = generate_vouchers(s, package_id=pkg, quantity=1, now=NOW)[0].code
    def activate(cid: int) -> Callable[[], httpx.Response]:
        return lambda: live.post("POST", "/api/v2/vouchers/activate", {"code": code, "customer_id": cid})

    responses = live.at_once([activate(cid) for cid in ids])
    assert sorted(r.status_code for r in responses) == [200, 409]
    balances = assert_books(live, ids)
    assert sorted(balances.values()) == [Decimal("0.00"), Decimal("1000.00")]
    with live.api.db() as s:
        assert s.scalars(select(Voucher.activated_by_id).where(Voucher.code == code)).one() in ids
