"""Read side of the dashboard's network pages: the overview numbers, devices and ONUs with history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from billing.errors import NotFound
from billing.models import Customer, SuspensionRun
from collectors.enums import DeviceStatus, OnuStatus
from collectors.models import (
    CollectionRun,
    Device,
    DeviceSample,
    InterfaceStat,
    Onu,
    OnuOpticsSample,
    PonPort,
    RadioStation,
    SubscriberSession,
    ZabbixProblem,
)
from store.paging import Page, paginate

SEVERITIES = ("not classified", "information", "warning", "average", "high", "disaster")
HISTORY = timedelta(days=2)
MAX_POINTS = 2_000


@dataclass(frozen=True)
class FamilyToday:
    """One collector family's cycles since midnight (UTC)."""

    family: str
    cycles: int
    failed: int
    last_started_at: datetime | None
    last_duration_s: float | None


@dataclass(frozen=True)
class Overview:
    """The numbers on the NOC overview."""

    devices: dict[str, int]
    onus_offline: int
    onus_low_optics: int
    sessions: dict[str, int]
    problems: dict[str, int]
    last_run: SuspensionRun | None
    collections: list[FamilyToday] = field(default_factory=list)


def _grouped(session: Session, stmt: Select[Any, int]) -> dict[str, int]:
    return {str(key): int(n) for key, n in session.execute(stmt)}


def low_optics(threshold: float) -> Any:
    """ONUs whose received level is below ``threshold`` dBm."""
    return Onu.rx_dbm < threshold


def _collections(session: Session, since: datetime) -> list[FamilyToday]:
    stmt = (select(CollectionRun.family, func.count(), func.sum(CollectionRun.failed),
                   func.max(CollectionRun.id))
            .where(CollectionRun.started_at >= since).group_by(CollectionRun.family)
            .order_by(CollectionRun.family))
    rows = session.execute(stmt).all()
    last = {r.id: r for r in session.scalars(select(CollectionRun).where(
        CollectionRun.id.in_([row[3] for row in rows])))}
    out = []
    for family, cycles, failed, last_id in rows:
        run = last[last_id]
        duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
        out.append(FamilyToday(str(family), int(cycles), int(failed or 0), run.started_at, duration))
    return out


def overview(session: Session, *, now: datetime, low_optics_dbm: float) -> Overview:
    """The overview at ``now``: device and ONU health, sessions, problems, runs."""
    devices = {s.value: 0 for s in DeviceStatus}
    devices |= _grouped(session, select(Device.status, func.count()).where(Device.enabled.is_(True))
                        .group_by(Device.status))
    onus_offline = session.scalar(select(func.count()).where(Onu.status == OnuStatus.OFFLINE)) or 0
    onus_low = session.scalar(select(func.count()).where(low_optics(low_optics_dbm))) or 0
    sessions = _grouped(session, select(SubscriberSession.kind, func.count())
                        .where(SubscriberSession.ended_at.is_(None)).group_by(SubscriberSession.kind))
    by_level = _grouped(session, select(ZabbixProblem.severity, func.count())
                        .where(ZabbixProblem.resolved_at.is_(None)).group_by(ZabbixProblem.severity))
    problems = {name: by_level.get(str(level), 0) for level, name in enumerate(SEVERITIES)}
    last_run = session.scalars(select(SuspensionRun).order_by(SuspensionRun.started_at.desc())
                               .limit(1)).first()
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    return Overview(devices=devices, onus_offline=int(onus_offline), onus_low_optics=int(onus_low),
                    sessions=sessions, problems=problems, last_run=last_run,
                    collections=_collections(session, midnight))


@dataclass(frozen=True)
class DeviceFilter:
    """What the device list is narrowed to."""

    kind: str | None = None
    status: str | None = None
    q: str | None = None


def list_devices(session: Session, filters: DeviceFilter, *, page: int, per_page: int = 50) -> Page[Device]:
    """Devices by name, narrowed by kind, status and a search over name, host and site."""
    stmt = select(Device).order_by(Device.name)
    if filters.kind:
        stmt = stmt.where(Device.kind == filters.kind)
    if filters.status:
        stmt = stmt.where(Device.status == filters.status)
    if filters.q:
        like = f"%{filters.q}%"
        stmt = stmt.where(or_(Device.name.ilike(like), Device.host.ilike(like), Device.site.ilike(like)))
    return paginate(session, stmt, page=page, per_page=per_page)


