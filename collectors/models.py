"""Inventory (devices, PON ports, ONUs, radios' stations, pools, Zabbix hosts, status checks) and
what the collectors observe (samples, sessions, usage, problems, logs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from collectors import enums as e
from store import Base, UTCDateTime
from store.types import str_enum


class Device(Base):
    """A polled device: router, OLT, radio or Zabbix server, with access and health."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[e.DeviceKind] = mapped_column(str_enum(e.DeviceKind), index=True)
    vendor: Mapped[e.Vendor] = mapped_column(str_enum(e.Vendor))
    model: Mapped[str | None] = mapped_column(String(64))
    site: Mapped[str | None] = mapped_column(String(64))
    host: Mapped[str] = mapped_column(String(255))
    api_port: Mapped[int | None] = mapped_column(Integer)
    ssh_port: Mapped[int | None] = mapped_column(Integer)
    snmp_port: Mapped[int | None] = mapped_column(Integer)
    http_url: Mapped[str | None] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(64))
    password_enc: Mapped[str | None] = mapped_column(Text)
    snmp_community_enc: Mapped[str | None] = mapped_column(Text)
    enforcement: Mapped[str | None] = mapped_column(String(24))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[e.DeviceStatus] = mapped_column(str_enum(e.DeviceStatus), default=e.DeviceStatus.UNKNOWN)
    identity: Mapped[str | None] = mapped_column(String(120))
    version: Mapped[str | None] = mapped_column(String(64))
    uptime_s: Mapped[int | None] = mapped_column(BigInteger)
    cpu_load: Mapped[float | None] = mapped_column(Float)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    syslog_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InterfaceStat(Base):
    """An interface's last counters and the rates derived from the previous poll."""

    __tablename__ = "interface_stats"
    __table_args__ = (UniqueConstraint("device_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    running: Mapped[bool | None] = mapped_column(Boolean)
    rx_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    tx_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    rx_bps: Mapped[float | None] = mapped_column(Float)
    tx_bps: Mapped[float | None] = mapped_column(Float)
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DeviceSample(Base):
    """History of one device's numbers (traffic, cpu, radio signal...) for charts."""

    __tablename__ = "device_samples"
    __table_args__ = (Index("ix_device_samples_dev_time", "device_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    metric: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)


class PonPort(Base):
    """A PON port of an OLT with its ONU counts."""

    __tablename__ = "pon_ports"
    __table_args__ = (UniqueConstraint("olt_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    olt_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    onus_total: Mapped[int] = mapped_column(Integer, default=0)
    onus_online: Mapped[int] = mapped_column(Integer, default=0)
    tx_dbm: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Onu(Base):
    """An ONU/ONT on a PON port: identity, state and its last optics."""

    __tablename__ = "onus"
    __table_args__ = (UniqueConstraint("olt_id", "pon", "onu_index"), Index("ix_onus_serial", "serial"))
    id: Mapped[int] = mapped_column(primary_key=True)
    olt_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    pon: Mapped[str] = mapped_column(String(32))
    onu_index: Mapped[int] = mapped_column(Integer)
    serial: Mapped[str | None] = mapped_column(String(32))
    mac: Mapped[str | None] = mapped_column(String(17))
    description: Mapped[str | None] = mapped_column(String(120))
    model: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[e.OnuStatus] = mapped_column(str_enum(e.OnuStatus), index=True)
    last_down_cause: Mapped[str | None] = mapped_column(String(64))
    rx_dbm: Mapped[float | None] = mapped_column(Float)
    tx_dbm: Mapped[float | None] = mapped_column(Float)
    olt_rx_dbm: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[int | None] = mapped_column(Integer)
    temperature_c: Mapped[float | None] = mapped_column(Float)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OnuOpticsSample(Base):
    """History of an ONU's optical levels."""

    __tablename__ = "onu_optics_samples"
    __table_args__ = (Index("ix_onu_optics_onu_time", "onu_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    onu_id: Mapped[int] = mapped_column(ForeignKey("onus.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    rx_dbm: Mapped[float | None] = mapped_column(Float)
    tx_dbm: Mapped[float | None] = mapped_column(Float)


class RadioStation(Base):
    """A radio link seen from an AP (or the AP's own link on a station): signal and rates."""

    __tablename__ = "radio_stations"
    __table_args__ = (UniqueConstraint("device_id", "mac"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    mac: Mapped[str] = mapped_column(String(17))
    name: Mapped[str | None] = mapped_column(String(120))
    ip: Mapped[str | None] = mapped_column(String(45))
    signal_dbm: Mapped[float | None] = mapped_column(Float)
    noise_dbm: Mapped[float | None] = mapped_column(Float)
    ccq_pct: Mapped[float | None] = mapped_column(Float)
    tx_rate_mbps: Mapped[float | None] = mapped_column(Float)
    rx_rate_mbps: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[int | None] = mapped_column(Integer)
    capacity_mbps: Mapped[float | None] = mapped_column(Float)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IpPool(Base):
    """An address pool on a router, with how much of it is in use."""

    __tablename__ = "ip_pools"
    __table_args__ = (UniqueConstraint("device_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    ranges: Mapped[str] = mapped_column(Text)
    size: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ZabbixHost(Base):
    """A host known to Zabbix, linked to one of our devices by address or name."""

    __tablename__ = "zabbix_hosts"
    __table_args__ = (UniqueConstraint("server_id", "hostid"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    hostid: Mapped[str] = mapped_column(String(32))
    host: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(45))
    available: Mapped[bool | None] = mapped_column(Boolean)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ZabbixProblem(Base):
    """A problem Zabbix reports, mapped to its host through the trigger."""

    __tablename__ = "zabbix_problems"
    __table_args__ = (
        UniqueConstraint("server_id", "eventid"),
        Index("ix_zabbix_problems_open", "resolved_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    eventid: Mapped[str] = mapped_column(String(32))
    triggerid: Mapped[str] = mapped_column(String(32))
    hostid: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    severity: Mapped[int] = mapped_column(Integer)
    acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    tags: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatusCheck(Base):
    """An infrastructure check (ICMP, TCP connect, HTTP) and its last result."""

    __tablename__ = "status_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[e.CheckKind] = mapped_column(str_enum(e.CheckKind))
    target: Mapped[str] = mapped_column(String(255))
    port: Mapped[int | None] = mapped_column(Integer)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="SET NULL"))
    up: Mapped[bool | None] = mapped_column(Boolean)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    last_error: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SubscriberSession(Base):
    """A PPP or hotspot session seen on a router; ``ended_at`` set once it is gone."""

    __tablename__ = "subscriber_sessions"
    __table_args__ = (
        Index("ix_sessions_active", "device_id", "kind", "ended_at"),
        Index("ix_sessions_customer", "customer_id", "started_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    kind: Mapped[e.SessionKind] = mapped_column(str_enum(e.SessionKind))
    router_ref: Mapped[str] = mapped_column(String(32))
    username: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(45))
    caller_id: Mapped[str | None] = mapped_column(String(64))
    bytes_in: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_out: Mapped[int] = mapped_column(BigInteger, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UsageDaily(Base):
    """Bytes a customer moved on one day (UTC)."""

    __tablename__ = "usage_daily"
    __table_args__ = (UniqueConstraint("customer_id", "day"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    bytes_in: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_out: Mapped[int] = mapped_column(BigInteger, default=0)


class _LogColumns:
    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int | None] = mapped_column(Integer, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    message: Mapped[str] = mapped_column(Text)


class RouterLog(_LogColumns, Base):
    """Any router log line (syslog or /log), including every line nothing else parsed."""

    __tablename__ = "router_logs"
    topics: Mapped[str | None] = mapped_column(String(120))
    source_ip: Mapped[str | None] = mapped_column(String(45))


class HotspotLog(_LogColumns, Base):
    """A hotspot login, logout or failed login."""

    __tablename__ = "hotspot_logs"
    event: Mapped[e.HotspotEvent] = mapped_column(str_enum(e.HotspotEvent))
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)


class PppAuthLog(_LogColumns, Base):
    """A PPP authentication, connect, disconnect or failure."""

    __tablename__ = "ppp_auth_logs"
    event: Mapped[e.PppEvent] = mapped_column(str_enum(e.PppEvent))
    username: Mapped[str] = mapped_column(String(64), index=True)
    interface: Mapped[str | None] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)


class AccessLog(_LogColumns, Base):
    """Someone logging in to a device's management (ssh, winbox, api, web)."""

    __tablename__ = "access_logs"
    user: Mapped[str] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(45))
    via: Mapped[str | None] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(16))


class CollectionRun(Base):
    """One collect cycle of one family: when, how long, how many devices failed."""

    __tablename__ = "collection_runs"
    __table_args__ = (Index("ix_collection_runs_family_time", "family", "started_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[e.SourceKind] = mapped_column(str_enum(e.SourceKind))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    devices: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    values: Mapped[int] = mapped_column(Integer, default=0)
