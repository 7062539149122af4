"""The pure side of the Zabbix collector: replies (as Zabbix 6.0/7.0 shape them) to typed results."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from collectors.base import CollectError
from collectors.zabbix import (
    HostInfo,
    group_option,
    link_device,
    parse_availability,
    parse_host,
    parse_problem,
    parse_snapshot,
    parse_trigger_hosts,
    parse_version,
)

HOST_60: dict[str, Any] = {
    "hostid": "10501", "host": "olt-north", "name": "OLT North", "status": "0",
    "interfaces": [
        {"ip": "10.0.0.9", "dns": "", "type": "1", "main": "0", "useip": "1", "available": "2"},
        {"ip": "10.1.0.2", "dns": "olt-north.isp", "type": "2", "main": "1", "useip": "1", "available": "1"},
    ],
    "groups": [{"name": "OLTs"}, {"name": "North"}],
}
PROBLEM: dict[str, Any] = {
    "eventid": "1007", "objectid": "20012", "name": "olt-north is unavailable by ICMP", "severity": "4",
    "clock": "1778846400", "r_eventid": "0", "r_clock": "0", "acknowledged": "0",
    "tags": [{"tag": "scope", "value": "availability"}, {"tag": "site", "value": "north"}],
    "acknowledges": [],
}


def test_version_and_the_group_option_it_implies() -> None:
    assert parse_version("6.0.25") == (6, 0)
    assert parse_version("7.0.0rc1") == (7, 0)
    assert group_option((6, 0)) == ("selectGroups", "groups")
    assert group_option((6, 4)) == ("selectHostGroups", "hostgroups")
    with pytest.raises(CollectError):
        parse_version("zabbix")


def test_host_main_interface_first_groups_sorted_and_available() -> None:
    host = parse_host(HOST_60)
    assert host == HostInfo(
        hostid="10501", host="olt-north", name="OLT North", ips=("10.1.0.2", "10.0.0.9"),
        dns=("olt-north.isp",), available=True, groups=("North", "OLTs"),
    )
    assert host.ip == "10.1.0.2"


def test_host_groups_under_the_7_0_key() -> None:
    row = {**HOST_60, "hostgroups": HOST_60["groups"]}
    del row["groups"]
    assert parse_host(row, "hostgroups").groups == ("North", "OLTs")


@pytest.mark.parametrize(
    ("states", "expected"),
    [(["1", "2"], True), (["2", "2"], False), (["0", "2"], None), ([], None), (["0"], None)],
)
def test_availability_over_interfaces(states: list[str], expected: bool | None) -> None:
    assert parse_availability([{"available": s} for s in states]) is expected


def test_open_problem() -> None:
    problem = parse_problem(PROBLEM)
    assert (problem.eventid, problem.triggerid, problem.severity) == ("1007", "20012", 4)
    assert problem.tags == (("scope", "availability"), ("site", "north"))
    assert problem.started_at == datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
    assert problem.resolved_at is None and problem.acknowledged is False and problem.hostid is None


def test_resolved_and_acknowledged_problem() -> None:
    row = {**PROBLEM, "r_eventid": "1010", "r_clock": "1778846460",
           "acknowledges": [{"clock": "1778846430", "action": "6"}]}
    problem = parse_problem(row)
    assert problem.resolved_at == datetime(2026, 5, 15, 12, 1, tzinfo=UTC)
    assert problem.acknowledged is True
    # a message alone (action 4) is not an acknowledgement
    assert parse_problem({**PROBLEM, "acknowledges": [{"action": "4"}]}).acknowledged is False


def test_problems_are_mapped_to_hosts_through_their_trigger() -> None:
    triggers: list[dict[str, Any]] = [
        {"triggerid": "20012", "hosts": [{"hostid": "10501"}]},
        {"triggerid": "20013", "hosts": []},
    ]
    assert parse_trigger_hosts(triggers) == {"20012": "10501"}
    orphan = {**PROBLEM, "eventid": "1008", "objectid": "29999"}
    snap = parse_snapshot("6.0.25", [HOST_60], [PROBLEM, orphan], triggers)
    assert [(p.eventid, p.hostid) for p in snap.problems] == [("1007", "10501"), ("1008", None)]
    assert snap.version == "6.0.25" and snap.hosts[0].hostid == "10501"


def test_a_reply_in_another_shape_is_a_collect_error() -> None:
    with pytest.raises(CollectError, match="unexpected reply"):
        parse_snapshot("6.0.25", [{"name": "no hostid"}], [], [])
    with pytest.raises(CollectError, match="unexpected reply"):
        parse_snapshot("6.0.25", [], [{**PROBLEM, "clock": "yesterday"}], [])


def test_link_by_address_then_dns_then_name() -> None:
    host = parse_host(HOST_60)
    assert link_device(host, {"10.0.0.9": 3, "10.1.0.2": 7}, {"olt-north": 9}) == 7
    assert link_device(host, {"olt-north.isp": 4}, {"olt-north": 9}) == 4
    assert link_device(host, {"10.9.9.9": 3}, {"olt north": 8, "olt-north": 9}) == 9
    assert link_device(host, {}, {"olt north": 8}) == 8  # the visible name, case-insensitively
    assert link_device(host, {}, {"olt-south": 9}) is None
