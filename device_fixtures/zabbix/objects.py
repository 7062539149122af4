"""State objects in the shape the Zabbix API returns them: every scalar a string, ids included."""

from __future__ import annotations

import re
from typing import Any

from device_fixtures.zabbix.dialect import Dialect, version_tuple
from device_fixtures.zabbix.state import Acknowledge, Host, HostGroup, Interface, Problem, Trigger, User

Row = dict[str, Any]

PROBLEM_FIELDS = (
    "eventid",
    "source",
    "object",
    "objectid",
    "clock",
    "ns",
    "r_eventid",
    "r_clock",
    "r_ns",
    "correlationid",
    "userid",
    "name",
    "acknowledged",
    "severity",
    "suppressed",
    "opdata",
    "urls",
)
ACK_FIELDS = ("acknowledgeid", "userid", "clock", "message", "action", "old_severity", "new_severity")
FUNCTION_CALL = re.compile(r"\w+\(/[^)]*\)")


def host_row(host: Host, dialect: Dialect) -> Row:
    """A host object (``output: "extend"``)."""
    proxy = "proxyid" if version_tuple(dialect.version) >= (7, 0) else "proxy_hostid"
    return {
        "hostid": host.hostid,
        proxy: "0",
        "host": host.host,
        "status": str(host.status),
        "lastaccess": "0",
        "ipmi_authtype": "-1",
        "ipmi_privilege": "2",
        "ipmi_username": "",
        "ipmi_password": "",
        "maintenanceid": "0",
        "maintenance_status": str(host.maintenance_status),
        "maintenance_type": "0",
        "maintenance_from": "0",
        "name": host.name,
        "flags": "0",
        "templateid": "0",
        "description": host.description,
        "tls_connect": "1",
        "tls_accept": "1",
        "tls_issuer": "",
        "tls_subject": "",
        "proxy_address": "",
        "auto_compress": "1",
        "custom_interfaces": "0",
        "uuid": "",
        "discover": "0",
        "inventory_mode": "-1",
    }


def interface_row(interface: Interface, hostid: str) -> Row:
    """A host interface object; SNMP interfaces carry their ``details``."""
    return {
        "interfaceid": interface.interfaceid,
        "hostid": hostid,
        "main": str(interface.main),
        "type": str(interface.type),
        "useip": str(interface.useip),
        "ip": interface.ip,
        "dns": interface.dns,
        "port": interface.port,
        "available": str(interface.available),
        "error": "",
        "errors_from": "0",
        "disable_until": "0",
        "details": dict(interface.details) if isinstance(interface.details, dict) else [],
    }


def group_row(group: HostGroup) -> Row:
    """A host group object."""
    return {"groupid": group.groupid, "name": group.name, "flags": "0", "internal": "0", "uuid": group.uuid}


def tag_rows(tags: list[tuple[str, str]]) -> list[Row]:
    """Tags as ``[{"tag": ..., "value": ...}]``."""
    return [{"tag": tag, "value": value} for tag, value in tags]


def trigger_row(trigger: Trigger, *, expand_expression: bool = False) -> Row:
    """A trigger object; the expression shows function ids unless expanded."""
    return {
        "triggerid": trigger.triggerid,
        "expression": trigger.expression if expand_expression else _functionids(trigger),
        "description": trigger.description,
        "url": "",
        "status": str(trigger.status),
        "value": str(trigger.value),
        "priority": str(trigger.priority),
        "lastchange": str(trigger.lastchange),
        "comments": trigger.comments,
        "error": "",
        "templateid": "0",
        "type": "0",
        "state": "0",
        "flags": "0",
        "recovery_mode": "0",
        "recovery_expression": "",
        "correlation_mode": "0",
        "correlation_tag": "",
        "manual_close": "0",
        "opdata": "",
        "event_name": "",
        "uuid": "",
    }


def _functionids(trigger: Trigger) -> str:
    counter = iter(range(1, 100))
    return FUNCTION_CALL.sub(
        lambda _: "{" + f"{int(trigger.triggerid) * 100 + next(counter)}" + "}", trigger.expression
    )


def problem_row(problem: Problem, dialect: Dialect) -> Row:
    """A problem object (no host: problems point at their trigger through ``objectid``)."""
    row: Row = {
        "eventid": problem.eventid,
        "source": "0",
        "object": "0",
        "objectid": problem.objectid,
        "clock": str(problem.clock),
        "ns": "0",
        "r_eventid": problem.r_eventid,
        "r_clock": str(problem.r_clock),
        "r_ns": "0",
        "correlationid": "0",
        "userid": "0",
        "name": problem.name,
        "acknowledged": "1" if problem.acknowledged else "0",
        "severity": str(problem.severity),
        "suppressed": "1" if problem.suppressed else "0",
        "opdata": "",
        "urls": [],
    }
    for extra in dialect.problem_extra_fields:
        row[extra] = "0"
    return row


def acknowledge_row(ack: Acknowledge, eventid: str, dialect: Dialect) -> Row:
    """One entry of a problem's ``acknowledges``."""
    row: Row = {
        "acknowledgeid": ack.acknowledgeid,
        "userid": ack.userid,
        "eventid": eventid,
        "clock": str(ack.clock),
        "message": ack.message,
        "action": str(ack.action),
        "old_severity": str(ack.old_severity),
        "new_severity": str(ack.new_severity),
    }
    for extra in dialect.ack_extra_fields:
        row[extra] = "0"
    return row


def user_row(user: User, dialect: Dialect, sessionid: str) -> Row:
    """The user object ``user.login`` (userData) and ``user.checkAuthentication`` return."""
    return {
        "userid": user.userid,
        dialect.name_field: user.username,
        "name": user.name,
        "surname": user.surname,
        "url": "",
        "autologin": "1",
        "autologout": "0",
        "lang": "default",
        "refresh": "30s",
        "theme": "default",
        "attempt_failed": "0",
        "attempt_ip": "",
        "attempt_clock": "0",
        "rows_per_page": "50",
        "timezone": "default",
        "roleid": user.roleid,
        "type": user.type,
        "userip": "127.0.0.1",
        "debug_mode": 0,
        "gui_access": "0",
        "sessionid": sessionid,
    }
