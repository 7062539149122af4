"""The Zabbix family: hosts (interfaces, groups, availability) and problems mapped to hosts.

pyzabbix is blocking, so every poll runs in a small module-level thread pool. The login is
explicit (pyzabbix's ``with`` block swallows API errors); pyzabbix reads ``apiinfo.version``
during ``login()`` and then sends the session as the body's ``auth`` before 6.4 and as an
``Authorization: Bearer`` header from 6.4 on (the only way 7.2+ accepts). ``problem.get`` has
no host field: each problem's trigger (``objectid``) is looked up with ``trigger.get`` to find it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import requests
from pyzabbix.api import ZabbixAPI, ZabbixAPIException  # what `from pyzabbix import` gives (typed)
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from collectors.base import CollectError, Target
from collectors.enums import DeviceKind, SourceKind
from collectors.models import Device, ZabbixHost, ZabbixProblem

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="zabbix")
AVAILABLE, UNAVAILABLE = "1", "2"
ACK_ACTION = 2
HOST_OUTPUT = ["hostid", "host", "name", "status"]
INTERFACE_OUTPUT = ["ip", "dns", "type", "main", "useip", "available"]
PROBLEM_OUTPUT = ["eventid", "objectid", "name", "severity", "clock", "r_eventid", "r_clock", "acknowledged"]
Row = Mapping[str, Any]


@dataclass(frozen=True)
class HostInfo:
    """A Zabbix host as polled: names, addresses (main interface first), availability, groups."""

    hostid: str
    host: str
    name: str
    ips: tuple[str, ...]
    dns: tuple[str, ...]
    available: bool | None
    groups: tuple[str, ...]

    @property
    def ip(self) -> str | None:
        """The main interface's address."""
        return self.ips[0] if self.ips else None


@dataclass(frozen=True)
class ProblemInfo:
    """A problem event of a trigger, with the host the trigger belongs to once mapped."""

    eventid: str
    triggerid: str
    name: str
    severity: int
    acknowledged: bool
    tags: tuple[tuple[str, str], ...]
    started_at: datetime
    resolved_at: datetime | None = None
    hostid: str | None = None


@dataclass(frozen=True)
class ZabbixSnapshot:
    """One poll of a Zabbix server."""

    version: str
    hosts: tuple[HostInfo, ...]
    problems: tuple[ProblemInfo, ...]


# ---------------------------------------------------------------------------- pure parsing
def parse_version(text: str) -> tuple[int, int]:
    """Major and minor of an ``apiinfo.version`` answer such as "6.0.25" or "7.0.0rc1"."""
    parts = str(text).split(".")
    try:
        major = int(parts[0])
        minor = int("".join(ch for ch in parts[1] if ch.isdigit()) or 0) if len(parts) > 1 else 0
    except ValueError as exc:
        raise CollectError(f"zabbix: unexpected API version {text!r}") from exc
    return major, minor


def group_option(version: tuple[int, int]) -> tuple[str, str]:
    """The host.get option selecting host groups and the key it answers under (6.2+ renamed it)."""
    return ("selectHostGroups", "hostgroups") if version >= (6, 2) else ("selectGroups", "groups")


def parse_availability(interfaces: Sequence[Row]) -> bool | None:
    """Up if any interface is available, down if all known ones are unavailable, else unknown."""
    states = {str(i.get("available", "0")) for i in interfaces}
    if AVAILABLE in states:
        return True
    if states and states <= {UNAVAILABLE}:
        return False
    return None


def parse_host(row: Row, groups_key: str = "groups") -> HostInfo:
    """One host.get row (with interfaces and groups) as a HostInfo."""
    interfaces = sorted(row.get("interfaces") or [], key=lambda i: str(i.get("main", "0")) != "1")
    ips = tuple(dict.fromkeys(str(i["ip"]) for i in interfaces if i.get("ip")))
    dns = tuple(dict.fromkeys(str(i["dns"]) for i in interfaces if i.get("dns")))
    groups = row.get(groups_key) or row.get("groups") or row.get("hostgroups") or []
    return HostInfo(
        hostid=str(row["hostid"]), host=str(row["host"]), name=str(row.get("name") or row["host"]),
        ips=ips, dns=dns, available=parse_availability(interfaces),
        groups=tuple(sorted(str(g["name"]) for g in groups)),
    )


