"""The MikroTik family: RouterOS routers over the API (librouteros, async).

One connection per poll reads ``/system/resource``, ``/system/identity``, ``/interface``,
``/ppp/active``, ``/ip/hotspot/active``, ``/ip/pool`` (``/ip/pool/used`` where the router has it,
else the pools' use is counted from the sessions) and, for routers that send no syslog, ``/log``.
``save`` keeps the device's health, interface counters with their rates (a reboot or a counter that
went back restarts from zero, never a negative rate), chart samples, pools, the subscriber sessions
(opened, followed and closed by the router's ``.id`` and username, linked to customers by username)
and each customer's daily usage (the byte growth of their sessions since the previous poll).

Device.details keys read: ``syslog`` (true: the router's log arrives by syslog, ``/log`` is not
read), ``login`` (``token``: the pre-6.43 challenge login), ``timeout_s``. Written under
``details["mikrotik"]``: ``polled_at``, ``booted_at``, ``board``, ``log_cursor`` (the last ``/log``
id stored).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import librouteros
from librouteros.api import AsyncApi
from librouteros.exceptions import LibRouterosError, TrapError
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.models import Customer
from collectors import logparse
from collectors import mikrotik_parse as p
from collectors.base import CollectError, Target
from collectors.enums import DeviceKind, SessionKind, SourceKind, Vendor
from collectors.mikrotik_accounts import PROPLIST as ACCOUNT_FIELDS
from collectors.mikrotik_accounts import Account, compare, expected_usernames, parse_accounts
from collectors.models import (
    Device,
    DeviceSample,
    InterfaceStat,
    IpPool,
    SubscriberSession,
    UsageDaily,
)
from store.bulk import bulk_insert
from store.types import utcnow

TIMEOUT_S = 10.0
SYSLOG_FRESH = timedelta(minutes=15)
RESTART_SLACK_S = 2
CHUNK = 500
Reply = dict[str, Any]


@dataclass(frozen=True)
class MikrotikPoll:
    """What one poll of a router read (``logs`` None when ``/log`` was not read)."""

    identity: str | None
    resource: p.Resource
    interfaces: tuple[p.InterfaceCounters, ...]
    sessions: tuple[p.ActiveSession, ...]
    pools: tuple[p.Pool, ...]
    pool_used: Mapping[str, int] | None
    logs: tuple[p.LogEntry, ...] | None
    accounts: tuple[Account, ...] | None = None


PROPLISTS = {
    "/interface": "name,type,running,dynamic,rx-byte,tx-byte",
    "/ppp/active": ".id,name,service,caller-id,address,uptime",
    "/ip/hotspot/active": ".id,user,address,mac-address,uptime,bytes-in,bytes-out",
    "/ip/pool": "name,ranges",
    "/ip/pool/used": "pool,address",
    "/log": ".id,time,topics,message",
    "/ppp/secret": ACCOUNT_FIELDS,
    "/ip/hotspot/user": ACCOUNT_FIELDS,
}
"""Only the properties parsed (big menus of thousands of sessions cost less on both ends)."""


async def _rows(api: AsyncApi, path: str) -> list[Reply]:
    args = {".proplist": PROPLISTS[path]} if path in PROPLISTS else {}
    return [dict(row) async for row in api(f"{path}/print", **args)]


async def _optional_rows(api: AsyncApi, path: str) -> list[Reply] | None:
    """A menu some routers lack (no hotspot package, no ``/ip/pool/used``): None when refused."""
    try:
        return await _rows(api, path)
    except TrapError:
        return None


async def read_router(api: AsyncApi, *, with_log: bool) -> MikrotikPoll:
    """Every menu the family reads, on one logged-in connection."""
    resource = p.parse_resource((await _rows(api, "/system/resource") or [{}])[0])
    identity = p.parse_identity(await _rows(api, "/system/identity"))
    interfaces = p.parse_interfaces(await _rows(api, "/interface"))
    counters = {i.name: i for i in interfaces}
    sessions = p.parse_ppp_active(await _rows(api, "/ppp/active"), counters)
    sessions += p.parse_hotspot_active(await _optional_rows(api, "/ip/hotspot/active") or [])
    pools = p.parse_pools(await _rows(api, "/ip/pool"))
    used_rows = await _optional_rows(api, "/ip/pool/used")
    logs = p.parse_log(await _rows(api, "/log"), utcnow()) if with_log else None
    accounts = parse_accounts(await _rows(api, "/ppp/secret"),
                              await _optional_rows(api, "/ip/hotspot/user") or [])
    return MikrotikPoll(identity, resource, tuple(interfaces), tuple(sessions), tuple(pools),
                        p.parse_pool_used(used_rows) if used_rows is not None else None,
                        tuple(logs) if logs is not None else None, accounts)


async def _close(api: AsyncApi) -> None:
    try:
        await asyncio.wait_for(api.close(), 1.0)
    except (OSError, LibRouterosError, TimeoutError):
        api.protocol.transport.writer.transport.abort()


def _clean(exc: BaseException, target: Target) -> str:
    text = str(exc) or type(exc).__name__
    return text.replace(target.password, "***") if target.password else text


class MikrotikCollector:
    """RouterOS routers with an API port: health, counters, pools, sessions, usage, ``/log``."""

    family = SourceKind.MIKROTIK

    def __init__(self, timeout_s: float = TIMEOUT_S) -> None:
        self.timeout_s = timeout_s

    def selects(self, device: Device) -> bool:
        """MikroTik routers whose API port is known."""
        return (device.kind == DeviceKind.ROUTER and device.vendor == Vendor.MIKROTIK
                and device.api_port is not None)

    async def _connect(self, target: Target, limit_s: float) -> AsyncApi:
        login = librouteros.async_token if target.details.get("login") == "token" else librouteros.async_plain
        try:
            return await librouteros.async_connect(
                target.host, target.username or "admin", target.password, port=target.api_port or 8728,
                timeout=limit_s, login_method=login)
        except TrapError as exc:
            raise CollectError(f"{target.name} ({target.host}:{target.api_port}): login refused: "
                               f"{_clean(exc, target)}") from exc

    async def poll(self, target: Target) -> MikrotikPoll:
        """One connection, every menu; CollectError (no secrets in it) on any failure."""
        if target.api_port is None:
            raise CollectError(f"{target.name}: no API port")
        timeout = float(target.details.get("timeout_s", self.timeout_s))
        where = f"{target.name} ({target.host}:{target.api_port})"
        api: AsyncApi | None = None
        try:
            async with asyncio.timeout(timeout):
                api = await self._connect(target, timeout)
                return await read_router(api, with_log=not target.details.get("syslog"))
        except TimeoutError as exc:
            raise CollectError(f"{where}: no answer within {timeout:g} s") from exc
        except TrapError as exc:
            raise CollectError(f"{where}: router refused: {_clean(exc, target)}") from exc
        except (OSError, LibRouterosError, EOFError) as exc:
            raise CollectError(f"{where}: {type(exc).__name__}: {_clean(exc, target)}") from exc
        finally:
            if api is not None:
                await _close(api)

    def save(self, session: Session, target: Target, result: MikrotikPoll, *, now: datetime) -> int:
        """Device health, interfaces, samples, pools, sessions, usage and new ``/log`` lines."""
        device = session.get(Device, target.device_id)
        if device is None:
            raise CollectError(f"device {target.device_id} is no longer in the inventory")
        state = dict((device.details or {}).get("mikrotik") or {})
        uptime = result.resource.uptime_s
        booted = now - timedelta(seconds=uptime) if uptime is not None else None
        rebooted = p.rebooted(device.uptime_s, uptime, state.get("booted_at"), booted)
        previous = datetime.fromisoformat(state["polled_at"]) if state.get("polled_at") else None
        if rebooted and booted is not None:
            _close_all(session, device.id, booted)
        stats = _save_interfaces(session, device.id, result, now, rebooted)
        values = _samples(session, device.id, result, stats, now) + 2 * len(stats)
        values += _save_sessions(session, device.id, result.sessions, now, previous)
        values += _save_pools(session, device.id, result, now)
        last = p.log_cursor(state.get("log_cursor"), result.logs, rebooted)
        cursor, logged = _save_logs(session, device.id, result.logs, last, now)
        device.identity = result.identity or device.identity
        device.version = result.resource.version or device.version
        device.uptime_s, device.cpu_load = uptime, result.resource.cpu_load
        device.model = device.model or result.resource.board
        state.update(polled_at=now.isoformat(), board=result.resource.board, log_cursor=cursor,
                     booted_at=booted.isoformat() if booted else None)
        extra = {} if result.accounts is None else {"accounts": compare(
            result.accounts, expected_usernames(session, device.id)).as_details(now)}
        device.details = {**(device.details or {}), "mikrotik": state, **extra}
        return values + logged + 4


def _close_all(session: Session, device_id: int, booted: datetime) -> None:
    """A reboot ended every session the router had (at the latest when it booted)."""
    for row in session.scalars(select(SubscriberSession).where(
            SubscriberSession.device_id == device_id, SubscriberSession.ended_at.is_(None))):
        row.ended_at = max(row.last_seen_at, booted)
    session.flush()


def _save_interfaces(session: Session, device_id: int, result: MikrotikPoll, now: datetime,
                     rebooted: bool) -> list[InterfaceStat]:
    """Upsert the router's own (non-dynamic) interfaces with rates from the previous counters."""
    query = select(InterfaceStat).where(InterfaceStat.device_id == device_id)
    stats = {s.name: s for s in session.scalars(query)}
    uptime = result.resource.uptime_s
    touched = []
    for iface in result.interfaces:
        if iface.dynamic:
            continue
        stat = stats.get(iface.name)
        if stat is None:
            stat = InterfaceStat(device_id=device_id, name=iface.name[:64])
            session.add(stat)
        else:
            elapsed = (now - stat.sampled_at).total_seconds()
            span = min(elapsed, float(uptime)) if rebooted and uptime else elapsed
            stat.rx_bps = p.rate_bps(stat.rx_bytes, iface.rx_bytes, span, reset=rebooted)
            stat.tx_bps = p.rate_bps(stat.tx_bytes, iface.tx_bytes, span, reset=rebooted)
        stat.running, stat.rx_bytes, stat.tx_bytes = iface.running, iface.rx_bytes, iface.tx_bytes
        stat.sampled_at = now
        touched.append(stat)
    return touched


