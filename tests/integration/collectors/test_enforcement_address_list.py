"""Address-list style on a simulated router: entries with the customer's comment, the payment-page
NAT redirect ensured once, entries and rules ispnoc did not make never touched, drift re-listed."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from billing import payments
from billing.enums import EnforcementStyle
from billing.suspension import RunReport, run_suspension
from device_fixtures.routeros.server import RouterOSFleet, serve_routeros
from device_fixtures.routeros.state import RouterState, SubscriberKind
from device_fixtures.routeros.subscribers import build_router
from ispnoc.enforcers import enforcer_for
from store.db import session_scope
from tests.integration.collectors.routers import NOW, PAGE, POLICY, Isp, account, pick, rows, settings, writes

LIST, NAT = "/ip/firewall/address-list", "/ip/firewall/nat"


@pytest.fixture
def router() -> Iterator[tuple[RouterState, RouterOSFleet]]:
    state = build_router("rtr-list", 40, seed=21)
    with state.lock:
        state.menus[LIST].add({"list": "ispnoc-suspended", "address": "10.99.0.1", "comment": "by hand"})
        state.menus[LIST].add({"list": "other", "address": "10.99.0.2", "comment": "ispnoc:1"})
        state.menus[NAT].add({"chain": "dstnat", "action": "dst-nat", "protocol": "tcp", "dst-port": "80",
                              "to-addresses": "10.0.0.1", "comment": "office portal"})
    with serve_routeros([state]) as fleet:
        yield state, fleet


def run(sessions: sessionmaker[Session], **kw: Any) -> RunReport:
    enforcer = enforcer_for(settings(**kw), sessions, timeout=1.0)
    try:
        return run_suspension(sessions, now=NOW, policy=POLICY, enforcer=enforcer)
    finally:
        enforcer.close()


def listed(state: RouterState) -> dict[str, str]:
    return {r["comment"]: r["address"] for r in rows(state, LIST, list="ispnoc-suspended")}


def untouched(state: RouterState) -> None:
    assert rows(state, LIST, comment="by hand") and rows(state, LIST, list="other", comment="ispnoc:1")
    assert len(rows(state, NAT, comment="office portal")) == 1


def test_address_list_style_lists_redirects_and_unlists_only_its_own(
    session_factory: sessionmaker[Session], router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    isp = Isp(session_factory)
    isp.router(fleet["rtr-list"], enforcement="address-list")  # the router's style, not the package's
    static = pick(state, SubscriberKind.PPPOE, static=True)
    dynamic = pick(state, SubscriberKind.PPPOE, static=False, online=True)
    hotspot = pick(state, SubscriberKind.HOTSPOT, online=True)
    ids = [isp.customer(state, sub) for sub in (static, dynamic, hotspot)]
    leased = [str((sub.session or {})["address"]) for sub in (dynamic, hotspot)]  # their session addresses
    report = run(session_factory)
    assert (report.applied, report.failed) == (3, 0)
    assert listed(state) == {f"ispnoc:{ids[0]}": static.address, f"ispnoc:{ids[1]}": leased[0],
                             f"ispnoc:{ids[2]}": leased[1], "by hand": "10.99.0.1"}
    (rule,) = rows(state, NAT, comment="ispnoc:redirect")
    assert (rule["chain"], rule["action"], rule["protocol"]) == ("dstnat", "dst-nat", "tcp")
    assert (rule["dst-port"], rule["src-address-list"], rule["to-addresses"], rule["to-ports"]) == (
        "80", "ispnoc-suspended", PAGE[0], str(PAGE[1]))
    assert account(state, static)["profile"] == static.profile  # this style leaves the secret alone

    later = isp.customer(state, pick(state, SubscriberKind.PPPOE, static=True, skip=1))
    assert run(session_factory).applied == 1 and f"ispnoc:{later}" in listed(state)
    assert writes(state)[f"{NAT}/add"] == 1 and f"{NAT}/set" not in writes(state)  # ensured once
    with session_scope(session_factory) as s:
        payments.record_payment(s, data=payments.PaymentCreate(customer_id=ids[1], amount=Decimal("1000")),
                                now=NOW, policy=POLICY)
    assert run(session_factory).applied == 1
    assert f"ispnoc:{ids[1]}" not in listed(state) and f"ispnoc:{ids[0]}" in listed(state)
    untouched(state)
    assert len(rows(state, NAT, comment="ispnoc:redirect")) == 1


def test_a_moved_payment_page_updates_the_one_rule_and_a_lost_entry_is_drift(
    session_factory: sessionmaker[Session], router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    isp = Isp(session_factory)
    isp.router(fleet["rtr-list"])
    first, second = (pick(state, SubscriberKind.PPPOE, static=True, skip=k) for k in range(2))
    one = isp.customer(state, first, style=EnforcementStyle.ADDRESS_LIST)  # the package's style
    run(session_factory)
    with state.lock:
        entry = next(r for r in state.menus[LIST]
                     if (r.get("list"), r.get("comment")) == ("ispnoc-suspended", f"ispnoc:{one}"))
        state.menus[LIST].remove(entry[".id"])
    isp.customer(state, second, style=EnforcementStyle.ADDRESS_LIST)
    report = run(session_factory, payment_page_url="http://10.9.9.10/")
    assert [(d.customer_id, d.found) for d in report.drift] == [
        (one, "not on address list 'ispnoc-suspended'")]
    assert report.applied == 2 and f"ispnoc:{one}" in listed(state)
    (rule,) = rows(state, NAT, comment="ispnoc:redirect")
    assert (rule["to-addresses"], rule["to-ports"]) == ("10.9.9.10", "80")
    assert writes(state)[f"{NAT}/add"] == 1 and writes(state)[f"{NAT}/set"] == 1
    untouched(state)
