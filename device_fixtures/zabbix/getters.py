"""The read methods: host.get, hostgroup.get, trigger.get and problem.get (callers hold the lock)."""

from __future__ import annotations

from typing import Any

from device_fixtures.zabbix.objects import (
    group_row,
    host_row,
    interface_row,
    tag_rows,
    trigger_row,
)
from device_fixtures.zabbix.query import (
    Row,
    finish,
    ids_of,
    matches_filter,
    matches_tags,
    search_predicate,
    select,
    sort_rows,
)
from device_fixtures.zabbix.state import Host, Trigger, ZabbixState, expand_host_macros

Params = dict[str, Any]
GROUP_RESULT_KEYS = {"selectGroups": "groups", "selectHostGroups": "hostgroups"}


def _groups_of(state: ZabbixState, hosts: list[Host]) -> list[Row]:
    groupids = {g for h in hosts for g in h.groupids}
    return [group_row(g) for g in state.groups.values() if g.groupid in groupids]


def _add_groups(state: ZabbixState, p: Params, out: Row, hosts: list[Host]) -> None:
    """The host groups under the select names this version knows (selectGroups/selectHostGroups)."""
    for option in state.dialect.group_selects:
        if p.get(option) is not None:
            out[GROUP_RESULT_KEYS[option]] = select(_groups_of(state, hosts), p[option])


def _hostids_with_problems(state: ZabbixState, severities: object) -> set[str]:
    wanted = {str(s) for s in severities} if isinstance(severities, list) else {str(severities)}
    hostids: set[str] = set()
    for problem in state.open_problems():
        trigger = state.triggers.get(problem.objectid)
        if trigger is not None and str(problem.severity) in wanted:
            hostids.update(trigger.hostids)
    return hostids


def host_get(state: ZabbixState, p: Params) -> Any:
    """host.get: hostids, groupids, triggerids, monitored_hosts, severities, tags, filter, search..."""
    hostids, groupids = ids_of(p.get("hostids")), ids_of(p.get("groupids"))
    triggerids = ids_of(p.get("triggerids"))
    if triggerids is not None:
        via = {h for t in triggerids if t in state.triggers for h in state.triggers[t].hostids}
        hostids = via if hostids is None else hostids & via
    if p.get("severities") is not None:
        with_problems = _hostids_with_problems(state, p["severities"])
        hostids = with_problems if hostids is None else hostids & with_problems
    searching = search_predicate(p)
    rows: list[Row] = []
    for host in state.hosts.values():
        if hostids is not None and host.hostid not in hostids:
            continue
        if groupids is not None and groupids.isdisjoint(host.groupids):
            continue
        if (p.get("monitored_hosts") and host.status != 0) or not matches_tags(
            host.tags, p.get("tags"), p.get("evaltype")
        ):
            continue
        row = host_row(host, state.dialect)
        if matches_filter(row, p.get("filter")) and searching(row):
            rows.append(row)
    sort_rows(rows, p, ("hostid", "host", "name", "status"), ("hostid", "status"))

    def related(out: Row, row: Row) -> None:
        host = state.hosts[row["hostid"]]
        if p.get("selectInterfaces") is not None:
            out["interfaces"] = select(
                [interface_row(i, host.hostid) for i in host.interfaces], p["selectInterfaces"]
            )
        _add_groups(state, p, out, [host])
        if p.get("selectTags") is not None:
            out["tags"] = select(tag_rows(host.tags), p["selectTags"])

    return finish(rows, p, "hostid", related=related)


def hostgroup_get(state: ZabbixState, p: Params) -> Any:
    """hostgroup.get: groupids, hostids, real_hosts/with_hosts, monitored_hosts, selectHosts..."""
    groupids, hostids = ids_of(p.get("groupids")), ids_of(p.get("hostids"))
    members: dict[str, list[Host]] = {g: [] for g in state.groups}
    for host in state.hosts.values():
        for groupid in host.groupids:
            members.setdefault(groupid, []).append(host)
    need_hosts = any(p.get(flag) for flag in state.dialect.with_hosts_flags)
    searching = search_predicate(p)
    rows: list[Row] = []
    for group in state.groups.values():
        hosts = members[group.groupid]
        if groupids is not None and group.groupid not in groupids:
            continue
        if hostids is not None and not any(h.hostid in hostids for h in hosts):
            continue
        if (need_hosts and not hosts) or (p.get("monitored_hosts") and not any(h.status == 0 for h in hosts)):
            continue
        row = group_row(group)
        if matches_filter(row, p.get("filter")) and searching(row):
            rows.append(row)
    sort_rows(rows, p, ("groupid", "name"), ("groupid",))

    def related(out: Row, row: Row) -> None:
        if p.get("selectHosts") is not None:
            hosts = [host_row(h, state.dialect) for h in members[row["groupid"]]]
            out["hosts"] = select(hosts, p["selectHosts"])

    return finish(rows, p, "groupid", related=related)


def _trigger_matches(
    state: ZabbixState, trigger: Trigger, p: Params, ids: dict[str, set[str] | None]
) -> bool:
    hosts = [state.hosts[h] for h in trigger.hostids if h in state.hosts]
    checks = (
        ids["triggerids"] is None or trigger.triggerid in ids["triggerids"],
        ids["hostids"] is None or not ids["hostids"].isdisjoint(trigger.hostids),
        ids["groupids"] is None or any(not ids["groupids"].isdisjoint(h.groupids) for h in hosts),
        not p.get("only_true") or trigger.value == 1 or trigger.lastchange > state.clock - state.ok_period,
        p.get("min_severity") is None or trigger.priority >= int(p["min_severity"]),
        not (p.get("monitored") or p.get("active"))
        or (trigger.status == 0 and all(h.status == 0 for h in hosts)),
        matches_tags(trigger.tags, p.get("tags"), p.get("evaltype")),
    )
    return all(checks)


def trigger_get(state: ZabbixState, p: Params) -> Any:
    """trigger.get: triggerids, hostids, groupids, only_true, expandDescription, selectHosts..."""
    ids = {name: ids_of(p.get(name)) for name in ("triggerids", "hostids", "groupids")}
    searching = search_predicate(p)
    rows: list[Row] = []
    for trigger in state.triggers.values():
        if not _trigger_matches(state, trigger, p, ids):
            continue
        row = trigger_row(trigger, expand_expression=bool(p.get("expandExpression")))
        if p.get("expandDescription"):
            row["description"] = expand_host_macros(trigger.description, state.host_of(trigger))
        if matches_filter(row, p.get("filter")) and searching(row):
            rows.append(row)

    def hostname(row: Row) -> str:
        host = state.host_of(state.triggers[row["triggerid"]])
        return host.name if host is not None else ""

    allowed = ("triggerid", "description", "status", "priority", "lastchange", "hostname")
    numeric = ("triggerid", "status", "priority", "lastchange")
    sort_rows(rows, p, allowed, numeric, {"hostname": hostname})

    def related(out: Row, row: Row) -> None:
        trigger = state.triggers[row["triggerid"]]
        hosts = [state.hosts[h] for h in trigger.hostids if h in state.hosts]
        if p.get("selectHosts") is not None:
            out["hosts"] = select([host_row(h, state.dialect) for h in hosts], p["selectHosts"])
        _add_groups(state, p, out, hosts)
        if p.get("selectTags") is not None:
            out["tags"] = select(tag_rows(trigger.tags), p["selectTags"])

    return finish(rows, p, "triggerid", related=related)