def _epoch(value: object) -> datetime:
    return datetime.fromtimestamp(int(str(value)), UTC)


def parse_problem(row: Row) -> ProblemInfo:
    """One problem.get row (with tags and acknowledges) as a ProblemInfo (no host yet)."""
    acks = row.get("acknowledges") or []
    acked = str(row.get("acknowledged", "0")) == "1" or any(
        int(str(a.get("action", 0))) & ACK_ACTION for a in acks if isinstance(a, Mapping)
    )
    resolved = str(row.get("r_eventid", "0")) not in ("0", "")
    return ProblemInfo(
        eventid=str(row["eventid"]), triggerid=str(row["objectid"]), name=str(row["name"]),
        severity=int(str(row.get("severity", 0))), acknowledged=acked,
        tags=tuple((str(t["tag"]), str(t.get("value", ""))) for t in row.get("tags") or []),
        started_at=_epoch(row["clock"]),
        resolved_at=_epoch(row["r_clock"]) if resolved else None,
    )


def parse_trigger_hosts(rows: Iterable[Row]) -> dict[str, str]:
    """trigger.get rows (with selectHosts) as triggerid -> the trigger's first host id."""
    return {str(r["triggerid"]): str(r["hosts"][0]["hostid"]) for r in rows if r.get("hosts")}


def parse_snapshot(
    version: str, hosts: Iterable[Row], problems: Iterable[Row], triggers: Iterable[Row]
) -> ZabbixSnapshot:
    """The three replies as one snapshot; a reply not in the expected shape is a CollectError."""
    try:
        _, groups_key = group_option(parse_version(version))
        parsed_hosts = tuple(parse_host(r, groups_key) for r in hosts)
        host_of = parse_trigger_hosts(triggers)
        parsed = tuple(parse_problem(r) for r in problems)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise CollectError(f"zabbix: unexpected reply ({type(exc).__name__}: {exc})") from exc
    mapped = tuple(replace(p, hostid=host_of.get(p.triggerid)) for p in parsed)
    return ZabbixSnapshot(str(version), parsed_hosts, mapped)


