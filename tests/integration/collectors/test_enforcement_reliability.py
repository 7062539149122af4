"""Enforcement runs against simulated RouterOS routers over librouteros: a router down during a run,
two routers with one down, nothing lost or applied twice (the routers count the writes they saw)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from billing.enums import ServiceState
from billing.models import Customer
from billing.suspension import RunReport, run_suspension
from device_fixtures.routeros.server import RouterOSFleet, serve_routeros
from device_fixtures.routeros.state import RouterState, SubscriberKind
from device_fixtures.routeros.subscribers import build_router
from ispnoc.enforcers import enforcer_for
from store.db import session_scope
from tests.integration.collectors.routers import NOW, POLICY, Isp, account, online, pick, settings, writes

TIMEOUT = 1.0


@pytest.fixture
def fleet() -> Iterator[RouterOSFleet]:
    routers = [build_router("rtr-a", 40, seed=11), build_router("rtr-b", 40, seed=12, index=1)]
    with serve_routeros(routers) as served:
        yield served


def run(sessions: sessionmaker[Session]) -> RunReport:
    enforcer = enforcer_for(settings(), sessions, timeout=TIMEOUT)
    try:
        return run_suspension(sessions, now=NOW, policy=POLICY, enforcer=enforcer)
    finally:
        enforcer.close()


State = tuple[ServiceState | None, int, str | None]


def states(sessions: sessionmaker[Session], ids: list[int]) -> list[State]:
    with session_scope(sessions) as s:
        found = [s.get(Customer, cid) for cid in ids]
        return [(c.applied_state, c.enforce_attempts, c.enforce_error) for c in found if c is not None]


def test_a_silent_router_keeps_its_changes_pending_then_they_land_once(
    session_factory: sessionmaker[Session], fleet: RouterOSFleet,
) -> None:
    a = fleet["rtr-a"].state
    isp = Isp(session_factory)
    isp.router(fleet["rtr-a"])
    subs = [pick(a, SubscriberKind.PPPOE, static=False, skip=k) for k in range(2)]
    subs.append(pick(a, SubscriberKind.HOTSPOT, online=True))
    ids = [isp.customer(a, sub) for sub in subs]
    a.faults.update(silent=True)
    started = time.monotonic()
    down = run(session_factory)
    assert time.monotonic() - started < 2 * TIMEOUT  # one timeout for the router, not one per customer
    assert (down.suspended, down.applied, down.failed) == (3, 0, 3)
    for applied, attempts, error in states(session_factory, ids):
        assert (applied, attempts) == (ServiceState.ENABLED, 1)
        assert error is not None and "router" in error and "admin" not in error
    assert writes(a) == {} and all(account(a, sub)["profile"] != "suspended" for sub in subs)

    a.faults.clear()
    back = run(session_factory)
    assert (back.suspended, back.applied, back.failed, back.drift) == (0, 3, 0, [])
    assert [s[:2] for s in states(session_factory, ids)] == [(ServiceState.SUSPENDED, 0)] * 3
    assert all(account(a, sub)["profile"] == "suspended" for sub in subs)
    assert not any(online(a, sub) for sub in subs)
    landed = writes(a)
    assert landed["/ppp/secret/set"] == 1 and landed["/ip/hotspot/user/set"] == 1  # one set per batch
    logins = a.commands["/login"]
    again = run(session_factory)
    assert (again.applied, again.failed, again.drift) == (0, 0, [])
    assert writes(a) == landed and a.commands["/login"] == logins + 1  # read once, nothing written twice


def test_two_routers_one_down_the_other_lands_and_the_run_pays_one_timeout(
    session_factory: sessionmaker[Session], fleet: RouterOSFleet,
) -> None:
    a, b = fleet["rtr-a"].state, fleet["rtr-b"].state
    isp = Isp(session_factory)
    isp.router(fleet["rtr-a"])
    isp.router(fleet["rtr-b"])
    on_a = [isp.customer(a, pick(a, SubscriberKind.PPPOE, skip=k)) for k in range(3)]
    on_b = [isp.customer(b, pick(b, SubscriberKind.PPPOE, skip=k)) for k in range(5)]
    b.faults.update(silent=True)
    started = time.monotonic()
    report = run(session_factory)
    assert time.monotonic() - started < 2 * TIMEOUT  # 5 changes on the dead router: still one timeout
    assert (report.applied, report.failed) == (3, 5)
    assert [s[0] for s in states(session_factory, on_a)] == [ServiceState.SUSPENDED] * 3
    errors = {s[2] for s in states(session_factory, on_b)}
    assert len(errors) == 1 and "TimeoutError" in str(errors.pop())  # the first failure's reason for all
    assert all(account(a, isp.customers[c][1])["profile"] == "suspended" for c in on_a)
    b.faults.clear()
    assert (run(session_factory).applied, sum(writes(b).values()) > 0) == (5, True)


def test_a_stopped_router_fails_fast_with_its_reason(session_factory: sessionmaker[Session]) -> None:
    state = build_router("rtr-gone", 5, seed=13)
    with serve_routeros([state]) as gone:
        endpoint = gone["rtr-gone"]
    isp = Isp(session_factory)
    isp.router(endpoint)  # its port is closed now
    ids = [isp.customer(state, pick(state, SubscriberKind.PPPOE, skip=k)) for k in range(2)]
    started = time.monotonic()
    report = run(session_factory)
    assert time.monotonic() - started < TIMEOUT and (report.applied, report.failed) == (0, 2)
    assert all("ConnectionRefusedError" in str(s[2]) for s in states(session_factory, ids))


def drifted(state: RouterState, name: str, profile: str) -> None:
    with state.lock:
        row = next(r for r in state.menus["/ppp/secret"] if r.get("name") == name)
        row["profile"] = profile


def test_drift_is_reported_and_repaired_in_both_directions(
    session_factory: sessionmaker[Session], fleet: RouterOSFleet,
) -> None:
    a = fleet["rtr-a"].state
    isp = Isp(session_factory)
    isp.router(fleet["rtr-a"])
    cut_sub, fine_sub = pick(a, SubscriberKind.PPPOE, skip=0), pick(a, SubscriberKind.PPPOE, skip=1)
    cut, fine = isp.customer(a, cut_sub), isp.customer(a, fine_sub, late=False)
    assert run(session_factory).applied == 1
    drifted(a, cut_sub.name, cut_sub.profile)  # someone lifted the suspension by hand
    drifted(a, fine_sub.name, "suspended")  # a paying customer found cut
    report = run(session_factory)
    drift = {d["customer_id"]: d for d in report.summary()["drift"]}
    assert set(drift) == {cut, fine} and report.applied == 2
    assert drift[cut]["store"] == "suspended" and repr(cut_sub.profile) in drift[cut]["found"]
    assert drift[fine]["store"] == "enabled" and "'suspended'" in drift[fine]["found"]
    assert drift[cut]["router_id"] == isp.devices["rtr-a"]
    assert account(a, cut_sub)["profile"] == "suspended"
    assert account(a, fine_sub)["profile"] == fine_sub.profile
    assert run(session_factory).drift == []


def test_a_change_the_router_already_shows_is_recorded_without_writing_it_again(
    session_factory: sessionmaker[Session], fleet: RouterOSFleet,
) -> None:
    a = fleet["rtr-a"].state
    isp = Isp(session_factory)
    isp.router(fleet["rtr-a"])
    sub = pick(a, SubscriberKind.PPPOE, static=False)
    cid = isp.customer(a, sub)
    drifted(a, sub.name, "suspended")  # e.g. an earlier run wrote it and died before recording it
    report = run(session_factory)
    assert (report.suspended, report.applied, report.drift) == (1, 0, [])
    assert states(session_factory, [cid]) == [(ServiceState.SUSPENDED, 0, None)]
    assert writes(a) == {}