@dataclass(frozen=True)
class DeviceDetail:
    """One device with what hangs off it and its recent samples by metric."""

    device: Device
    interfaces: list[InterfaceStat]
    stations: list[RadioStation]
    pon_ports: list[PonPort]
    samples: dict[str, list[tuple[datetime, float]]]


def get_device(session: Session, device_id: int, *, now: datetime) -> DeviceDetail:
    """A device page's data (samples of the last two days)."""
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound("device not found", field="id")
    interfaces = session.scalars(select(InterfaceStat).where(InterfaceStat.device_id == device_id)
                                 .order_by(InterfaceStat.name)).all()
    stations = session.scalars(select(RadioStation).where(RadioStation.device_id == device_id)
                               .order_by(RadioStation.signal_dbm)).all()
    ports = session.scalars(select(PonPort).where(PonPort.olt_id == device_id).order_by(PonPort.name)).all()
    stmt = (select(DeviceSample.metric, DeviceSample.at, DeviceSample.value)
            .where(DeviceSample.device_id == device_id, DeviceSample.at >= now - HISTORY)
            .order_by(DeviceSample.at.desc()).limit(MAX_POINTS))
    samples: dict[str, list[tuple[datetime, float]]] = {}
    for metric, at, value in reversed(session.execute(stmt).all()):
        samples.setdefault(metric, []).append((at, value))
    return DeviceDetail(device, list(interfaces), list(stations), list(ports), samples)


@dataclass(frozen=True)
class OnuFilter:
    """What the ONU list is narrowed to."""

    status: str | None = None
    olt_id: int | None = None
    low_optics: bool = False
    q: str | None = None


def list_onus(session: Session, filters: OnuFilter, *, low_optics_dbm: float, page: int,
              per_page: int = 50) -> Page[tuple[Onu, str]]:
    """ONUs with their OLT's name, weakest signal first when narrowed to low optics."""
    stmt = select(Onu, Device.name).join(Device, Device.id == Onu.olt_id)
    if filters.status:
        stmt = stmt.where(Onu.status == filters.status)
    if filters.olt_id is not None:
        stmt = stmt.where(Onu.olt_id == filters.olt_id)
    if filters.low_optics:
        stmt = stmt.where(low_optics(low_optics_dbm))
    if filters.q:
        like = f"%{filters.q}%"
        stmt = stmt.where(or_(Onu.serial.ilike(like), Onu.description.ilike(like), Onu.mac.ilike(like)))
    order = (Onu.rx_dbm, Onu.id) if filters.low_optics else (Device.name, Onu.pon, Onu.onu_index)
    return paginate(session, stmt.order_by(*order), page=page, per_page=per_page)


def olts(session: Session) -> list[tuple[int, str]]:
    """Devices that have ONUs, for the ONU filter."""
    stmt = select(Device.id, Device.name).where(Device.id.in_(select(Onu.olt_id).distinct()))
    return [(int(i), str(n)) for i, n in session.execute(stmt.order_by(Device.name))]


@dataclass(frozen=True)
class OnuDetail:
    """One ONU, its OLT, its customer and its optics history."""

    onu: Onu
    olt: Device
    customer: Customer | None
    optics: list[OnuOpticsSample]


def get_onu(session: Session, onu_id: int, *, now: datetime) -> OnuDetail:
    """An ONU page's data (optics of the last two days)."""
    onu = session.get(Onu, onu_id)
    if onu is None:
        raise NotFound("onu not found", field="id")
    olt = session.get(Device, onu.olt_id)
    assert olt is not None
    customer = session.get(Customer, onu.customer_id) if onu.customer_id else None
    optics = session.scalars(select(OnuOpticsSample).where(
        OnuOpticsSample.onu_id == onu_id, OnuOpticsSample.at >= now - HISTORY)
        .order_by(OnuOpticsSample.at.desc()).limit(MAX_POINTS)).all()
    return OnuDetail(onu, olt, customer, list(reversed(optics)))