def _samples(session: Session, device_id: int, result: MikrotikPoll, stats: list[InterfaceStat],
             now: datetime) -> int:
    """Chart points: cpu, session counts and every own interface's rates."""
    kinds = [s.kind for s in result.sessions]
    points: list[tuple[str, float | None]] = [
        ("cpu_load", result.resource.cpu_load),
        ("ppp_sessions", float(kinds.count(SessionKind.PPP))),
        ("hotspot_sessions", float(kinds.count(SessionKind.HOTSPOT))),
    ]
    for stat in stats:
        points += [(f"rx_bps:{stat.name}"[:32], stat.rx_bps), (f"tx_bps:{stat.name}"[:32], stat.tx_bps)]
    rows = [DeviceSample(device_id=device_id, at=now, metric=metric, value=value)
            for metric, value in points if value is not None]
    session.add_all(rows)
    return len(rows)


def customer_ids(session: Session, usernames: Iterable[str]) -> dict[str, int]:
    """Customers by username (``Customer.username``), looked up in chunks."""
    names = sorted(set(usernames))
    found: dict[str, int] = {}
    for start in range(0, len(names), CHUNK):
        part = names[start:start + CHUNK]
        for name, cid in session.execute(
                select(Customer.username, Customer.id).where(Customer.username.in_(part))):
            if name is not None:
                found[name] = cid
    return found


