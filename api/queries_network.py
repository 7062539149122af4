"""Read side of the network and monitoring routes over the collector tables (the collectors write them).

A list is its page of rows plus at most one query per page for what hangs off them, never one per row.
Device secrets (``password_enc``, ``snmp_community_enc``) are never loaded. ``operator_id`` narrows
customer-linked rows (ONUs) to that operator's customers; another operator's ONU is a 404 like a
missing one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session, defer

from api.filters import (
    CheckFilter,
    CheckState,
    DeviceFilter,
    OnuFilter,
    PoolFilter,
    ProblemFilter,
    ProblemState,
    RadioFilter,
    ZabbixHostFilter,
)
from api.schemas.common import as_id
from billing.errors import NotFound, ValidationError
from billing.models import Customer
from collectors.enums import DeviceKind, OnuStatus, SessionKind, Vendor
from collectors.models import (
    Device,
    DeviceSample,
    InterfaceStat,
    IpPool,
    Onu,
    OnuOpticsSample,
    PonPort,
    RadioStation,
    StatusCheck,
    SubscriberSession,
    ZabbixHost,
    ZabbixProblem,
)
from store.paging import Page, paginate

U = TypeVar("U")
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")
MAX_WINDOW = timedelta(days=31)
MAX_POINTS = 20_000


@dataclass(frozen=True)
class RouterRow:
    """A router and its active sessions by kind."""

    device: Device
    sessions: dict[SessionKind, int]


@dataclass(frozen=True)
class RouterView:
    """One router with its interfaces, pools and active sessions."""

    device: Device
    interfaces: list[InterfaceStat]
    pools: list[IpPool]
    sessions: dict[SessionKind, int]


@dataclass(frozen=True)
class OltRow:
    """An OLT and its PON ports' and ONUs' counts."""

    device: Device
    pon_ports: int
    onus_total: int
    onus_online: int
    onus_low_optics: int


@dataclass(frozen=True)
class RadioRow:
    """A radio and the links it sees."""

    device: Device
    stations: list[RadioStation]


@dataclass(frozen=True)
class OnuView:
    """One ONU with its recent optical levels."""

    onu: Onu
    optics: list[OnuOpticsSample]


@dataclass(frozen=True)
class HostRow:
    """A Zabbix host and how many problems it has open."""

    host: ZabbixHost
    open_problems: int


@dataclass(frozen=True)
class ProblemRow:
    """A Zabbix problem with the host it is on (name and our device, when known)."""

    problem: ZabbixProblem
    host_name: str | None
    device_id: int | None


@dataclass(frozen=True)
class SampleSet:
    """A device's samples by metric, oldest first; ``truncated`` past MAX_POINTS."""

    series: dict[str, list[DeviceSample]]
    truncated: bool


def where(stmt: S, *conditions: ColumnElement[bool] | None) -> S:
    """``stmt`` narrowed by every condition that is not None (a filter left out)."""
    return stmt.where(*(c for c in conditions if c is not None))


def eq(column: Any, value: object) -> ColumnElement[bool] | None:
    return None if value is None else column == value


def search(q: str | None, *columns: Any) -> ColumnElement[bool] | None:
    """Any of ``columns`` containing ``q`` (case-insensitive, ``%`` and ``_`` taken literally)."""
    return None if not q else or_(*(c.icontains(q, autoescape=True) for c in columns))


def between(column: Any, start: datetime | None, end: datetime | None) -> ColumnElement[bool] | None:
    """``column`` from ``start`` to ``end`` inclusive (either end open when None)."""
    conds = ([] if start is None else [column >= start]) + ([] if end is None else [column <= end])
    return and_(*conds) if conds else None


def device_id(session: Session, ref: str) -> int:
    """The id of the device numbered or named ``ref``; a 422 naming ``device`` when there is none."""
    number = as_id(ref)
    found = session.scalar(select(Device.id).where(Device.id == number if number else Device.name == ref))
    if found is None:
        raise ValidationError(f"no device {ref!r}", field="device")
    return found


def on_device(session: Session, column: Any, ref: str | None) -> ColumnElement[bool] | None:
    return None if ref is None else column == device_id(session, ref)


