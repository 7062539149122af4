"""Simulated router state without sockets: menus, commands, sessions over tick, suspension, reboot."""

from __future__ import annotations

import ipaddress

import pytest

from device_fixtures.routeros.commands import execute
from device_fixtures.routeros.menus import MenuError
from device_fixtures.routeros.sessions import connect
from device_fixtures.routeros.state import RouterState, SubscriberKind, duration
from device_fixtures.routeros.subscribers import build_router
from device_fixtures.routeros.wire import SentenceReader, parse_request


def run(state: RouterState, *words: str) -> list[list[str]]:
    reader = SentenceReader()
    return [s for data in execute(state, parse_request(list(words))) for s in reader.feed(data)]


def online(state: RouterState) -> set[str]:
    ppp = {r["name"] for r in state.menus["/ppp/active"]}
    return ppp | {r["user"] for r in state.menus["/ip/hotspot/active"]}


def in_pool(state: RouterState, address: str, pool: str) -> bool:
    row = state.menus["/ip/pool"].find("name", pool)
    assert row is not None
    first, last = (ipaddress.IPv4Address(a) for a in row["ranges"].split("-"))
    return first <= ipaddress.IPv4Address(address) <= last


def test_build_router_is_seeded_and_realistic() -> None:
    a, b = build_router("rtr-1", 40, seed=3), build_router("rtr-1", 40, seed=3)
    assert [r["name"] for r in a.menus["/ppp/secret"]] == [r["name"] for r in b.menus["/ppp/secret"]]
    assert online(a) == online(b)
    kinds = {s.kind for s in a.subscribers.values()}
    assert kinds == {SubscriberKind.PPPOE, SubscriberKind.HOTSPOT}
    assert all(name.startswith("u") and len(name) == 6 for name in a.subscribers)
    assert {r["profile"] for r in a.menus["/ppp/secret"]} <= {"5M", "10M", "20M", "50M", "100M"}
    assert 0.6 * 40 < len(online(a)) <= 40
    assert len(a.menus["/log"]) == 0


def test_sessions_drop_and_return_over_ticks() -> None:
    state = build_router("rtr-1", 60, seed=1)
    before = online(state)
    wan_before = int(state.menus["/interface"].find("name", "ether1")["rx-byte"])  # type: ignore[index]
    state.advance(4 * 3600)
    after = online(state)
    assert before - after and after - before
    wan = state.menus["/interface"].find("name", "ether1")
    assert wan is not None and int(wan["rx-byte"]) > wan_before
    topics = {r["topics"] for r in state.menus["/log"]}
    assert {"pppoe,ppp,info", "hotspot,info,debug"} <= topics


def test_traffic_and_uptime_advance() -> None:
    state = build_router("rtr-1", 30, seed=2)
    state.mean_session_s = 1e12
    ppp = next(iter(state.menus["/ppp/active"]))
    iface = state.menus["/interface"].find("name", f"<pppoe-{ppp['name']}>")
    assert iface is not None and iface["dynamic"] == "true"
    state.advance(90)
    assert ppp["uptime"] == "1m30s"
    assert int(iface["tx-byte"]) > 0
    hs = next(iter(state.menus["/ip/hotspot/active"]))
    assert int(hs["bytes-out"]) > 0


def test_removing_active_row_drops_session() -> None:
    state = build_router("rtr-1", 30, seed=2)
    row = next(iter(state.menus["/ppp/active"]))
    assert run(state, "/ppp/active/remove", f"=.id={row['.id']}") == [["!done"]]
    sub = state.subscribers[row["name"]]
    assert sub.session is None
    assert state.menus["/interface"].find("name", f"<pppoe-{sub.name}>") is None
    assert any(r["message"] == f"<pppoe-{sub.name}>: disconnected" for r in state.menus["/log"])


