"""Network shapes (both versions): devices, routers, OLTs, radios, ONUs, IP pools, sessions.

A device is read without its secrets: ``password_enc`` and ``snmp_community_enc`` are not even loaded."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from api.queries_network import OltRow, OnuView, RadioRow, RouterRow, RouterView
from api.schemas.common import UtcTime
from collectors.enums import SessionKind
from collectors.models import (
    Device,
    InterfaceStat,
    IpPool,
    Onu,
    OnuOpticsSample,
    RadioStation,
    SubscriberSession,
)

DEVICE_EXAMPLE: dict[str, JsonValue] = {
    "id": 3, "name": "core-rt1", "kind": "router", "vendor": "mikrotik", "model": "CCR2004-1G-12S+2XS",
    "site": "Dhanmondi POP", "host": "10.0.0.1", "enabled": True, "status": "up", "identity": "core-rt1",
    "version": "7.18", "uptime_s": 864000, "cpu_load": 12.5, "last_polled_at": "2026-05-15T11:59:00Z",
    "last_success_at": "2026-05-15T11:59:00Z", "last_error": None, "consecutive_failures": 0}


class DeviceRead(BaseModel):
    """A device and its health as the collectors last saw it (no credentials)."""

    model_config = ConfigDict(json_schema_extra={"examples": [DEVICE_EXAMPLE]})

    id: int
    name: str
    kind: str
    vendor: str
    model: str | None
    site: str | None
    host: str
    enabled: bool
    status: str
    identity: str | None
    version: str | None
    uptime_s: int | None
    cpu_load: float | None
    last_polled_at: UtcTime | None
    last_success_at: UtcTime | None
    last_error: str | None
    consecutive_failures: int

    @classmethod
    def fields_of(cls, d: Device) -> dict[str, object]:
        """The shared device fields, for the shapes that extend this one."""
        return dict(id=d.id, name=d.name, kind=d.kind.value, vendor=d.vendor.value, model=d.model,
                    site=d.site, host=d.host, enabled=d.enabled, status=d.status.value, identity=d.identity,
                    version=d.version, uptime_s=d.uptime_s, cpu_load=d.cpu_load,
                    last_polled_at=d.last_polled_at, last_success_at=d.last_success_at,
                    last_error=d.last_error, consecutive_failures=d.consecutive_failures or 0)

    @classmethod
    def of(cls, d: Device) -> DeviceRead:
        return cls.model_validate(cls.fields_of(d))


class SessionCounts(BaseModel):
    """Active subscriber sessions by kind."""

    ppp: int
    hotspot: int

    @classmethod
    def of(cls, counts: dict[SessionKind, int]) -> SessionCounts:
        return cls(ppp=counts.get(SessionKind.PPP, 0), hotspot=counts.get(SessionKind.HOTSPOT, 0))


class RouterRead(DeviceRead):
    """A router with its active PPP and hotspot sessions."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        DEVICE_EXAMPLE | {"active_sessions": {"ppp": 412, "hotspot": 37}}]})

    active_sessions: SessionCounts

    @classmethod
    def of(cls, r: RouterRow) -> RouterRead:  # type: ignore[override]
        return cls.model_validate(cls.fields_of(r.device) | {"active_sessions": SessionCounts.of(r.sessions)})


class InterfaceRead(BaseModel):
    """An interface's last counters and rates."""

    name: str
    running: bool | None
    rx_bytes: int
    tx_bytes: int
    rx_bps: float | None
    tx_bps: float | None
    sampled_at: UtcTime

    @classmethod
    def of(cls, i: InterfaceStat) -> InterfaceRead:
        return cls(name=i.name, running=i.running, rx_bytes=i.rx_bytes, tx_bytes=i.tx_bytes, rx_bps=i.rx_bps,
                   tx_bps=i.tx_bps, sampled_at=i.sampled_at)