def own_customers(column: Any, operator_id: int | None) -> ColumnElement[bool] | None:
    """Rows linked to one of the operator's customers (none when unscoped: every row)."""
    if operator_id is None:
        return None
    return column.in_(select(Customer.id).where(Customer.operator_id == operator_id))  # type: ignore[no-any-return]


def with_items(page: Page[Any], items: list[U]) -> Page[U]:
    return Page(items=items, page=page.page, per_page=page.per_page, total=page.total)


def _devices() -> Select[Device]:
    return select(Device).options(defer(Device.password_enc, raiseload=True),
                                  defer(Device.snmp_community_enc, raiseload=True))


def list_devices(session: Session, flt: DeviceFilter, *, kind: DeviceKind | None, page: int,
                 per_page: int) -> Page[Device]:
    """Devices by name, optionally of one kind."""
    stmt = where(_devices(), eq(Device.kind, kind), eq(Device.status, flt.status),
                 eq(Device.vendor, flt.vendor), eq(Device.site, flt.site),
                 search(flt.q, Device.name, Device.host, Device.identity, Device.model))
    return paginate(session, stmt.order_by(Device.name), page=page, per_page=per_page)


def _sessions(session: Session, ids: Iterable[int]) -> dict[int, dict[SessionKind, int]]:
    counts: dict[int, dict[SessionKind, int]] = defaultdict(lambda: dict.fromkeys(SessionKind, 0))
    stmt = (select(SubscriberSession.device_id, SubscriberSession.kind, func.count())
            .where(SubscriberSession.device_id.in_(list(ids)), SubscriberSession.ended_at.is_(None))
            .group_by(SubscriberSession.device_id, SubscriberSession.kind))
    for device, kind, n in session.execute(stmt):
        counts[device][SessionKind(kind)] = int(n)
    return counts


def list_routers(session: Session, flt: DeviceFilter, *, page: int, per_page: int) -> Page[RouterRow]:
    """Routers by name with their active PPP and hotspot sessions."""
    devices = list_devices(session, flt, kind=DeviceKind.ROUTER, page=page, per_page=per_page)
    counts = _sessions(session, (d.id for d in devices.items)) if devices.items else {}
    zero = dict.fromkeys(SessionKind, 0)
    return with_items(devices, [RouterRow(d, counts.get(d.id, zero)) for d in devices.items])


def _device(session: Session, device_pk: int, kind: DeviceKind | None, what: str) -> Device:
    found = session.scalars(where(_devices(), Device.id == device_pk, eq(Device.kind, kind))).first()
    if found is None:
        raise NotFound(f"{what} not found", field="id")
    return found


def get_router(session: Session, router_id: int) -> RouterView:
    """One router with its interfaces, IP pools and active sessions."""
    device = _device(session, router_id, DeviceKind.ROUTER, "router")
    interfaces = session.scalars(select(InterfaceStat).where(InterfaceStat.device_id == router_id)
                                 .order_by(InterfaceStat.name))
    pools = session.scalars(select(IpPool).where(IpPool.device_id == router_id).order_by(IpPool.name))
    counts = _sessions(session, [router_id]).get(router_id, dict.fromkeys(SessionKind, 0))
    return RouterView(device, list(interfaces), list(pools), counts)


def _onu_counts(session: Session, ids: list[int], low_dbm: float) -> dict[int, tuple[int, int, int]]:
    online = func.sum(case((Onu.status == OnuStatus.ONLINE, 1), else_=0))
    low = func.sum(case((Onu.rx_dbm < low_dbm, 1), else_=0))
    stmt = select(Onu.olt_id, func.count(), online, low).where(Onu.olt_id.in_(ids)).group_by(Onu.olt_id)
    return {olt: (int(n), int(up or 0), int(weak or 0)) for olt, n, up, weak in session.execute(stmt)}


def list_olts(session: Session, flt: DeviceFilter, *, low_dbm: float, page: int,
              per_page: int) -> Page[OltRow]:
    """OLTs by name with their PON ports and ONUs counted (online, below ``low_dbm``)."""
    devices = list_devices(session, flt, kind=DeviceKind.OLT, page=page, per_page=per_page)
    ids = [d.id for d in devices.items]
    if not ids:
        return with_items(devices, [])
    ports = {olt: int(n) for olt, n in session.execute(
        select(PonPort.olt_id, func.count()).where(PonPort.olt_id.in_(ids)).group_by(PonPort.olt_id))}
    onus = _onu_counts(session, ids, low_dbm)
    return with_items(devices, [OltRow(d, ports.get(d.id, 0), *onus.get(d.id, (0, 0, 0)))
                                for d in devices.items])