def test_suspended_secret_reconnects_only_in_suspended_pool() -> None:
    state = build_router("rtr-1", 40, seed=4)
    state.mean_offline_s = 1.0
    sub = next(s for s in state.subscribers.values() if s.kind is SubscriberKind.PPPOE and s.session)
    secret = state.menus["/ppp/secret"].find("name", sub.name)
    assert secret is not None
    run(state, "/ppp/secret/set", f"=.id={secret['.id']}", "=profile=suspended", "=remote-address=")
    assert sub.session is not None
    run(state, "/ppp/active/remove", f"=numbers={sub.session['.id']}")
    for _ in range(5):
        state.advance(30)
        if sub.session is not None:
            break
    assert sub.session is not None
    assert in_pool(state, sub.session["address"], "suspended-pool")
    assert sub.queue is not None and sub.queue["max-limit"] == "64k/64k"


def test_disabled_secret_cannot_connect() -> None:
    state = build_router("rtr-1", 40, seed=5)
    state.mean_offline_s = 1.0
    sub = next(s for s in state.subscribers.values() if s.kind is SubscriberKind.PPPOE and s.session)
    run(state, "/ppp/secret/disable", f"=numbers={sub.name}")
    run(state, "/ppp/active/remove", f"=.id={sub.session['.id']}")  # type: ignore[index]
    state.advance(60)
    state.advance(60)
    assert sub.session is None
    assert not connect(state, sub)
    assert any(r["message"] == f"<pppoe-{sub.mac}>: user {sub.name} authentication failed"
               for r in state.menus["/log"])


def test_reboot_resets_counters_uptime_and_sessions() -> None:
    state = build_router("rtr-1", 20, seed=6)
    state.advance(7200)
    state.faults.reboot()
    state.advance(5)
    resource = next(iter(state.menus["/system/resource"]))
    assert resource["uptime"] == "5s"
    assert len(state.menus["/ppp/active"]) + len(state.menus["/ip/hotspot/active"]) <= len(state.subscribers)
    wan = state.menus["/interface"].find("name", "ether1")
    assert wan is not None and int(wan["rx-byte"]) < 5 * 100_000_000
    assert any(r["message"] == "router rebooted" for r in state.menus["/log"])


def test_menu_rules() -> None:
    state = build_router("rtr-1", 5, seed=0)
    words = ("=list=suspended", "=address=10.0.0.9", "=comment=ispnoc")
    done = run(state, "/ip/firewall/address-list/add", *words)
    assert done[0][0] == "!done" and done[0][1].startswith("=ret=*")
    first = next(iter(state.menus["/ppp/secret"]))["name"]
    dup = run(state, "/ppp/secret/add", f"=name={first}", "=password=x")
    assert dup[0][0] == "!trap" and "=category=1" in dup[0]
    assert run(state, "/ppp/secret/add", "=bogus=1")[0][0] == "!trap"
    missing = ["!trap", "=category=0", "=message=no such item"]
    assert run(state, "/ppp/secret/remove", "=.id=*FFFF")[0] == missing
    assert run(state, "/nope/print")[0][0] == "!trap"
    with pytest.raises(MenuError):
        state.menus["/ppp/secret"].resolve("nobody")
    assert run(state, "/system/identity/set", "=name=core-1") == [["!done"]]
    assert state.identity == "core-1"
    assert run(state, "/system/identity/print") == [["!re", "=name=core-1"], ["!done"]]


def test_empty_reply_on_routeros_7_18() -> None:
    state = build_router("rtr-1", 5, seed=0)
    assert run(state, "/ppp/secret/print", "?name=nobody") == [["!done"]]
    state.version = "7.18.2"
    assert run(state, "/ppp/secret/print", "?name=nobody") == [["!empty"], ["!done"]]


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (59, "59s"), (3661, "1h1m1s"), (694861, "1w1d1h1m1s")]
)
def test_duration(seconds: int, text: str) -> None:
    assert duration(seconds) == text


def test_operators_log_in_now_and_then() -> None:
    state = build_router("rtr-1", 5, seed=0)
    for _ in range(24):
        state.advance(3600)
    accounts = [r["message"] for r in state.menus["/log"] if r["topics"] == "system,info,account"]
    assert accounts
    assert all(" via " in m and m.startswith("user admin logged ") for m in accounts)
    assert sum("logged in" in m for m in accounts) == sum("logged out" in m for m in accounts)