class PoolRead(BaseModel):
    """An address pool on a router and how much of it is used."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 7, "device_id": 3, "name": "pppoe-pool", "ranges": "100.64.0.2-100.64.3.254", "size": 1021,
        "used": 412, "free": 609, "used_pct": 40.4, "updated_at": "2026-05-15T11:59:00Z"}]})

    id: int
    device_id: int
    name: str
    ranges: str
    size: int
    used: int
    free: int
    used_pct: float | None
    updated_at: UtcTime

    @classmethod
    def of(cls, p: IpPool) -> PoolRead:
        pct = round(100 * p.used / p.size, 1) if p.size else None
        return cls(id=p.id, device_id=p.device_id, name=p.name, ranges=p.ranges, size=p.size, used=p.used,
                   free=max(p.size - p.used, 0), used_pct=pct, updated_at=p.updated_at)


class AccountDriftRead(BaseModel):
    """Subscriber accounts on the router that no customer has, and customers the router lacks
    (the counts are complete, the names the first few), as of the last poll."""

    total: int
    unknown_on_router_count: int
    unknown_on_router: list[str]
    missing_on_router_count: int
    missing_on_router: list[str]
    checked_at: datetime

    @classmethod
    def of(cls, details: Mapping[str, Any] | None) -> AccountDriftRead | None:
        drift = (details or {}).get("accounts")
        return cls.model_validate(drift) if drift else None


class RouterDetail(RouterRead):
    """One router: its management username (never a secret), interfaces and IP pools."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        DEVICE_EXAMPLE | {"active_sessions": {"ppp": 412, "hotspot": 37}, "username": "ispnoc",
                          "interfaces": [{"name": "sfp-sfpplus1", "running": True, "rx_bytes": 918273645,
                                          "tx_bytes": 192837465, "rx_bps": 412000000.0,
                                          "tx_bps": 88000000.0, "sampled_at": "2026-05-15T11:59:00Z"}],
                          "pools": [], "account_drift": {
                              "total": 449, "unknown_on_router_count": 1, "unknown_on_router": ["u00450"],
                              "missing_on_router_count": 0, "missing_on_router": [],
                              "checked_at": "2026-05-15T11:59:00Z"}}]})

    username: str | None
    interfaces: list[InterfaceRead]
    pools: list[PoolRead]
    account_drift: AccountDriftRead | None = None

    @classmethod
    def of(cls, r: RouterView) -> RouterDetail:  # type: ignore[override]
        return cls.model_validate(cls.fields_of(r.device) | {
            "active_sessions": SessionCounts.of(r.sessions), "username": r.device.username,
            "interfaces": [InterfaceRead.of(i) for i in r.interfaces],
            "pools": [PoolRead.of(p) for p in r.pools],
            "account_drift": AccountDriftRead.of(r.device.details)})


class OnuCounts(BaseModel):
    """An OLT's ONUs: in total, online, and below the low-optics threshold."""

    total: int
    online: int
    low_optics: int


class OltRead(DeviceRead):
    """An OLT with its PON ports and ONUs counted."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        DEVICE_EXAMPLE | {"id": 9, "name": "olt-gulshan", "kind": "olt", "vendor": "huawei",
                          "model": "MA5608T", "pon_ports": 16,
                          "onus": {"total": 512, "online": 498, "low_optics": 6}}]})

    pon_ports: int
    onus: OnuCounts

    @classmethod
    def of(cls, o: OltRow) -> OltRead:  # type: ignore[override]
        onus = OnuCounts(total=o.onus_total, online=o.onus_online, low_optics=o.onus_low_optics)
        return cls.model_validate(cls.fields_of(o.device) | {"pon_ports": o.pon_ports, "onus": onus})


class StationRead(BaseModel):
    """A radio link seen from the device: signal, quality and rates."""

    mac: str
    name: str | None
    ip: str | None
    signal_dbm: float | None
    noise_dbm: float | None
    ccq_pct: float | None
    tx_rate_mbps: float | None
    rx_rate_mbps: float | None
    distance_m: int | None
    capacity_mbps: float | None
    customer_id: int | None
    updated_at: UtcTime

    @classmethod
    def of(cls, s: RadioStation) -> StationRead:
        return cls(mac=s.mac, name=s.name, ip=s.ip, signal_dbm=s.signal_dbm, noise_dbm=s.noise_dbm,
                   ccq_pct=s.ccq_pct, tx_rate_mbps=s.tx_rate_mbps, rx_rate_mbps=s.rx_rate_mbps,
                   distance_m=s.distance_m, capacity_mbps=s.capacity_mbps, customer_id=s.customer_id,
                   updated_at=s.updated_at)


class RadioRead(DeviceRead):
    """A Ubiquiti or Cambium radio and the links it sees, strongest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        DEVICE_EXAMPLE | {"id": 21, "name": "ap-banani-1", "kind": "radio", "vendor": "ubiquiti",
                          "model": "Rocket 5AC Prism", "stations": [{
                              "mac": "24:5A:4C:11:22:33", "name": "cpe-1042", "ip": "10.20.0.42",
                              "signal_dbm": -58.0, "noise_dbm": -92.0, "ccq_pct": 97.0, "tx_rate_mbps": 300.0,
                              "rx_rate_mbps": 270.0, "distance_m": 1200, "capacity_mbps": 180.0,
                              "customer_id": 1042, "updated_at": "2026-05-15T11:59:00Z"}]}]})

    stations: list[StationRead]

    @classmethod
    def of(cls, r: RadioRow) -> RadioRead:  # type: ignore[override]
        stations = [StationRead.of(s) for s in r.stations]
        return cls.model_validate(cls.fields_of(r.device) | {"stations": stations})


ONU_EXAMPLE: dict[str, JsonValue] = {
    "id": 4711, "olt_id": 9, "pon": "0/1/3", "onu_index": 12, "serial": "HWTC1A2B3C4D",
    "mac": "AA:BB:CC:DD:EE:FF", "description": "Fatima Begum", "model": "HG8010H", "status": "online",
    "last_down_cause": "dying-gasp", "rx_dbm": -21.4, "tx_dbm": 2.1, "olt_rx_dbm": -24.9, "distance_m": 1830,
    "temperature_c": 41.0, "low_optics": False, "customer_id": 2087, "last_seen_at": "2026-05-15T11:59:00Z",
    "updated_at": "2026-05-15T11:59:00Z"}


