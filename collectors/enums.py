"""Device kinds, vendors and observation states (lowercase values)."""

from __future__ import annotations

from enum import StrEnum


class DeviceKind(StrEnum):
    ROUTER = "router"
    OLT = "olt"
    RADIO = "radio"
    ZABBIX = "zabbix"


class SourceKind(StrEnum):
    """A collector family: how a device is polled."""

    MIKROTIK = "mikrotik"
    OLT_SSH = "olt_ssh"
    OLT_SNMP = "olt_snmp"
    RADIO_SNMP = "radio_snmp"
    ZABBIX = "zabbix"
    STATUS = "status"


class Vendor(StrEnum):
    MIKROTIK = "mikrotik"
    HUAWEI = "huawei"
    ZTE = "zte"
    VSOL = "vsol"
    BDCOM = "bdcom"
    UFIBER = "ufiber"
    UBIQUITI = "ubiquiti"
    CAMBIUM = "cambium"
    ZABBIX = "zabbix"


class DeviceStatus(StrEnum):
    UNKNOWN = "unknown"
    UP = "up"
    DOWN = "down"


class OnuStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


class SessionKind(StrEnum):
    PPP = "ppp"
    HOTSPOT = "hotspot"


class CheckKind(StrEnum):
    ICMP = "icmp"
    TCP = "tcp"
    HTTP = "http"


class HotspotEvent(StrEnum):
    LOGGED_IN = "logged_in"
    LOGGED_OUT = "logged_out"
    LOGIN_FAILED = "login_failed"


class PppEvent(StrEnum):
    AUTHENTICATED = "authenticated"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"
    AUTH_FAILED = "auth_failed"
