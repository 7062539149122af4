"""The Zabbix method handlers and the JSON-RPC envelope as pure functions (no sockets)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from device_fixtures.zabbix import ApiError, ZabbixState, call, make_zabbix_state
from device_fixtures.zabbix.jsonrpc import handle

HOSTS = [
    ("core-rtr-1", "10.1.0.1"),
    ("olt-north", "10.1.0.2"),
    ("olt-south", "10.1.0.3"),
    ("ap-east", "10.1.0.4"),
]


@pytest.fixture
def state() -> ZabbixState:
    return make_zabbix_state(HOSTS, seed=11, problems=6)


def session(state: ZabbixState) -> str:
    result = call(state, "user.login", {"username": "Admin", "password": "zabbix"}, None)
    assert isinstance(result, str)
    return result


def get(state: ZabbixState, method: str, **params: Any) -> Any:
    return call(state, method, params, session(state))


def error_of(state: ZabbixState, method: str, params: object, auth: str | None = None) -> tuple[int, str]:
    with pytest.raises(ApiError) as raised:
        call(state, method, params, auth if auth is not None else session(state))
    return raised.value.code, raised.value.data


def test_problem_get_validates_strictly(state: ZabbixState) -> None:
    assert error_of(state, "problem.get", {"host": "olt-north"}) == (
        -32602,
        'Invalid parameter "/": unexpected parameter "host".',
    )
    assert error_of(state, "problem.get", {"sortfield": "clock"})[1] == (
        'Invalid parameter "/sortfield/1": value must be one of "eventid".'
    )
    assert error_of(state, "problem.get", {"severities": [4, 7]})[1] == (
        'Invalid parameter "/severities/2": value must be one of 0-5.'
    )
    assert (
        error_of(state, "problem.get", {"recent": "yes"})[1]
        == 'Invalid parameter "/recent": a boolean is expected.'
    )
    assert error_of(state, "problem.get", {"output": ["eventid", "hostid"]})[1].startswith(
        'Invalid parameter "/output/2": value must be one of "eventid",'
    )


def test_host_get_ignores_unknown_options_as_6_0_does(state: ZabbixState) -> None:
    # "hostid" is a typo for "hostids": Zabbix 6.0 silently returns every host.
    assert len(get(state, "host.get", hostid="10500")) == len(HOSTS)
    assert [h["host"] for h in get(state, "host.get", hostids="10500")] == ["core-rtr-1"]


def test_problem_get_output_drops_the_id_unless_asked(state: ZabbixState) -> None:
    rows = get(state, "problem.get", output=["name"], limit=2)
    assert len(rows) == 2 and all(set(r) == {"name"} for r in rows)
    keyed = get(state, "problem.get", output=["name"], preservekeys=True)
    assert set(keyed) == {p.eventid for p in state.open_problems()}


def test_problem_get_by_host_goes_through_triggers(state: ZabbixState) -> None:
    problem = state.open_problems()[0]
    hostid = state.triggers[problem.objectid].hostids[0]
    rows = get(state, "problem.get", hostids=[hostid], output=["eventid", "objectid"])
    assert {"eventid": problem.eventid, "objectid": problem.objectid} in rows
    assert all(hostid in state.triggers[r["objectid"]].hostids for r in rows)


def test_search_filter_sort_limit_and_count(state: ZabbixState) -> None:
    olts = get(state, "host.get", output=["host"], search={"host": "OLT"}, sortfield="host", sortorder="DESC")
    assert [h["host"] for h in olts] == ["olt-south", "olt-north"]
    assert get(state, "host.get", search={"host": "north"}, startSearch=True) == []
    assert len(get(state, "host.get", search={"host": "olt-*h"}, searchWildcardsEnabled=True)) == 2
    assert get(state, "host.get", countOutput=True, filter={"host": ["olt-north", "ap-east"]}) == "2"
    assert len(get(state, "host.get", limit=3)) == 3
    with pytest.raises(ApiError, match=re.escape('Sorting by field "ip" not allowed.')):
        get(state, "host.get", sortfield="ip")


def test_tag_filters(state: ZabbixState) -> None:
    olt = [{"tag": "role", "value": "olt", "operator": 1}]
    assert {h["host"] for h in get(state, "host.get", tags=olt)} == {"olt-north", "olt-south"}
    either = [*olt, {"tag": "role", "value": "radio", "operator": 1}]
    assert len(get(state, "host.get", tags=either)) == 3  # same tag name: or
    assert get(state, "host.get", tags=[*olt, {"tag": "nope", "operator": 4}]) == []
    assert len(get(state, "host.get", tags=[*olt, {"tag": "nope", "operator": 4}], evaltype=2)) == 2


def test_trigger_get_only_true_and_expansion(state: ZabbixState) -> None:
    firing = get(state, "trigger.get", only_true=True, output=["triggerid", "value"])
    assert {t["triggerid"] for t in firing} == {p.objectid for p in state.open_problems()}
    [trigger] = get(state, "trigger.get", triggerids="20000", expandExpression=True, expandDescription=True)
    assert trigger["description"] == "core-rtr-1 is unavailable by ICMP"
    assert trigger["priority"] == "5"  # a router down is a disaster
    assert trigger["expression"] == "max(/core-rtr-1/icmpping,#3)=0"
    assert get(state, "trigger.get", triggerids="20000")[0]["expression"] == "{2000001}=0"


def test_login_dialects() -> None:
    v60 = make_zabbix_state(HOSTS, version="6.0.25")
    assert isinstance(call(v60, "user.login", {"user": "Admin", "password": "zabbix"}, None), str)
    both = {"user": "Admin", "username": "Admin", "password": "zabbix"}
    with pytest.raises(ApiError, match=re.escape('Parameter "user" is deprecated.')):
        call(v60, "user.login", both, None)
    with pytest.raises(ApiError, match="must be called without"):
        call(v60, "user.login", {"username": "Admin", "password": "zabbix"}, "abc")
    user = call(v60, "user.login", {"username": "Admin", "password": "zabbix", "userData": True}, None)
    assert user["username"] == "Admin" and len(user["sessionid"]) == 32


def test_unknown_api_and_method(state: ZabbixState) -> None:
    assert error_of(state, "hosts.get", {}) == (-32601, 'Incorrect API "hosts".')
    assert error_of(state, "host.fetch", {}) == (-32601, 'Incorrect method "host.fetch".')
    assert (
        error_of(state, "item.get", {})[1] == 'Method "item.get" is not simulated by device_fixtures.zabbix.'
    )
    assert call(state, "HOST.Get", {"countOutput": True}, session(state)) == str(len(HOSTS))


def test_tick_is_reproducible_and_moves_problems() -> None:
    def history(seed: int) -> list[tuple[str, str, str]]:
        state = make_zabbix_state(HOSTS * 50, seed=seed, problems=20)
        for _ in range(30):
            state.tick(60)
        return [(p.eventid, p.objectid, p.r_eventid) for p in state.problems.values()]

    assert history(5) == history(5)
    assert history(5) != history(6)
    state = make_zabbix_state(HOSTS * 50, seed=5, problems=20)
    before = {p.eventid for p in state.open_problems()}
    for _ in range(30):
        state.tick(60)
    assert {p.eventid for p in state.open_problems()} != before


def test_envelope_errors_keep_the_request_id(state: ZabbixState) -> None:
    def reply(payload: object) -> Any:
        return json.loads(handle(state, json.dumps(payload).encode()))

    wrong = reply({"jsonrpc": "1.0", "method": "apiinfo.version", "params": [], "id": 9})
    assert wrong == {
        "jsonrpc": "2.0",
        "error": {
            "code": -32600,
            "message": "Invalid Request.",
            "data": 'Invalid parameter "/jsonrpc": value must be "2.0".',
        },
        "id": 9,
    }
    empty_auth = reply({"jsonrpc": "2.0", "method": "host.get", "params": {}, "auth": "", "id": 2})
    assert empty_auth["error"]["data"] == 'Invalid parameter "/auth": cannot be empty.'
    extra = reply({"jsonrpc": "2.0", "method": "host.get", "params": {}, "id": 1, "extra": 1})
    assert extra["error"]["data"] == "Not authorized."  # 6.0 drops unknown members