class OnuRead(BaseModel):
    """An ONU and its last optics; ``low_optics`` when it receives below the configured threshold."""

    model_config = ConfigDict(json_schema_extra={"examples": [ONU_EXAMPLE]})

    id: int
    olt_id: int
    pon: str
    onu_index: int
    serial: str | None
    mac: str | None
    description: str | None
    model: str | None
    status: str
    last_down_cause: str | None
    rx_dbm: float | None
    tx_dbm: float | None
    olt_rx_dbm: float | None
    distance_m: int | None
    temperature_c: float | None
    low_optics: bool
    customer_id: int | None
    last_seen_at: UtcTime | None
    updated_at: UtcTime

    @classmethod
    def fields_of(cls, o: Onu, low_dbm: float) -> dict[str, object]:
        return dict(id=o.id, olt_id=o.olt_id, pon=o.pon, onu_index=o.onu_index, serial=o.serial, mac=o.mac,
                    description=o.description, model=o.model, status=o.status.value,
                    last_down_cause=o.last_down_cause, rx_dbm=o.rx_dbm, tx_dbm=o.tx_dbm,
                    olt_rx_dbm=o.olt_rx_dbm, distance_m=o.distance_m, temperature_c=o.temperature_c,
                    low_optics=o.rx_dbm is not None and o.rx_dbm < low_dbm, customer_id=o.customer_id,
                    last_seen_at=o.last_seen_at, updated_at=o.updated_at)

    @classmethod
    def of(cls, o: Onu, low_dbm: float) -> OnuRead:
        return cls.model_validate(cls.fields_of(o, low_dbm))


class OpticsPoint(BaseModel):
    """An ONU's optical levels at one time."""

    at: UtcTime
    rx_dbm: float | None
    tx_dbm: float | None

    @classmethod
    def of(cls, s: OnuOpticsSample) -> OpticsPoint:
        return cls(at=s.at, rx_dbm=s.rx_dbm, tx_dbm=s.tx_dbm)


class OnuDetail(OnuRead):
    """One ONU with its optical levels over the last 24 hours, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [ONU_EXAMPLE | {"optics": [
        {"at": "2026-05-15T11:55:00Z", "rx_dbm": -21.4, "tx_dbm": 2.1}]}]})

    optics: list[OpticsPoint]

    @classmethod
    def of(cls, v: OnuView, low_dbm: float) -> OnuDetail:  # type: ignore[override]
        optics = [OpticsPoint.of(s) for s in v.optics]
        return cls.model_validate(cls.fields_of(v.onu, low_dbm) | {"optics": optics})


class OpticsHistory(BaseModel):
    """An ONU's optical levels over a period, for a chart."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "onu_id": 4711, "from": "2026-05-14T12:00:00Z", "to": "2026-05-15T12:00:00Z",
        "points": [{"at": "2026-05-15T11:55:00Z", "rx_dbm": -21.4, "tx_dbm": 2.1}]}]})

    onu_id: int
    start: UtcTime = Field(serialization_alias="from")
    end: UtcTime = Field(serialization_alias="to")
    points: list[OpticsPoint]

    @classmethod
    def of(cls, onu_id: int, start: datetime, end: datetime, rows: list[OnuOpticsSample]) -> OpticsHistory:
        return cls(onu_id=onu_id, start=start, end=end, points=[OpticsPoint.of(s) for s in rows])


class SessionRead(BaseModel):
    """A PPP or hotspot session on a router (``ended_at`` set once it is gone)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 90211, "device_id": 3, "kind": "ppp", "username": "fatima.begum", "customer_id": 2087,
        "address": "100.64.1.17", "caller_id": "AA:BB:CC:DD:EE:FF", "bytes_in": 1829302811,
        "bytes_out": 203948112, "started_at": "2026-05-15T06:02:11Z", "last_seen_at": "2026-05-15T11:59:00Z",
        "ended_at": None}]})

    id: int
    device_id: int
    kind: str
    username: str
    customer_id: int | None
    address: str | None
    caller_id: str | None
    bytes_in: int
    bytes_out: int
    started_at: UtcTime
    last_seen_at: UtcTime
    ended_at: UtcTime | None

    @classmethod
    def of(cls, s: SubscriberSession) -> SessionRead:
        return cls(id=s.id, device_id=s.device_id, kind=s.kind.value, username=s.username,
                   customer_id=s.customer_id, address=s.address, caller_id=s.caller_id, bytes_in=s.bytes_in,
                   bytes_out=s.bytes_out, started_at=s.started_at, last_seen_at=s.last_seen_at,
                   ended_at=s.ended_at)
