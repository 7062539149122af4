"""A payment or an action through the real HTTP API reaches the simulated router at once (after the
request commits, off the request path); a router that is down leaves it pending for the next run."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from billing.enums import ServiceState
from billing.models import Customer
from billing.suspension import run_suspension
from device_fixtures.routeros.server import RouterOSFleet, serve_routeros
from device_fixtures.routeros.state import RouterState, Subscriber, SubscriberKind
from device_fixtures.routeros.subscribers import build_router
from ispnoc.enforcers import enforcer_for, wire_push
from tests.factories import NOW
from tests.integration.api.conftest import Api
from tests.integration.api.loopback import uvicorn_on_loopback
from tests.integration.collectors.routers import POLICY, Isp, account, pick, settings


@pytest.fixture
def router() -> Iterator[tuple[RouterState, RouterOSFleet]]:
    state = build_router("rtr-api", 30, seed=31)
    with serve_routeros([state]) as fleet:
        yield state, fleet


Router = tuple[RouterState, RouterOSFleet]


def suspended_customer(api: Api, router: Router, skip: int = 0) -> tuple[int, Subscriber]:
    """A customer suspended on the router by a run, and their PPPoE secret."""
    state, fleet = router
    isp = Isp(api.sessions)
    if fleet["rtr-api"].name not in isp.devices:
        isp.router(fleet["rtr-api"])
    sub = pick(state, SubscriberKind.PPPOE, static=True, skip=skip)
    cid = isp.customer(state, sub)
    enforcer = enforcer_for(settings(), api.sessions, timeout=1.0)
    try:
        assert run_suspension(api.sessions, now=NOW, policy=POLICY, enforcer=enforcer).applied == 1
    finally:
        enforcer.close()
    assert account(state, sub)["profile"] == "suspended"
    return cid, sub


def until(check: Callable[[], bool], seconds: float = 2.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def applied(api: Api, cid: int) -> tuple[ServiceState | None, str | None]:
    with api.db() as s:
        cust = s.get(Customer, cid)
        assert cust is not None
        return cust.applied_state, cust.enforce_error


def pay(api: Api, cid: int) -> None:
    headers = api.auth(api.token("v2", "billing"))
    r = api.http.post("/api/v2/billing/payments", json={"customer_id": cid, "amount": 1000,
                                                        "payment_method": "bkash"}, headers=headers)
    assert r.status_code == 201, r.text


def test_a_payment_reactivates_on_the_router_within_a_second(
    api: Api, router: Router,
) -> None:
    state, _ = router
    cid, sub = suspended_customer(api, router)
    app: FastAPI = api.http.app  # type: ignore[assignment]
    wire_push(app, settings(), timeout=1.0)
    started = time.monotonic()
    pay(api, cid)
    assert until(lambda: account(state, sub)["profile"] == sub.profile, 1.0), "not pushed to the router"
    assert time.monotonic() - started < 2.0
    assert account(state, sub)["remote-address"] == sub.address
    assert until(lambda: applied(api, cid) == (ServiceState.ENABLED, None))


def test_a_manual_action_is_pushed_and_an_unwired_app_leaves_it_to_the_run(
    api: Api, router: Router,
) -> None:
    state, _ = router
    cid, sub = suspended_customer(api, router)
    pay(api, cid)  # no pusher wired: the router waits for the next run
    assert account(state, sub)["profile"] == "suspended" and applied(api, cid)[0] == ServiceState.SUSPENDED
    app: FastAPI = api.http.app  # type: ignore[assignment]
    wire_push(app, settings(), timeout=1.0)
    headers = api.auth(api.token("v1", "billing"))
    r = api.http.post(f"/api/v1/customers/{cid}/action", json={"action": "suspend"}, headers=headers)
    assert r.status_code == 200, r.text
    assert until(lambda: applied(api, cid) == (ServiceState.SUSPENDED, None))
    r = api.http.post(f"/api/v1/customers/{cid}/action", json={"action": "activate"}, headers=headers)
    assert r.status_code == 200 and until(lambda: account(state, sub)["profile"] == sub.profile)


def test_a_payment_while_the_router_is_down_stays_pending_for_the_next_run(
    api: Api, router: Router,
) -> None:
    state, _ = router
    cid, sub = suspended_customer(api, router)
    app: FastAPI = api.http.app  # type: ignore[assignment]
    wire_push(app, settings(), timeout=0.3)
    state.faults.update(silent=True)
    pay(api, cid)
    assert until(lambda: (applied(api, cid)[1] or "").find("TimeoutError") >= 0)
    assert applied(api, cid)[0] == ServiceState.SUSPENDED
    state.faults.clear()
    enforcer = enforcer_for(settings(), api.sessions, timeout=1.0)
    try:
        assert run_suspension(api.sessions, now=NOW, policy=POLICY, enforcer=enforcer).applied == 1
    finally:
        enforcer.close()
    assert account(state, sub)["profile"] == sub.profile and applied(api, cid) == (ServiceState.ENABLED, None)


def test_under_uvicorn_the_payment_answers_before_the_push_waits_on_a_dead_router(
    api: Api, router: Router,
) -> None:
    state, _ = router
    cid, sub = suspended_customer(api, router)
    app: FastAPI = api.http.app  # type: ignore[assignment]
    wire_push(app, settings(), timeout=3.0)
    token = api.token("v2", "billing")
    state.faults.update(silent=True)
    with uvicorn_on_loopback(app) as base:
        r = httpx.post(f"{base}/api/v2/billing/payments", json={"customer_id": cid, "amount": 1000},
                       headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert r.status_code == 201
        assert applied(api, cid) == (ServiceState.SUSPENDED, None)  # answered while the push still waits
        assert until(lambda: "TimeoutError" in (applied(api, cid)[1] or ""), 8.0)
        state.faults.clear()
        pay_again = httpx.post(f"{base}/api/v1/customers/{cid}/action", json={"action": "activate"},
                               headers={"Authorization": f"Bearer {api.token('v1', 'billing')}"}, timeout=10)
        assert pay_again.status_code == 200
        assert until(lambda: account(state, sub)["profile"] == sub.profile)
