"""Monitoring shapes (both versions): Zabbix hosts and problems, status checks, device samples, the
NOC dashboard."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.filters import SEVERITIES
from api.noc import NocSummary
from api.queries_network import HostRow, ProblemRow, SampleSet
from api.schemas.common import Amount, UtcTime
from billing.models import SuspensionRun
from collectors.models import DeviceSample, StatusCheck


class ZabbixHostRead(BaseModel):
    """A host Zabbix monitors, linked to our device when known, with its open problems counted."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 14, "server_id": 2, "hostid": "10084", "host": "core-rt1", "name": "Core router 1",
        "ip": "10.0.0.1", "available": True, "groups": ["Routers", "Dhaka"], "device_id": 3,
        "open_problems": 1, "updated_at": "2026-05-15T11:59:00Z"}]})

    id: int
    server_id: int
    hostid: str
    host: str
    name: str
    ip: str | None
    available: bool | None
    groups: list[str]
    device_id: int | None
    open_problems: int
    updated_at: UtcTime

    @classmethod
    def of(cls, r: HostRow) -> ZabbixHostRead:
        h = r.host
        return cls(id=h.id, server_id=h.server_id, hostid=h.hostid, host=h.host, name=h.name, ip=h.ip,
                   available=h.available, groups=list(h.groups or []), device_id=h.device_id,
                   open_problems=r.open_problems, updated_at=h.updated_at)


def severity_name(level: int) -> str:
    """Zabbix's name for a severity number (out-of-range numbers are clamped)."""
    return SEVERITIES[min(max(level, 0), len(SEVERITIES) - 1)]


class ProblemRead(BaseModel):
    """A Zabbix problem (``resolved_at`` null while it is open)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 501, "server_id": 2, "eventid": "88123", "triggerid": "23001", "hostid": "10084",
        "host": "Core router 1", "device_id": 3, "name": "High CPU utilization (over 90% for 5m)",
        "severity": 4, "severity_name": "high", "acknowledged": False,
        "tags": [{"tag": "scope", "value": "performance"}], "started_at": "2026-05-15T11:40:00Z",
        "resolved_at": None}]})

    id: int
    server_id: int
    eventid: str
    triggerid: str
    hostid: str | None
    host: str | None
    device_id: int | None
    name: str
    severity: int
    severity_name: str
    acknowledged: bool
    tags: list[dict[str, str]]
    started_at: UtcTime
    resolved_at: UtcTime | None

    @classmethod
    def of(cls, r: ProblemRow) -> ProblemRead:
        p = r.problem
        return cls(id=p.id, server_id=p.server_id, eventid=p.eventid, triggerid=p.triggerid, hostid=p.hostid,
                   host=r.host_name, device_id=r.device_id, name=p.name, severity=p.severity,
                   severity_name=severity_name(p.severity), acknowledged=p.acknowledged,
                   tags=list(p.tags or []), started_at=p.started_at, resolved_at=p.resolved_at)


class CheckRead(BaseModel):
    """An infrastructure check and its last result (``status`` unknown until it first ran)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 4, "name": "upstream-gw ping", "kind": "icmp", "target": "203.0.113.1", "port": None,
        "device_id": None, "status": "up", "latency_ms": 3.2, "last_error": None,
        "checked_at": "2026-05-15T11:59:30Z"}]})

    id: int
    name: str
    kind: str
    target: str
    port: int | None
    device_id: int | None
    status: str
    latency_ms: float | None
    last_error: str | None
    checked_at: UtcTime | None

    @classmethod
    def of(cls, c: StatusCheck) -> CheckRead:
        status = "unknown" if c.up is None else ("up" if c.up else "down")
        return cls(id=c.id, name=c.name, kind=c.kind.value, target=c.target, port=c.port,
                   device_id=c.device_id, status=status, latency_ms=c.latency_ms, last_error=c.last_error,
                   checked_at=c.checked_at)


class SamplePoint(BaseModel):
    """One value at one time."""

    at: UtcTime
    value: float


