"""pyzabbix, unmodified, against the simulated Zabbix server over real HTTP on loopback."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from packaging.version import Version
from pyzabbix.api import ZabbixAPI, ZabbixAPIException  # what `from pyzabbix import` gives

from device_fixtures.faults import Faults
from device_fixtures.zabbix import ZabbixServer, ZabbixState, make_zabbix_state, serve_zabbix

HOSTS = [
    ("core-rtr-1", "10.1.0.1"),
    ("olt-north", "10.1.0.2"),
    ("ap-south-1", "10.1.0.3"),
    ("sw-hq-1", "10.1.0.4"),
]
LOGIN_FAILED = "Incorrect user name or password or account is temporarily blocked."


def small_state(version: str = "6.0.25", problems: int = 8) -> ZabbixState:
    return make_zabbix_state(HOSTS, seed=7, problems=problems, version=version)


@pytest.fixture
def server() -> Iterator[ZabbixServer]:
    with serve_zabbix(small_state()) as srv:
        yield srv


def logged_in(srv: ZabbixServer, timeout: float = 5.0) -> ZabbixAPI:
    zapi = ZabbixAPI(srv.url, timeout=timeout)
    zapi.login("Admin", "zabbix")
    return zapi


def post(srv: ZabbixServer, payload: Any, **headers: str) -> requests.Response:
    sent = {"Content-Type": "application/json-rpc", **headers}
    return requests.post(srv.api_url, json=payload, headers=sent, timeout=5)


def test_login_returns_a_session_and_the_version(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    assert zapi.version == Version("6.0.25")
    assert zapi.api_version() == "6.0.25"
    assert len(zapi.auth) == 32 and int(zapi.auth, 16) >= 0
    assert zapi.is_authenticated


def test_host_get_with_related_objects_and_filter(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    hosts = zapi.host.get(
        output=["hostid", "host", "name", "status"],
        selectInterfaces=["ip", "port", "type", "main"],
        selectGroups=["name"],
        selectTags="extend",
        filter={"host": "olt-north"},
    )
    assert hosts == [
        {
            "hostid": hosts[0]["hostid"],
            "host": "olt-north",
            "name": "olt-north",
            "status": "0",
            "interfaces": [{"main": "1", "type": "2", "ip": "10.1.0.2", "port": "161"}],
            "groups": [{"name": "OLTs"}],
            "tags": [{"tag": "role", "value": "olt"}, {"tag": "site", "value": hosts[0]["tags"][1]["value"]}],
        }
    ]
    assert hosts[0]["hostid"].isdigit()
    assert zapi.host.get(countOutput=True) == str(len(HOSTS))
    assert "hostgroups" not in zapi.host.get(selectHostGroups="extend")[0]  # 6.2+ name, ignored by 6.0


def test_problems_map_to_hosts_only_through_triggers(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    problems = zapi.problem.get(
        recent=True, severities=[4, 5], selectTags="extend", selectAcknowledges="extend"
    )
    assert problems, "the seeded state has high and disaster problems"
    for problem in problems:
        assert problem["severity"] in {"4", "5"}
        assert problem["clock"].isdigit() and problem["eventid"].isdigit()
        assert "hosts" not in problem and "hostid" not in problem
        assert isinstance(problem["acknowledges"], list) and isinstance(problem["tags"], list)
    triggers = zapi.trigger.get(
        triggerids=[p["objectid"] for p in problems], selectHosts=["hostid", "host"], expandDescription=True
    )
    by_id = {t["triggerid"]: t for t in triggers}
    for problem in problems:
        trigger = by_id[problem["objectid"]]
        assert trigger["description"] == problem["name"]
        assert "{HOST.NAME}" not in trigger["description"]
        assert [set(h) for h in trigger["hosts"]] == [{"hostid", "host"}]
        assert trigger["value"] == "1"


def test_acknowledged_problem_lists_its_acknowledges(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    eventid = server.state.open_problems()[0].eventid
    server.state.acknowledge(eventid, "Crew on site")
    [problem] = zapi.problem.get(eventids=[eventid], selectAcknowledges="extend")
    assert problem["acknowledged"] == "1"
    assert problem["acknowledges"][0]["message"] == "Crew on site"
    assert problem["acknowledges"][0]["action"] == "6"


def test_resolved_problem_is_recent_then_gone(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    eventid = server.state.open_problems()[0].eventid
    server.state.resolve_problem(eventid)
    assert eventid not in {p["eventid"] for p in zapi.problem.get()}
    [recent] = [p for p in zapi.problem.get(recent=True) if p["eventid"] == eventid]
    assert recent["r_eventid"] != "0" and int(recent["r_clock"]) >= int(recent["clock"])
    server.state.tick(server.state.ok_period + 60)
    assert eventid not in {p["eventid"] for p in zapi.problem.get(recent=True)}


def test_wrong_password_and_unknown_user(server: ZabbixServer) -> None:
    with pytest.raises(ZabbixAPIException) as wrong:
        ZabbixAPI(server.url, timeout=5).login("Admin", "not-the-password")
    assert wrong.value.error is not None
    assert wrong.value.error == {"code": -32500, "message": "Application error.", "data": LOGIN_FAILED}
    with pytest.raises(ZabbixAPIException) as unknown:
        ZabbixAPI(server.url, timeout=5).login("nobody", "zabbix")
    assert unknown.value.error is not None
    assert unknown.value.error["code"] == -32602 and unknown.value.error["data"] == LOGIN_FAILED


def test_not_logged_in_and_terminated_session(server: ZabbixServer) -> None:
    with pytest.raises(ZabbixAPIException) as anonymous:
        ZabbixAPI(server.url, timeout=5).host.get()
    assert anonymous.value.error is not None
    assert anonymous.value.error == {"code": -32602, "message": "Invalid params.", "data": "Not authorized."}
    zapi = logged_in(server)
    server.state.terminate_sessions()
    with pytest.raises(ZabbixAPIException, match=re.escape("Session terminated, re-login, please.")):
        zapi.host.get()
    zapi.login("Admin", "zabbix")
    assert len(zapi.host.get()) == len(HOSTS)


def test_logout_ends_the_session(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    assert zapi.user.logout() is True
    with pytest.raises(ZabbixAPIException, match="Session terminated"):
        zapi.host.get()


def test_api_token_in_the_body_on_6_0(server: ZabbixServer) -> None:
    token = server.state.add_api_token("Admin")
    zapi = ZabbixAPI(server.url, timeout=5)
    zapi.login(api_token=token)
    assert len(zapi.hostgroup.get(with_hosts=True, real_hosts=True)) == 4


def test_apiinfo_version_refuses_an_auth(server: ZabbixServer) -> None:
    reply = post(
        server, {"jsonrpc": "2.0", "method": "apiinfo.version", "params": [], "auth": "abc", "id": 1}
    )
    assert reply.json() == {
        "jsonrpc": "2.0",
        "error": {
            "code": -32602,
            "message": "Invalid params.",
            "data": 'The "apiinfo.version" method must be called without the "auth" parameter.',
        },
        "id": 1,
    }


def test_envelope_batch_notification_and_content_type(server: ZabbixServer) -> None:
    version = {"jsonrpc": "2.0", "method": "apiinfo.version", "params": {}}
    batch = post(server, [{**version, "id": 1}, version, {**version, "id": "b"}]).json()
    assert [r["id"] for r in batch] == [1, "b"] and batch[0]["result"] == "6.0.25"
    assert post(server, version).content == b""
    assert post(server, []).json()["error"]["code"] == -32600
    bad = requests.post(
        server.api_url, data=b"{", headers={"Content-Type": "application/json-rpc"}, timeout=5
    )
    assert bad.json()["error"]["code"] == -32700 and bad.json()["id"] is None
    plain = requests.post(server.api_url, data=b"{}", headers={"Content-Type": "text/plain"}, timeout=5)
    assert plain.status_code == 412 and plain.content == b""
    missing = post(server, {"jsonrpc": "2.0", "method": "host.get", "id": 3}).json()
    assert missing["error"]["data"] == 'Invalid parameter "/": the parameter "params" is missing.'


def test_trap_fault_answers_application_error(server: ZabbixServer) -> None:
    zapi = logged_in(server)
    server.faults.trap = True
    with pytest.raises(ZabbixAPIException) as trapped:
        zapi.host.get()
    assert trapped.value.error is not None
    assert trapped.value.error["code"] == -32500
    with pytest.raises(ZabbixAPIException):
        zapi.api_version()
    server.faults.clear()
    assert zapi.api_version() == "6.0.25"


def test_wrong_credentials_fault_rejects_the_right_password(server: ZabbixServer) -> None:
    server.faults.wrong_credentials = True
    with pytest.raises(ZabbixAPIException) as rejected:
        ZabbixAPI(server.url, timeout=5).login("Admin", "zabbix")
    assert rejected.value.error is not None
    assert rejected.value.error["data"] == LOGIN_FAILED


def test_silent_fault_times_the_client_out(server: ZabbixServer) -> None:
    zapi = logged_in(server, timeout=0.3)
    server.faults.silent = True
    started = time.monotonic()
    with pytest.raises(requests.exceptions.Timeout):
        zapi.host.get()
    assert time.monotonic() - started < 3
    server.faults.silent = False
    assert len(logged_in(server).host.get()) == len(HOSTS)


def test_cut_reply_and_latency_faults() -> None:
    faults = Faults(latency_s=0.2)
    with serve_zabbix(small_state(), faults=faults) as srv:
        zapi = ZabbixAPI(srv.url, timeout=5)
        started = time.monotonic()
        assert zapi.api_version() == "6.0.25"
        assert time.monotonic() - started >= 0.2
        faults.update(latency_s=0.0, cut_reply=True)
        with pytest.raises(requests.exceptions.RequestException):
            zapi.api_version()


def test_zabbix_6_4_uses_the_bearer_header() -> None:
    with serve_zabbix(small_state("6.4.12")) as srv:
        zapi = logged_in(srv)
        assert zapi.version == Version("6.4.12")
        hosts = zapi.host.get(selectHostGroups=["name"], filter={"host": "core-rtr-1"})
        assert hosts[0]["hostgroups"] == [{"name": "Routers"}]
        request = {"jsonrpc": "2.0", "method": "host.get", "params": {}, "id": 1}
        header = post(srv, request, Authorization=f"Bearer {zapi.auth}")
        assert len(header.json()["result"]) == len(HOSTS)
        anonymous = post(srv, {"jsonrpc": "2.0", "method": "host.get", "params": {}, "id": 1})
        assert anonymous.json()["error"]["data"] == "Not authorized."
        old_login = {"user": "Admin", "password": "zabbix"}
        refused = post(srv, {"jsonrpc": "2.0", "method": "user.login", "params": old_login, "id": 2}).json()
        assert refused["error"]["data"] == 'Invalid parameter "/": unexpected parameter "user".'


def test_zabbix_7_2_rejects_the_auth_member() -> None:
    with serve_zabbix(small_state("7.2.3")) as srv:
        zapi = logged_in(srv)
        assert len(zapi.host.get()) == len(HOSTS)
        reply = post(srv, {"jsonrpc": "2.0", "method": "host.get", "params": {}, "auth": zapi.auth, "id": 1})
        assert reply.json()["error"] == {
            "code": -32600,
            "message": "Invalid Request.",
            "data": 'Invalid parameter "/": unexpected parameter "auth".',
        }


def test_zabbix_5_2_logs_in_with_user() -> None:
    with serve_zabbix(small_state("5.2.7")) as srv:
        zapi = logged_in(srv)
        assert zapi.host.get(countOutput=True) == str(len(HOSTS))
        with pytest.raises(ZabbixAPIException, match=re.escape("Not authorised.")):
            ZabbixAPI(srv.url, timeout=5).host.get()


def test_two_thousand_hosts_with_interfaces_under_a_second() -> None:
    fleet = [(f"olt-{k}", f"10.9.{k // 250}.{k % 250 + 1}") for k in range(2000)]
    with serve_zabbix(make_zabbix_state(fleet, seed=1, problems=100)) as srv:
        zapi = logged_in(srv)
        started = time.monotonic()
        hosts = zapi.host.get(output=["hostid", "host"], selectInterfaces=["ip"], selectGroups=["name"])
        elapsed = time.monotonic() - started
        assert len(hosts) == 2000 and hosts[1999]["interfaces"] == [{"ip": "10.9.7.250"}]
        assert elapsed < 1.0, f"host.get of 2000 hosts took {elapsed:.2f}s"
