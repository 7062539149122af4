"""The MikroTik enforcer against the simulated RouterOS API: profile swap with the session kicked,
static addresses dropped and restored, hotspot users, the address list, and clean failures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from billing.enforcement import EnforcementError, Subscriber
from billing.enums import EnforcementStyle
from collectors.mikrotik_enforcer import MikrotikEnforcer, RouterAccess
from device_fixtures.routeros.server import RouterOSFleet, serve_routeros
from device_fixtures.routeros.state import RouterState, SubscriberKind
from device_fixtures.routeros.subscribers import build_router


@pytest.fixture
def router() -> Iterator[tuple[RouterState, RouterOSFleet]]:
    state = build_router("rtr-test", 30, seed=3)
    with serve_routeros([state]) as fleet:
        yield state, fleet


def access(fleet: RouterOSFleet, **kw: object) -> RouterAccess:
    return RouterAccess(host=fleet.host, port=fleet.port, username="admin", password="admin", **kw)  # type: ignore[arg-type]


def rows(state: RouterState, menu: str, key: str, value: str) -> list[dict[str, str]]:
    with state.lock:
        return [dict(r) for r in state.menus[menu] if r.get(key) == value]


def subscriber(state: RouterState, kind: SubscriberKind, *, online: bool = True, static: bool = False,
               style: EnforcementStyle | None = None) -> Subscriber:
    sub = next(s for s in state.subscribers.values()
               if s.kind is kind and (s.session is not None) == online and bool(s.address) == static)
    return Subscriber(customer_id=7, router_id=1, username=sub.name, static_ip=sub.address or None,
                      connection_type="hotspot" if kind is SubscriberKind.HOTSPOT else "pppoe",
                      active_profile=sub.profile, suspended_profile="suspended", style=style)


def test_pppoe_profile_swap_kicks_the_session_and_reactivation_restores(
    router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    sub = subscriber(state, SubscriberKind.PPPOE, static=True)
    enforcer = MikrotikEnforcer(lambda _id: access(fleet))
    try:
        enforcer.suspend(sub)
        (secret,) = rows(state, "/ppp/secret", "name", str(sub.username))
        assert secret["profile"] == "suspended" and secret.get("remote-address") == "0.0.0.0"
        assert rows(state, "/ppp/active", "name", str(sub.username)) == []
        enforcer.reactivate(sub)
        (secret,) = rows(state, "/ppp/secret", "name", str(sub.username))
        assert (secret["profile"], secret["remote-address"]) == (sub.active_profile, sub.static_ip)
    finally:
        enforcer.close()


def test_hotspot_user_is_swapped_and_kicked(router: tuple[RouterState, RouterOSFleet]) -> None:
    state, fleet = router
    sub = subscriber(state, SubscriberKind.HOTSPOT)
    enforcer = MikrotikEnforcer(lambda _id: access(fleet))
    try:
        enforcer.suspend(sub)
        assert rows(state, "/ip/hotspot/user", "name", str(sub.username))[0]["profile"] == "suspended"
        assert rows(state, "/ip/hotspot/active", "user", str(sub.username)) == []
    finally:
        enforcer.close()


def test_address_list_style_adds_once_and_removes_only_its_own(
    router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    sub = subscriber(state, SubscriberKind.PPPOE, style=EnforcementStyle.ADDRESS_LIST)
    with state.lock:
        state.menus["/ip/firewall/address-list"].add(
            {"list": "ispnoc-suspended", "address": "10.99.0.1", "comment": "added by hand"})
    enforcer = MikrotikEnforcer(lambda _id: access(fleet))
    try:
        enforcer.suspend(sub)
        enforcer.suspend(sub)  # a retry must not list twice
        listed = rows(state, "/ip/firewall/address-list", "comment", "ispnoc:7")
        assert len(listed) == 1 and listed[0]["list"] == "ispnoc-suspended"
        enforcer.reactivate(sub)
        assert rows(state, "/ip/firewall/address-list", "comment", "ispnoc:7") == []
        assert len(rows(state, "/ip/firewall/address-list", "comment", "added by hand")) == 1
    finally:
        enforcer.close()


def test_failures_are_enforcement_errors_without_the_password(
    router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    sub = subscriber(state, SubscriberKind.PPPOE)
    wrong = MikrotikEnforcer(lambda _id: RouterAccess(fleet.host, fleet.port, "admin", "s3cret-Pa55"))
    with pytest.raises(EnforcementError) as err:
        wrong.suspend(sub)
    assert "s3cret-Pa55" not in str(err.value)
    unknown = MikrotikEnforcer(lambda _id: None)
    with pytest.raises(EnforcementError, match="not in the inventory"):
        unknown.suspend(sub)
    missing = sub._replace(username="nobody")
    enforcer = MikrotikEnforcer(lambda _id: access(fleet))
    try:
        with pytest.raises(EnforcementError, match="nobody"):
            enforcer.suspend(missing)
    finally:
        enforcer.close()
