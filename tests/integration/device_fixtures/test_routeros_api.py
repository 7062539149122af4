"""The simulated RouterOS API through librouteros, sync and async, as the collectors will use it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import librouteros
import pytest
from librouteros.exceptions import TrapError
from librouteros.login import async_token, plain, token
from librouteros.query import And, Key, Or

from device_fixtures.routeros import RouterOSFleet, RouterState, build_router, serve_routeros

HOST = "127.0.0.1"


@pytest.fixture
def router() -> RouterState:
    return build_router("rtr-1", 40, seed=11)


@pytest.fixture
def fleet(router: RouterState) -> Iterator[RouterOSFleet]:
    with serve_routeros([router]) as running:
        yield running


def connect(fleet: RouterOSFleet, *, login_method: Any = plain) -> librouteros.Api:
    return librouteros.connect(HOST, "admin", "admin", port=fleet.port, timeout=5, login_method=login_method)


def test_plain_login_and_identity(fleet: RouterOSFleet) -> None:
    api = connect(fleet)
    try:
        assert list(api("/system/identity/print")) == [{"name": "rtr-1"}]
        [resource] = list(api("/system/resource/print"))
        assert resource["board-name"] and resource["version"].startswith("6.49")
    finally:
        api.close()


def test_token_login(fleet: RouterOSFleet) -> None:
    api = connect(fleet, login_method=token)
    try:
        assert len(list(api("/interface/print"))) >= 5
    finally:
        api.close()


def test_plain_login_refused_before_6_43(router: RouterState) -> None:
    router.version = "6.40.9"
    with serve_routeros([router]) as fleet:
        api = connect(fleet, login_method=token)
        api.close()
        api = connect(fleet)  # the old router answers a challenge and does not log the user in
        try:
            with pytest.raises(librouteros.exceptions.FatalError, match="not logged in"):
                list(api("/interface/print"))
        finally:
            api.close()


def test_wrong_credentials(fleet: RouterOSFleet, router: RouterState) -> None:
    with pytest.raises(TrapError, match=r"invalid user name or password \(6\)"):
        librouteros.connect(HOST, "admin", "nope", port=fleet.port, timeout=5)
    with pytest.raises(TrapError):
        librouteros.connect(HOST, "admin", "nope", port=fleet.port, timeout=5, login_method=token)
    router.faults.wrong_credentials = True
    with pytest.raises(TrapError):
        connect(fleet)
    messages = [r["message"] for r in router.menus["/log"]]
    assert "login failure for user admin from 127.0.0.1 via api" in messages


def test_print_with_proplist_and_queries(fleet: RouterOSFleet, router: RouterState) -> None:
    api = connect(fleet)
    try:
        secrets = api.path("ppp", "secret")
        rows = list(secrets.select(Key("name"), Key("profile")).where(Key("profile") == "10M"))
        expected = sorted(r["name"] for r in router.menus["/ppp/secret"] if r["profile"] == "10M")
        assert sorted(r["name"] for r in rows) == expected and rows
        assert all(set(r) == {"name", "profile"} for r in rows)
        either = list(secrets.select(Key("name")).where(Or(Key("profile") == "5M", Key("profile") == "10M")))
        both = [r for r in router.menus["/ppp/secret"] if r["profile"] in ("5M", "10M")]
        assert len(either) == len(both)
        neither = list(secrets.select(Key("name")).where(Key("profile") != "10M"))
        assert len(neither) == len(router.menus["/ppp/secret"]) - len(expected)
        big = list(api.path("interface").select(Key("name")).where(
            And(Key("type") == "ether", Key("running") == True)  # noqa: E712 - librouteros builds a query word
        ))
        assert [r["name"] for r in big] == ["ether1", "ether2", "ether3"]
        [count] = list(api("/ppp/secret/print", **{"count-only": ""}))
        assert count["ret"] == len(router.menus["/ppp/secret"])
    finally:
        api.close()


def test_add_set_remove_secret_and_address_list(fleet: RouterOSFleet, router: RouterState) -> None:
    api = connect(fleet)
    try:
        secrets = api.path("ppp", "secret")
        new_id = secrets.add(name="u99999", password="pw", profile="20M", comment="ispnoc")
        assert new_id.startswith("*")
        secrets.update(**{".id": new_id, "profile": "suspended", "disabled": True})
        row = router.menus["/ppp/secret"].rows[new_id]
        assert (row["profile"], row["disabled"]) == ("suspended", "true")
        with pytest.raises(TrapError, match="already exists"):
            secrets.add(name="u99999", password="x")
        secrets.remove(new_id)
        assert new_id not in router.menus["/ppp/secret"].rows
        lists = api.path("ip", "firewall", "address-list")
        item = lists.add(list="ispnoc-suspended", address="10.16.1.9", comment="ispnoc")
        [got] = list(lists.select(Key("address"), Key("list")).where(Key("list") == "ispnoc-suspended"))
        assert got == {"address": "10.16.1.9", "list": "ispnoc-suspended"}
        lists.remove(item)
        assert list(lists.select(Key("address")).where(Key("list") == "ispnoc-suspended")) == []
    finally:
        api.close()


def test_trap_on_bad_command_and_missing_item(fleet: RouterOSFleet) -> None:
    api = connect(fleet)
    try:
        with pytest.raises(TrapError) as bad:
            list(api("/ip/nothing/print"))
        assert bad.value.category == 0 and "no such command" in bad.value.message
        with pytest.raises(TrapError, match="no such item"):
            api.path("ppp", "secret").remove("*FFFF")
        assert list(api("/system/identity/print"))  # the session survives a trap
    finally:
        api.close()


def test_trap_fault_knob(fleet: RouterOSFleet, router: RouterState) -> None:
    api = connect(fleet)
    try:
        router.faults.trap = True
        with pytest.raises(TrapError, match="action timed out"):
            list(api("/interface/print"))
        router.faults.clear()
        assert list(api("/interface/print"))
    finally:
        api.close()


def test_sessions_seen_through_the_api(fleet: RouterOSFleet, router: RouterState) -> None:
    api = connect(fleet)
    try:
        active = api.path("ppp", "active")
        before = {r["name"] for r in active.select(Key("name"))}
        assert before == {r["name"] for r in router.menus["/ppp/active"]}
        victim = next(iter(active.select(Key(".id"), Key("name"))))
        active.remove(victim[".id"])
        assert victim["name"] not in {r["name"] for r in active.select(Key("name"))}
        router.advance(6 * 3600)
        after = {r["name"] for r in active.select(Key("name"))}
        assert after != before
        hs = list(api.path("ip", "hotspot", "active").select(Key("user"), Key("bytes-out"), Key("uptime")))
        assert hs and all(isinstance(r["bytes-out"], int) for r in hs)
    finally:
        api.close()


def test_async_client(fleet: RouterOSFleet, router: RouterState) -> None:
    async def scenario() -> tuple[int, int]:
        api = await librouteros.async_connect(HOST, "admin", "admin", port=fleet.port, timeout=5)
        try:
            rows = [r async for r in api.path("ppp", "active").select(Key("name"), Key("address"))]
            other = await librouteros.async_connect(
                HOST, "admin", "admin", port=fleet.port, timeout=5, login_method=async_token
            )
            await other.close()
            return len(rows), len(router.menus["/ppp/active"])
        finally:
            await api.close()

    got, expected = asyncio.run(scenario())
    assert got == expected > 0


def test_many_routers_in_one_process() -> None:
    routers = [build_router(f"rtr-{k:03d}", 100, seed=1, index=k) for k in range(30)]

    async def poll(port: int) -> int:
        api = await librouteros.async_connect(HOST, "admin", "admin", port=port, timeout=10)
        try:
            return len([r async for r in api.path("ppp", "active").select(Key("name"))])
        finally:
            await api.close()

    async def poll_all(ports: list[int]) -> list[int]:
        return list(await asyncio.gather(*(poll(p) for p in ports)))

    with serve_routeros(routers) as fleet:
        ports = [e.port for e in fleet]
        assert len(set(ports)) == 30
        assert fleet["rtr-007"].state is routers[7]
        counts = asyncio.run(poll_all(ports))
    assert counts == [len(r.menus["/ppp/active"]) for r in routers]
    addresses = [row["address"] for r in routers for row in r.menus["/ppp/active"]]
    assert len(addresses) == len(set(addresses))


def test_routeros_7_18_empty_reply_is_understood(router: RouterState) -> None:
    router.version = "7.18.2"
    with serve_routeros([router]) as fleet:
        api = connect(fleet)
        try:
            assert list(api.path("ppp", "secret").select(Key("name")).where(Key("name") == "nobody")) == []
            first = next(iter(router.menus["/ppp/secret"]))["name"]
            [row] = list(api.path("ppp", "secret").select(Key("name")).where(Key("name") == first))
            assert row == {"name": first}
            logs = list(api("/log/print"))
            assert logs and all(len(r["time"]) == len("2026-01-02 03:04:05") for r in logs)
        finally:
            api.close()
