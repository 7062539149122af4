"""What every simulated SNMP device has: system group, interfaces (IF-MIB), faults, reboots."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from device_fixtures.faults import Faults
from device_fixtures.snmp.records import (
    COUNTER32,
    COUNTER64,
    GAUGE32,
    HEX,
    INTEGER,
    MAX32,
    OCTETS,
    OID,
    TIMETICKS,
    Record,
    c32,
    c64,
    hex_octets,
    mac_bytes,
    sort_records,
    ticks,
)


@dataclass(kw_only=True)
class Interface:
    """One row of ifTable/ifXTable; octet counters grow at ``rate_bps`` on every tick."""

    index: int
    name: str
    descr: str | None = None
    if_type: int = 6
    mtu: int = 1500
    speed_mbps: int = 1000
    mac: str = ""
    admin_up: bool = True
    oper_up: bool = True
    alias: str = ""
    rate_bps: int = 0
    in_octets: int = 0
    out_octets: int = 0
    in_pkts: int = 0
    out_pkts: int = 0
    in_errors: int = 0
    out_errors: int = 0

    def advance(self, seconds: float, rng: random.Random) -> None:
        """Count the traffic of ``seconds`` at about ``rate_bps`` (down links count nothing)."""
        if not self.oper_up or self.rate_bps <= 0:
            return
        inbound = int(self.rate_bps / 8 * seconds * rng.uniform(0.5, 1.0))
        outbound = int(inbound * rng.uniform(0.05, 0.3))
        self.in_octets += inbound
        self.out_octets += outbound
        self.in_pkts += inbound // 800
        self.out_pkts += max(outbound // 400, 0)

    def reset(self) -> None:
        """Counters restart from zero, as after a reboot."""
        self.in_octets = self.out_octets = self.in_pkts = self.out_pkts = 0
        self.in_errors = self.out_errors = 0


@dataclass(frozen=True, kw_only=True)
class IfMibStyle:
    """How one family's agent renders IF-MIB (the recordings differ in small ways)."""

    hc: bool = True
    phys_hex_when_empty: bool = False
    specific: Record = ("", OID, "0.0")
    discontinuity_tag: str = TIMETICKS


@dataclass(kw_only=True)
class System:
    """The system group of one agent."""

    descr: str
    object_id: str
    name: str
    contact: str = "noc@example.net"
    location: str = "lab"
    uptime_s: float = 0.0
    extra: list[Record] = field(default_factory=list)

    def records(self) -> list[Record]:
        """sysDescr, sysObjectID, sysUpTime, sysContact, sysName, sysLocation (+ family extras)."""
        base = "1.3.6.1.2.1.1"
        return [
            (f"{base}.1.0", HEX if "\n" in self.descr else OCTETS, _maybe_hex(self.descr)),
            (f"{base}.2.0", OID, self.object_id),
            (f"{base}.3.0", TIMETICKS, str(ticks(self.uptime_s))),
            (f"{base}.4.0", OCTETS, self.contact),
            (f"{base}.5.0", OCTETS, self.name),
            (f"{base}.6.0", OCTETS, self.location),
            *self.extra,
        ]


def _maybe_hex(value: str) -> str:
    return hex_octets(value.encode()) if "\n" in value else value


def if_mib(interfaces: Iterable[Interface], style: IfMibStyle) -> list[Record]:
    """ifNumber, ifTable (all 22 columns) and, when the agent has it, ifXTable."""
    rows = list(interfaces)
    out: list[Record] = [("1.3.6.1.2.1.2.1.0", INTEGER, str(len(rows)))]
    for itf in rows:
        out.extend(_if_row(itf, style))
        if style.hc:
            out.extend(_ifx_row(itf, style))
    return out