# ---------------------------------------------------------------------------- the I/O
def _scrub(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text[:300]


def _fetch(api: ZabbixAPI) -> ZabbixSnapshot:
    """host.get, problem.get and trigger.get on a logged-in API."""
    version = str(api.version)
    option, _ = group_option(parse_version(version))
    hosts = api.host.get(output=HOST_OUTPUT, selectInterfaces=INTERFACE_OUTPUT, **{option: ["name"]})
    problems = api.problem.get(
        output=PROBLEM_OUTPUT, recent=True, selectTags=["tag", "value"],
        selectAcknowledges=["clock", "action"], sortfield=["eventid"], sortorder="ASC",
    )
    triggerids = sorted({str(p["objectid"]) for p in problems})
    triggers = (
        api.trigger.get(triggerids=triggerids, output=["triggerid"], selectHosts=["hostid"])
        if triggerids else []
    )
    return parse_snapshot(version, hosts, problems, triggers)


def fetch_snapshot(url: str, username: str, password: str, *, timeout_s: float) -> ZabbixSnapshot:
    """Log in, read hosts and problems, log out; every failure is a CollectError without secrets."""
    api = ZabbixAPI(url, timeout=timeout_s)
    logged_in = False
    try:
        api.login(username, password)
        logged_in = True
        return _fetch(api)
    except ZabbixAPIException as exc:
        error = exc.error if isinstance(exc.error, Mapping) else {}
        detail = f"{error.get('code')} {error.get('data')}" if error else str(exc)
        raise CollectError(_scrub(f"zabbix API error: {detail}", (password, api.auth))) from exc
    except requests.RequestException as exc:
        detail = f"{type(exc).__name__}: {exc}"
        raise CollectError(_scrub(f"zabbix HTTP error: {detail}", (password, api.auth))) from exc
    finally:
        if logged_in:
            _logout(api)
        api.session.close()


def _logout(api: ZabbixAPI) -> None:
    """End the login session (best effort: the server may already be gone)."""
    try:
        api.user.logout()
    except (ZabbixAPIException, requests.RequestException):
        pass


# ---------------------------------------------------------------------------- the store
def _device_index(session: Session, server_id: int) -> tuple[dict[str, int], dict[str, int]]:
    """Our devices by address and by lower-cased name (the Zabbix server itself left out)."""
    rows = session.execute(select(Device.id, Device.host, Device.name).where(Device.id != server_id))
    by_host: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for device_id, host, name in rows:
        by_host.setdefault(host, device_id)
        by_name.setdefault(name.casefold(), device_id)
    return by_host, by_name


def link_device(host: HostInfo, by_host: Mapping[str, int], by_name: Mapping[str, int]) -> int | None:
    """Our device behind a Zabbix host: by interface address (main first) or DNS name, else by name."""
    for address in (*host.ips, *host.dns):
        if address in by_host:
            return by_host[address]
    for name in (host.host, host.name):
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return None


def save_hosts(session: Session, server_id: int, hosts: Sequence[HostInfo], *, now: datetime) -> int:
    """Upsert the server's hosts by hostid, linked to our devices; delete the ones Zabbix dropped."""
    query = select(ZabbixHost).where(ZabbixHost.server_id == server_id)
    existing = {h.hostid: h for h in session.scalars(query)}
    by_host, by_name = _device_index(session, server_id)
    for info in hosts:
        row = existing.pop(info.hostid, None)
        if row is None:
            row = ZabbixHost(server_id=server_id, hostid=info.hostid)
            session.add(row)
        row.host, row.name, row.ip = info.host, info.name, info.ip
        row.available, row.groups = info.available, list(info.groups)
        row.device_id = link_device(info, by_host, by_name)
        row.updated_at = now
    if existing:
        ids = [h.id for h in existing.values()]
        session.execute(delete(ZabbixHost).where(ZabbixHost.id.in_(ids)))
    return len(hosts)


def _problem_rows(session: Session, server_id: int, eventids: Sequence[str]) -> dict[str, ZabbixProblem]:
    """The server's open problems plus any of ``eventids`` already stored."""
    query = select(ZabbixProblem).where(ZabbixProblem.server_id == server_id)
    rows = {p.eventid: p for p in session.scalars(query.where(ZabbixProblem.resolved_at.is_(None)))}
    missing = [e for e in eventids if e not in rows]
    for start in range(0, len(missing), 500):
        chunk = query.where(ZabbixProblem.eventid.in_(missing[start : start + 500]))
        rows.update((p.eventid, p) for p in session.scalars(chunk))
    return rows


def save_problems(session: Session, server_id: int, problems: Sequence[ProblemInfo], *, now: datetime) -> int:
    """Upsert problems by eventid; an open problem Zabbix no longer returns is resolved now."""
    existing = _problem_rows(session, server_id, [p.eventid for p in problems])
    for info in problems:
        row = existing.pop(info.eventid, None)
        if row is None:
            row = ZabbixProblem(server_id=server_id, eventid=info.eventid)
            session.add(row)
        row.triggerid, row.hostid, row.name = info.triggerid, info.hostid, info.name
        row.severity, row.acknowledged = info.severity, info.acknowledged
        row.tags = [{"tag": t, "value": v} for t, v in info.tags]
        row.started_at, row.resolved_at = info.started_at, info.resolved_at
    for row in existing.values():
        if row.resolved_at is None:
            row.resolved_at = now
    return len(problems)


class ZabbixCollector:
    """Polls a Zabbix server's API for its hosts and problems."""

    family = SourceKind.ZABBIX

    def __init__(self, *, timeout_s: float = 15.0) -> None:
        self.timeout_s = timeout_s

    def selects(self, device: Device) -> bool:
        """Every enabled Zabbix server."""
        return device.kind == DeviceKind.ZABBIX and bool(device.enabled)

    async def poll(self, target: Target) -> ZabbixSnapshot:
        """Fetch hosts and problems in the thread pool (pyzabbix blocks)."""
        url, user, timeout_s = target.http_url or target.host, target.username or "", self.timeout_s
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            _POOL, lambda: fetch_snapshot(url, user, target.password, timeout_s=timeout_s)
        )

    def save(self, session: Session, target: Target, result: ZabbixSnapshot, *, now: datetime) -> int:
        """Upsert hosts and problems of this server; note the server's version on its device row."""
        server = session.get(Device, target.device_id)
        if server is not None:
            server.version = result.version
        values = save_hosts(session, target.device_id, result.hosts, now=now)
        values += save_problems(session, target.device_id, result.problems, now=now)
        session.flush()
        return values