SessionKey = tuple[str, str, str]


def _restarted(row: SubscriberSession, live: p.ActiveSession) -> bool:
    """The same ``.id`` and user, but a younger session (ids start again after a reboot)."""
    seen_for = (row.last_seen_at - row.started_at).total_seconds()
    return live.uptime_s < seen_for - RESTART_SLACK_S


def _open(session: Session, device_id: int, live: p.ActiveSession, now: datetime,
          customer: int | None) -> SubscriberSession:
    row = SubscriberSession(
        device_id=device_id, kind=live.kind, router_ref=live.ref[:32], username=live.username[:64],
        customer_id=customer, address=live.address, caller_id=live.caller_id[:64] if live.caller_id else None,
        bytes_in=0, bytes_out=0, started_at=now - timedelta(seconds=live.uptime_s), last_seen_at=now)
    session.add(row)
    return row


def _save_sessions(session: Session, device_id: int, sessions: Iterable[p.ActiveSession], now: datetime,
                   previous_poll: datetime | None) -> int:
    """Open new sessions, follow live ones (usage since the last poll), close the vanished ones."""
    open_rows = session.scalars(select(SubscriberSession).where(
        SubscriberSession.device_id == device_id, SubscriberSession.ended_at.is_(None))).all()
    by_key: dict[SessionKey, SubscriberSession] = {(r.kind, r.router_ref, r.username): r for r in open_rows}
    live = list(sessions)
    customers = customer_ids(session, (s.username for s in live))
    usage: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    seen: set[int] = set()
    for s in live:
        row = by_key.get((s.kind, s.ref[:32], s.username[:64]))
        if row is not None and _restarted(row, s):
            row.ended_at, row = row.last_seen_at, None
        fresh = row is None
        if row is None:
            row = _open(session, device_id, s, now, customers.get(s.username))
        seen.add(id(row))
        row.customer_id = row.customer_id or customers.get(s.username)
        grew_in, grew_out = _growth(row, s, fresh=fresh, previous_poll=previous_poll)
        row.bytes_in = row.bytes_in if s.bytes_in is None else s.bytes_in
        row.bytes_out = row.bytes_out if s.bytes_out is None else s.bytes_out
        row.address, row.last_seen_at = s.address or row.address, now
        if row.customer_id is not None:
            usage[row.customer_id][0] += grew_in
            usage[row.customer_id][1] += grew_out
    for row in open_rows:
        if id(row) not in seen and row.ended_at is None:
            row.ended_at = now
    _add_usage(session, usage, now)
    session.flush()
    return len(live)