def _if_row(itf: Interface, style: IfMibStyle) -> list[Record]:
    col = f"1.3.6.1.2.1.2.2.1.{{}}.{itf.index}"
    phys = _phys_address(col.format(6), itf.mac, style)
    speed = min(itf.speed_mbps * 1_000_000, MAX32 - 1)
    row: list[Record] = []
    if itf.index < 2**31:  # ifIndex is an Integer32: Huawei's 4194304000 cannot be served, only used
        row.append((col.format(1), INTEGER, str(itf.index)))
    return [
        *row,
        (col.format(2), OCTETS, itf.name if itf.descr is None else itf.descr),
        (col.format(3), INTEGER, str(itf.if_type)),
        (col.format(4), INTEGER, str(itf.mtu)),
        (col.format(5), GAUGE32, str(speed)),
        phys,
        (col.format(7), INTEGER, "1" if itf.admin_up else "2"),
        (col.format(8), INTEGER, "1" if itf.oper_up else "2"),
        (col.format(9), TIMETICKS, "0"),
        (col.format(10), COUNTER32, c32(itf.in_octets)),
        (col.format(11), COUNTER32, c32(itf.in_pkts)),
        (col.format(12), COUNTER32, "0"),
        (col.format(13), COUNTER32, "0"),
        (col.format(14), COUNTER32, c32(itf.in_errors)),
        (col.format(15), COUNTER32, "0"),
        (col.format(16), COUNTER32, c32(itf.out_octets)),
        (col.format(17), COUNTER32, c32(itf.out_pkts)),
        (col.format(18), COUNTER32, "0"),
        (col.format(19), COUNTER32, "0"),
        (col.format(20), COUNTER32, c32(itf.out_errors)),
        (col.format(21), GAUGE32, "0"),
        (col.format(22), style.specific[1], style.specific[2]),
    ]


def _phys_address(oid: str, mac: str, style: IfMibStyle) -> Record:
    if mac:
        return (oid, HEX, hex_octets(mac_bytes(mac)))
    return (oid, HEX, "000000000000") if style.phys_hex_when_empty else (oid, OCTETS, "")


def _ifx_row(itf: Interface, style: IfMibStyle) -> list[Record]:
    col = f"1.3.6.1.2.1.31.1.1.1.{{}}.{itf.index}"
    return [
        (col.format(1), OCTETS, itf.name),
        *[(col.format(c), COUNTER32, "0") for c in (2, 3, 4, 5)],
        (col.format(6), COUNTER64, c64(itf.in_octets)),
        (col.format(7), COUNTER64, c64(itf.in_pkts)),
        (col.format(8), COUNTER64, "0"),
        (col.format(9), COUNTER64, "0"),
        (col.format(10), COUNTER64, c64(itf.out_octets)),
        (col.format(11), COUNTER64, c64(itf.out_pkts)),
        (col.format(12), COUNTER64, "0"),
        (col.format(13), COUNTER64, "0"),
        (col.format(14), INTEGER, "1"),
        (col.format(15), GAUGE32, str(itf.speed_mbps)),
        (col.format(16), INTEGER, "2"),
        (col.format(17), INTEGER, "1" if itf.if_type in (6, 117, 250) else "2"),
        (col.format(18), OCTETS, itf.alias),
        (col.format(19), style.discontinuity_tag, "0"),
    ]


@dataclass(kw_only=True)
class Device:
    """One simulated agent: its state moves on ``advance``; ``records`` renders it as snmprec."""

    family: ClassVar[str] = "?"
    if_style: ClassVar[IfMibStyle] = IfMibStyle()

    name: str
    system: System
    interfaces: list[Interface] = field(default_factory=list)
    faults: Faults = field(default_factory=Faults)
    boots_seen: int = 0

    def records(self) -> list[Record]:
        """Every record of the agent, sorted by OID."""
        return sort_records(
            [*self.system.records(), *if_mib(self.interfaces, self.if_style), *self.own_records()]
        )

    def own_records(self) -> list[Record]:
        """The family's own MIB tables."""
        return []

    def advance(self, seconds: float, rng: random.Random) -> None:
        """Let ``seconds`` pass: uptime, traffic counters, and the family's drifting values."""
        self.system.uptime_s += seconds
        for itf in self.interfaces:
            itf.advance(seconds, rng)
        self.drift(seconds, rng)

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Move the family's signal/optics values (none by default)."""

    def apply_reboot(self) -> bool:
        """If ``faults.reboot()`` was called since last time: uptime and counters restart."""
        if self.faults.boots == self.boots_seen:
            return False
        self.boots_seen = self.faults.boots
        self.system.uptime_s = 0.0
        for itf in self.interfaces:
            itf.reset()
        self.on_reboot()
        return True

    def on_reboot(self) -> None:
        """Reset the family's own counters after a reboot."""
