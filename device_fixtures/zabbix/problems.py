"""problem.get with the strict parameter validation of CProblem (unknown parameters are errors).

Problems carry no host: the ``hostids``/``groupids`` options go through the problem's trigger
(``objectid``) to the trigger's hosts, as the SQL of CProblem joins functions, items and hosts.
"""

from __future__ import annotations

from typing import Any

from device_fixtures.zabbix.objects import ACK_FIELDS, PROBLEM_FIELDS, acknowledge_row, problem_row, tag_rows
from device_fixtures.zabbix.query import (
    Row,
    check_output,
    finish,
    ids_of,
    invalid,
    matches_filter,
    matches_tags,
    reject_unknown,
    search_predicate,
    select,
    sort_rows,
)
from device_fixtures.zabbix.state import Problem, ZabbixState

Params = dict[str, Any]
FILTER_FIELDS = (
    "eventid",
    "source",
    "object",
    "objectid",
    "r_eventid",
    "correlationid",
    "userid",
    "name",
    "acknowledged",
    "severity",
)
IDS = ("eventids", "groupids", "hostids", "objectids")
BOOLEANS = (
    "acknowledged",
    "suppressed",
    "recent",
    "searchByAny",
    "searchWildcardsEnabled",
    "editable",
    "preservekeys",
    "nopermissions",
)
FLAGS = ("countOutput", "startSearch", "excludeSearch")
TIMESTAMPS = ("eventid_from", "eventid_till", "time_from", "time_till")
OTHERS = (
    "source",
    "object",
    "severities",
    "evaltype",
    "tags",
    "filter",
    "search",
    "output",
    "selectAcknowledges",
    "selectSuppressionData",
    "selectTags",
    "sortfield",
    "sortorder",
    "limit",
)
SINCE_6_4 = ("action", "action_userids", "symptom")


def _is_int(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    )


def _check_scalars(p: Params) -> None:
    for name in IDS:
        ids_of(p.get(name), f"/{name}", strict=True)
    for name in BOOLEANS:
        if p.get(name) is not None and not isinstance(p[name], bool):
            raise invalid(f"/{name}", "a boolean is expected")
    for name in TIMESTAMPS:
        if p.get(name) is not None and not _is_int(p[name]):
            raise invalid(f"/{name}", "a timestamp is expected")
    severities = p.get("severities")
    for k, severity in enumerate(severities if isinstance(severities, list) else [severities], 1):
        if severity is None:
            continue
        path = f"/severities/{k}" if isinstance(severities, list) else "/severities"
        if not _is_int(severity):
            raise invalid(path, "an integer is expected")
        if not 0 <= int(severity) <= 5:
            raise invalid(path, "value must be one of 0-5")
    limit = p.get("limit")
    if limit is not None and (not _is_int(limit) or int(limit) < 1):
        raise invalid("/limit", "value must be one of 1-2147483647")
    if str(p.get("evaltype", 0)) not in ("0", "2"):
        raise invalid("/evaltype", "value must be one of 0, 2")


def _check_structures(state: ZabbixState, p: Params) -> None:
    dialect = state.dialect
    check_output(p.get("output"), (*PROBLEM_FIELDS, *dialect.problem_extra_fields), "/output")
    check_output(
        p.get("selectAcknowledges"),
        (*ACK_FIELDS, *dialect.ack_extra_fields),
        "/selectAcknowledges",
        allow_count=True,
    )
    check_output(p.get("selectTags"), ("tag", "value"), "/selectTags")
    check_output(
        p.get("selectSuppressionData"), ("maintenanceid", "suppress_until"), "/selectSuppressionData"
    )
    for option, fields in (("filter", FILTER_FIELDS), ("search", ("name",))):
        if isinstance(p.get(option), dict):
            reject_unknown(p[option], fields)
    sortfields = p.get("sortfield") or []
    for k, field in enumerate(sortfields if isinstance(sortfields, list) else [sortfields], 1):
        if field != "eventid":
            raise invalid(f"/sortfield/{k}", 'value must be one of "eventid"')
    orders = p.get("sortorder") or []
    for order in orders if isinstance(orders, list) else [orders]:
        if order not in ("ASC", "DESC"):
            raise invalid("/sortorder", 'value must be one of "ASC", "DESC"')
    for k, tag in enumerate(p.get("tags") or [], 1):
        if not isinstance(tag, dict) or "tag" not in tag:
            raise invalid(f"/tags/{k}", 'the parameter "tag" is missing')