def _growth(row: SubscriberSession, live: p.ActiveSession, *, fresh: bool,
            previous_poll: datetime | None) -> tuple[int, int]:
    """Bytes a session moved since the previous poll; a session first seen counts from its start only
    when it began after that poll (the first poll of a router is a baseline)."""
    if fresh:
        began_since = previous_poll is not None and row.started_at >= previous_poll - timedelta(seconds=1)
        return (live.bytes_in or 0, live.bytes_out or 0) if began_since else (0, 0)
    grew_in = 0 if live.bytes_in is None else p.counter_delta(row.bytes_in, live.bytes_in)
    grew_out = 0 if live.bytes_out is None else p.counter_delta(row.bytes_out, live.bytes_out)
    return max(0, grew_in), max(0, grew_out)


def _add_usage(session: Session, usage: Mapping[int, list[int]], now: datetime) -> None:
    """Add each customer's bytes to their row of the day (UTC)."""
    usage = {c: v for c, v in usage.items() if v[0] or v[1]}
    if not usage:
        return
    day = now.date()
    rows = {u.customer_id: u for u in session.scalars(select(UsageDaily).where(
        UsageDaily.day == day, UsageDaily.customer_id.in_(list(usage))))}
    for customer, (grew_in, grew_out) in usage.items():
        row = rows.get(customer)
        if row is None:
            session.add(UsageDaily(customer_id=customer, day=day, bytes_in=grew_in, bytes_out=grew_out))
        else:
            row.bytes_in += grew_in
            row.bytes_out += grew_out


def _save_pools(session: Session, device_id: int, result: MikrotikPoll, now: datetime) -> int:
    """The router's pools as they are now (pools gone from the router are removed)."""
    used = result.pool_used
    if used is None:
        used = p.count_used(result.pools, (s.address for s in result.sessions))
    rows = {r.name: r for r in session.scalars(select(IpPool).where(IpPool.device_id == device_id))}
    for pool in result.pools:
        row = rows.pop(pool.name, None)
        if row is None:
            row = IpPool(device_id=device_id, name=pool.name[:64])
            session.add(row)
        row.ranges, row.size, row.used, row.updated_at = pool.ranges, pool.size, used.get(pool.name, 0), now
    for gone in rows.values():
        session.delete(gone)
    return len(result.pools)


def _syslog_live(session: Session, device_id: int, now: datetime) -> bool:
    """Whether the router's syslog reached the receiver lately (then ``/log`` would only repeat it)."""
    seen = session.scalar(select(Device.syslog_seen_at).where(Device.id == device_id))
    return seen is not None and seen >= now - SYSLOG_FRESH


def _save_logs(session: Session, device_id: int, logs: tuple[p.LogEntry, ...] | None, last: int,
               now: datetime) -> tuple[int | None, int]:
    """Store the ``/log`` lines past the cursor; returns the new cursor and how many were stored."""
    if logs is None:
        return (last if last >= 0 else None), 0
    newest = max((e.ref for e in logs), default=-1)
    fresh = [e for e in logs if e.ref > last]
    if not fresh or _syslog_live(session, device_id, now):
        return max(newest, last), 0
    parsed = [(e, logparse.parse_message(e.message)) for e in fresh]
    customers = customer_ids(session, (u for _, entry in parsed if (u := logparse.username_of(entry))))
    tables: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e, entry in parsed:
        user = logparse.username_of(entry)
        ctx = logparse.LogContext(at=e.at, device_id=device_id, customer_id=customers.get(user or ""))
        model, row = logparse.to_row(entry, e.topics, e.message, ctx)
        tables[model].append(row)
    conn = session.connection()
    for model, rows in tables.items():
        bulk_insert(conn, model, rows)
    return max(newest, last), len(fresh)