def list_radios(session: Session, flt: RadioFilter, *, vendor: Vendor, page: int,
                per_page: int) -> Page[RadioRow]:
    """One vendor's radios by name with the links each sees (strongest first)."""
    devices = list_devices(session, DeviceFilter(status=flt.status, vendor=vendor, site=flt.site, q=flt.q),
                           kind=DeviceKind.RADIO, page=page, per_page=per_page)
    stations: dict[int, list[RadioStation]] = defaultdict(list)
    if devices.items:
        stmt = (select(RadioStation).where(RadioStation.device_id.in_([d.id for d in devices.items]))
                .order_by(RadioStation.device_id, RadioStation.signal_dbm.desc(), RadioStation.mac))
        for station in session.scalars(stmt):
            stations[station.device_id].append(station)
    return with_items(devices, [RadioRow(d, stations.get(d.id, [])) for d in devices.items])


def _onus(operator_id: int | None) -> Select[Onu]:
    return where(select(Onu), own_customers(Onu.customer_id, operator_id))


def list_onus(session: Session, flt: OnuFilter, *, operator_id: int | None, page: int,
              per_page: int) -> Page[Onu]:
    """ONUs by OLT, PON port and index."""
    stmt = where(_onus(operator_id), on_device(session, Onu.olt_id, flt.device), eq(Onu.status, flt.status),
                 eq(Onu.pon, flt.pon), eq(Onu.customer_id, flt.customer_id),
                 None if flt.rx_below is None else Onu.rx_dbm < flt.rx_below,
                 search(flt.q, Onu.serial, Onu.mac, Onu.description))
    return paginate(session, stmt.order_by(Onu.olt_id, Onu.pon, Onu.onu_index), page=page, per_page=per_page)


def _onu(session: Session, onu_id: int, operator_id: int | None) -> Onu:
    found = session.scalars(_onus(operator_id).where(Onu.id == onu_id)).first()
    if found is None:
        raise NotFound("onu not found", field="id")
    return found


def _window(start: datetime, end: datetime) -> None:
    if end - start > MAX_WINDOW:
        raise ValidationError(f"at most {MAX_WINDOW.days} days from `from` to `to`", field="from")


def onu_optics(session: Session, onu_id: int, *, operator_id: int | None, start: datetime,
               end: datetime) -> list[OnuOpticsSample]:
    """An ONU's optical levels from ``start`` to ``end``, oldest first (at most 31 days)."""
    _window(start, end)
    _onu(session, onu_id, operator_id)
    stmt = (select(OnuOpticsSample).where(OnuOpticsSample.onu_id == onu_id, OnuOpticsSample.at >= start,
                                          OnuOpticsSample.at <= end)
            .order_by(OnuOpticsSample.at).limit(MAX_POINTS))
    return list(session.scalars(stmt))


def get_onu(session: Session, onu_id: int, *, operator_id: int | None, since: datetime) -> OnuView:
    """One ONU with its optical levels since ``since``."""
    onu = _onu(session, onu_id, operator_id)
    stmt = (select(OnuOpticsSample).where(OnuOpticsSample.onu_id == onu_id, OnuOpticsSample.at >= since)
            .order_by(OnuOpticsSample.at).limit(MAX_POINTS))
    return OnuView(onu, list(session.scalars(stmt)))


def list_pools(session: Session, flt: PoolFilter, *, page: int, per_page: int) -> Page[IpPool]:
    """IP pools by router and name."""
    stmt = where(select(IpPool), on_device(session, IpPool.device_id, flt.device),
                 search(flt.q, IpPool.name, IpPool.ranges))
    return paginate(session, stmt.order_by(IpPool.device_id, IpPool.name), page=page, per_page=per_page)