def validate(state: ZabbixState, p: Params) -> None:
    """CProblem::get's input rules for this version."""
    since = SINCE_6_4 if state.dialect.problem_extra_fields else ()
    reject_unknown(p, (*IDS, *BOOLEANS, *FLAGS, *TIMESTAMPS, *OTHERS, *since))
    _check_scalars(p)
    _check_structures(state, p)


def _hostids_of(state: ZabbixState, problem: Problem) -> list[str]:
    trigger = state.triggers.get(problem.objectid)
    return trigger.hostids if trigger is not None else []


def _visible(state: ZabbixState, problem: Problem, p: Params, ids: dict[str, set[str] | None]) -> bool:
    recent = bool(p.get("recent"))
    severities = p.get("severities")
    wanted = (
        None
        if severities is None
        else {int(s) for s in (severities if isinstance(severities, list) else [severities])}
    )
    hostids = _hostids_of(state, problem)
    groupids = {g for h in hostids if h in state.hosts for g in state.hosts[h].groupids}
    checks = (
        problem.r_eventid == "0" or (recent and problem.r_clock > state.clock - state.ok_period),
        ids["eventids"] is None or problem.eventid in ids["eventids"],
        ids["objectids"] is None or problem.objectid in ids["objectids"],
        ids["hostids"] is None or not ids["hostids"].isdisjoint(hostids),
        ids["groupids"] is None or not ids["groupids"].isdisjoint(groupids),
        wanted is None or problem.severity in wanted,
        p.get("time_from") is None or problem.clock >= int(p["time_from"]),
        p.get("time_till") is None or problem.clock <= int(p["time_till"]),
        p.get("eventid_from") is None or int(problem.eventid) >= int(p["eventid_from"]),
        p.get("eventid_till") is None or int(problem.eventid) <= int(p["eventid_till"]),
        p.get("acknowledged") is None or problem.acknowledged == p["acknowledged"],
        p.get("suppressed") is None or problem.suppressed == p["suppressed"],
        matches_tags(problem.tags, p.get("tags"), p.get("evaltype")),
    )
    return all(checks)


def problem_get(state: ZabbixState, p: Params) -> Any:
    """problem.get: unresolved (and with ``recent`` recently resolved) trigger problems."""
    validate(state, p)
    if str(p.get("source", 0)) != "0" or str(p.get("object", 0)) != "0":
        return "0" if p.get("countOutput") else []
    ids = {name: ids_of(p.get(name)) for name in IDS}
    searching = search_predicate(p)
    rows: list[Row] = []
    for problem in state.problems.values():
        if _visible(state, problem, p, ids):
            row = problem_row(problem, state.dialect)
            if matches_filter(row, p.get("filter")) and searching(row):
                rows.append(row)
    sort_rows(rows, p, ("eventid",), ("eventid",))

    def related(out: Row, row: Row) -> None:
        problem = state.problems[row["eventid"]]
        if p.get("selectAcknowledges") is not None:
            acks = sorted(problem.acknowledges, key=lambda a: (a.clock, int(a.acknowledgeid)), reverse=True)
            ack_rows = [acknowledge_row(a, problem.eventid, state.dialect) for a in acks]
            out["acknowledges"] = select(ack_rows, p["selectAcknowledges"])
        if p.get("selectTags") is not None:
            out["tags"] = select(tag_rows(problem.tags), p["selectTags"])
        if p.get("selectSuppressionData") is not None:
            data = [{"maintenanceid": "1", "suppress_until": "0"}] if problem.suppressed else []
            out["suppression_data"] = select(data, p["selectSuppressionData"])

    return finish(rows, p, "eventid", keep_pk=False, related=related)