class Series(BaseModel):
    """One metric's values, oldest first."""

    metric: str
    points: list[SamplePoint]


class SamplesRead(BaseModel):
    """A device's chart data over a period, by metric (``truncated`` past 20,000 points: narrow it)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "device_id": 3, "from": "2026-05-14T12:00:00Z", "to": "2026-05-15T12:00:00Z", "truncated": False,
        "series": [{"metric": "cpu", "points": [{"at": "2026-05-15T11:55:00Z", "value": 12.5}]}]}]})

    device_id: int
    start: UtcTime = Field(serialization_alias="from")
    end: UtcTime = Field(serialization_alias="to")
    truncated: bool
    series: list[Series]

    @classmethod
    def of(cls, device_id: int, start: datetime, end: datetime, samples: SampleSet) -> SamplesRead:
        def points(rows: list[DeviceSample]) -> list[SamplePoint]:
            return [SamplePoint(at=r.at, value=r.value) for r in rows]

        series = [Series(metric=m, points=points(rows)) for m, rows in samples.series.items()]
        return cls(device_id=device_id, start=start, end=end, truncated=samples.truncated, series=series)


class RunRead(BaseModel):
    """An auto-suspension run: when, how it ended and what it did."""

    id: int
    started_at: UtcTime
    finished_at: UtcTime | None
    status: str
    trigger: str
    suspended: int
    reactivated: int
    applied: int
    failed: int
    error: str | None

    @classmethod
    def of(cls, r: SuspensionRun) -> RunRead:
        return cls(id=r.id, started_at=r.started_at, finished_at=r.finished_at, status=r.status.value,
                   trigger=r.trigger, suspended=r.suspended, reactivated=r.reactivated, applied=r.applied,
                   failed=r.failed, error=r.error)


class OnuSummary(BaseModel):
    """ONUs in total, online, offline, and receiving below ``low_optics_dbm``."""

    total: int
    online: int
    offline: int
    low_optics: int
    low_optics_dbm: float


class CollectionsToday(BaseModel):
    """Completed payments received today (UTC)."""

    amount: Amount
    count: int


class NocDashboardRead(BaseModel):
    """What the NOC looks at first: devices by kind and state, ONUs, sessions, problems, suspension, money."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "devices": {"router": {"up": 11, "down": 1, "unknown": 0}, "olt": {"up": 6, "down": 0, "unknown": 0},
                    "radio": {"up": 40, "down": 3, "unknown": 2},
                    "zabbix": {"up": 1, "down": 0, "unknown": 0}},
        "onus": {"total": 3120, "online": 3010, "offline": 110, "low_optics": 42, "low_optics_dbm": -27.0},
        "active_sessions": {"ppp": 2811, "hotspot": 190},
        "zabbix_problems": {"not_classified": 0, "information": 2, "warning": 7, "average": 3, "high": 1,
                            "disaster": 0},
        "last_suspension_run": {"id": 88, "started_at": "2026-05-15T11:45:00Z",
                                "finished_at": "2026-05-15T11:45:04Z", "status": "completed",
                                "trigger": "cli", "suspended": 12, "reactivated": 3, "applied": 15,
                                "failed": 0, "error": None},
        "collections_today": {"amount": 48500, "count": 37}}]})

    devices: dict[str, dict[str, int]]
    onus: OnuSummary
    active_sessions: dict[str, int]
    zabbix_problems: dict[str, int]
    last_suspension_run: RunRead | None
    collections_today: CollectionsToday

    @classmethod
    def of(cls, s: NocSummary) -> NocDashboardRead:
        o = s.onus
        run = RunRead.of(s.last_suspension_run) if s.last_suspension_run is not None else None
        return cls(devices=s.devices, active_sessions=s.sessions, zabbix_problems=s.problems,
                   onus=OnuSummary(total=o.total, online=o.online, offline=o.offline, low_optics=o.low_optics,
                                   low_optics_dbm=o.low_optics_dbm),
                   last_suspension_run=run,
                   collections_today=CollectionsToday(amount=s.payments_today, count=s.payments_today_count))