def list_zabbix_hosts(session: Session, flt: ZabbixHostFilter, *, page: int, per_page: int) -> Page[HostRow]:
    """Zabbix hosts by name with their open problems counted."""
    stmt = where(select(ZabbixHost), eq(ZabbixHost.available, flt.available),
                 on_device(session, ZabbixHost.device_id, flt.device),
                 search(flt.q, ZabbixHost.host, ZabbixHost.name, ZabbixHost.ip))
    hosts = paginate(session, stmt.order_by(ZabbixHost.name, ZabbixHost.id), page=page, per_page=per_page)
    if not hosts.items:
        return with_items(hosts, [])
    count = (select(ZabbixProblem.server_id, ZabbixProblem.hostid, func.count())
             .where(ZabbixProblem.resolved_at.is_(None),
                    ZabbixProblem.server_id.in_({h.server_id for h in hosts.items}),
                    ZabbixProblem.hostid.in_({h.hostid for h in hosts.items}))
             .group_by(ZabbixProblem.server_id, ZabbixProblem.hostid))
    open_ = {(server, hostid): int(n) for server, hostid, n in session.execute(count)}
    return with_items(hosts, [HostRow(h, open_.get((h.server_id, h.hostid), 0)) for h in hosts.items])


def _problem_state(state: ProblemState) -> ColumnElement[bool] | None:
    if state is ProblemState.ALL:
        return None
    resolved = ZabbixProblem.resolved_at
    return resolved.is_(None) if state is ProblemState.OPEN else resolved.isnot(None)


def list_problems(session: Session, flt: ProblemFilter, *, page: int, per_page: int) -> Page[ProblemRow]:
    """Zabbix problems, worst and newest first (open ones unless told otherwise)."""
    host = and_(ZabbixHost.server_id == ZabbixProblem.server_id, ZabbixHost.hostid == ZabbixProblem.hostid)
    stmt = where(select(ZabbixProblem, ZabbixHost.name, ZabbixHost.device_id).outerjoin(ZabbixHost, host),
                 _problem_state(flt.status), eq(ZabbixProblem.severity, flt.severity and flt.severity.level),
                 None if flt.min_severity is None else ZabbixProblem.severity >= flt.min_severity.level,
                 eq(ZabbixProblem.acknowledged, flt.acknowledged),
                 on_device(session, ZabbixHost.device_id, flt.device),
                 between(ZabbixProblem.started_at, flt.start, flt.end), search(flt.q, ZabbixProblem.name))
    stmt = stmt.order_by(ZabbixProblem.severity.desc(), ZabbixProblem.started_at.desc(),
                         ZabbixProblem.id.desc())
    rows = paginate(session, stmt, page=page, per_page=per_page)
    return with_items(rows, [ProblemRow(p, name, dev) for p, name, dev in rows.items])


def _check_state(state: CheckState | None) -> ColumnElement[bool] | None:
    if state is None:
        return None
    up = StatusCheck.up
    return up.is_(None) if state is CheckState.UNKNOWN else up.is_(state is CheckState.UP)


def list_checks(session: Session, flt: CheckFilter, *, page: int, per_page: int) -> Page[StatusCheck]:
    """Infrastructure status checks by name."""
    stmt = where(select(StatusCheck), _check_state(flt.status), eq(StatusCheck.kind, flt.kind),
                 on_device(session, StatusCheck.device_id, flt.device),
                 search(flt.q, StatusCheck.name, StatusCheck.target))
    return paginate(session, stmt.order_by(StatusCheck.name), page=page, per_page=per_page)


def device_samples(session: Session, device_pk: int, *, metric: str | None, start: datetime,
                   end: datetime) -> SampleSet:
    """A device's samples from ``start`` to ``end`` (at most 31 days), by metric, oldest first."""
    _window(start, end)
    _device(session, device_pk, None, "device")
    stmt = where(select(DeviceSample), DeviceSample.device_id == device_pk, eq(DeviceSample.metric, metric),
                 DeviceSample.at >= start, DeviceSample.at <= end)
    rows = list(session.scalars(stmt.order_by(DeviceSample.at, DeviceSample.id).limit(MAX_POINTS + 1)))
    series: dict[str, list[DeviceSample]] = defaultdict(list)
    for row in rows[:MAX_POINTS]:
        series[row.metric].append(row)
    return SampleSet(dict(sorted(series.items())), truncated=len(rows) > MAX_POINTS)
