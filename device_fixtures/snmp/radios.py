"""Cambium ePMP AP (CAMBIUM-PMP80211-MIB), Cambium PMP 450 AP (WHISP MIBs), MikroTik RouterOS."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import ClassVar

from device_fixtures.snmp.base import Device, Interface, System
from device_fixtures.snmp.records import (
    COUNTER32,
    GAUGE32,
    HEX,
    INTEGER,
    IPADDR,
    OCTETS,
    Record,
    c32,
    drift,
    hex_octets,
    mac_bytes,
    mac_index,
    random_mac,
)

EPMP = "1.3.6.1.4.1.17713.21"
WHISP = "1.3.6.1.4.1.161.19.3"
MTXR = "1.3.6.1.4.1.14988.1.1"


@dataclass(kw_only=True)
class EpmpStation:
    """One subscriber module registered to an ePMP AP."""

    mac: str
    name: str
    ip: str
    ul_rssi: float = -55.0
    dl_rssi: float = -52.0
    ul_snr: float = 32.0
    dl_snr: float = 38.0
    ul_mcs: int = 18
    dl_mcs: int = 19
    tx_capacity: int = 100
    tx_quality: int = 100
    distance_m: int = 900

    def records(self, row: int) -> list[Record]:
        """The station's row of the AP's STA table (index = row number, MAC as text)."""
        col = f"{EPMP}.1.2.30.1.{{}}.{row}"
        return [
            (col.format(1), OCTETS, self.mac),
            (col.format(4), INTEGER, str(round(self.ul_rssi))),
            (col.format(5), INTEGER, str(round(self.dl_rssi))),
            (col.format(6), INTEGER, str(round(self.ul_snr))),
            (col.format(7), INTEGER, str(round(self.dl_snr))),
            (col.format(8), INTEGER, str(self.ul_mcs)),
            (col.format(9), INTEGER, str(self.dl_mcs)),
            (col.format(10), IPADDR, self.ip),
            (col.format(18), OCTETS, self.name),
            (col.format(19), INTEGER, str(self.tx_capacity)),
            (col.format(20), INTEGER, str(self.tx_quality)),
            (col.format(29), INTEGER, str(self.distance_m)),
        ]


@dataclass(kw_only=True)
class EpmpAp(Device):
    """An ePMP 3000 AP with registered stations."""

    family: ClassVar[str] = "epmp"

    frequency_mhz: int = 5190
    stations: list[EpmpStation] = field(default_factory=list)

    def own_records(self) -> list[Record]:
        """Frequency, station count and the per-STA table."""
        out: list[Record] = [
            (f"{EPMP}.1.1.17.0", OCTETS, "5.10.3"),
            (f"{EPMP}.1.2.1.0", INTEGER, str(self.frequency_mhz)),
            (f"{EPMP}.1.2.10.0", INTEGER, str(len(self.stations))),
        ]
        for row, sta in enumerate(self.stations, start=1):
            out.extend(sta.records(row))
        return out

    def drift(self, seconds: float, rng: random.Random) -> None:
        """RSSI and SNR of every station wander."""
        for sta in self.stations:
            sta.ul_rssi = drift(sta.ul_rssi, 1.5, -85, -40, rng)
            sta.dl_rssi = drift(sta.dl_rssi, 1.5, -85, -40, rng)
            sta.ul_snr = drift(sta.ul_snr, 1, 5, 45, rng)
            sta.dl_snr = drift(sta.dl_snr, 1, 5, 45, rng)


def build_epmp_ap(name: str, rng: random.Random, *, stations: int = 6) -> EpmpAp:
    """An ePMP AP with ``stations`` registered subscriber modules."""
    mac = random_mac(rng, "00:04:56")
    system = System(
        descr=f"Linux {name} 3.14.77 #1 SMP PREEMPT Thu Aug 7 17:14:57 UTC 2025 armv7l",
        object_id=f"{EPMP}.9.37",
        name=name,
        uptime_s=rng.uniform(1e4, 1e7),
    )
    stas = [
        EpmpStation(
            mac=random_mac(rng, "00:04:56"),
            name=f"{name}-sm{i}",
            ip=f"10.30.{rng.randrange(256)}.{i + 10}",
            dl_rssi=rng.uniform(-70, -45),
            distance_m=rng.randrange(100, 6000),
        )
        for i in range(1, stations + 1)
    ]
    interfaces = [
        Interface(index=1, name="lo", if_type=24, mtu=65536, speed_mbps=10),
        Interface(index=2, name="eth0", mac=mac, rate_bps=80_000_000),
        Interface(index=3, name="wlan0", mac=mac, speed_mbps=0, rate_bps=80_000_000),
    ]
    return EpmpAp(name=name, system=system, interfaces=interfaces, stations=stas)


@dataclass(kw_only=True)
class Pmp450Ap(Device):
    """A Cambium PMP 450 access point (Canopy firmware)."""

    family: ClassVar[str] = "pmp"

    registered_sms: int = 24
    frequency_khz: int = 5_525_000
    snr_h: float = 20.0
    snr_v: float = 20.0
    noise: float = -74.0
    reg_failures: int = 0

    def own_records(self) -> list[Record]:
        """regCount, SNR per polarisation, noise as text dBm, frequency in kHz."""
        link = f"{WHISP}.1.4.1.{{}}.2"
        return [
            (f"{WHISP}.1.3.1.0", INTEGER, "1"),
            (link.format(35), OCTETS, f"{self.noise + 3:.1f}"),
            (link.format(74), INTEGER, str(round(self.snr_v))),
            (link.format(84), INTEGER, str(round(self.snr_h))),
            (link.format(86), OCTETS, "0.0"),
            (link.format(87), OCTETS, f"{self.noise:.1f}"),
            (link.format(88), OCTETS, f"{self.noise:.1f}"),
            (f"{WHISP}.1.7.1.0", GAUGE32, str(self.registered_sms)),
            (f"{WHISP}.1.7.32.0", COUNTER32, c32(self.reg_failures)),
            (f"{WHISP}.1.7.37.0", INTEGER, str(self.frequency_khz)),
            (f"{WHISP}.3.1.6.0", OCTETS, "5.4GHzMIMO OFDM - Multipoint - Access Point"),
            (f"{WHISP}.3.1.266.0", OCTETS, "PMP 450"),
        ]

    def drift(self, seconds: float, rng: random.Random) -> None:
        """SNR and noise wander; an SM occasionally re-registers."""
        self.snr_h = drift(self.snr_h, 1, 5, 40, rng)
        self.snr_v = drift(self.snr_v, 1, 5, 40, rng)
        self.noise = drift(self.noise, 0.5, -90, -60, rng)
        if rng.random() < 0.1:
            self.reg_failures += 1

    def on_reboot(self) -> None:
        """Registration failure counter restarts."""
        self.reg_failures = 0


def build_pmp450_ap(name: str, rng: random.Random) -> Pmp450Ap:
    """A PMP 450 AP with a couple of dozen registered SMs."""
    mac = random_mac(rng, "0a:00:3e")
    system = System(
        descr="CANOPY 15.0.0.1 AP-DES",
        object_id="1.3.6.1.4.1.161.19.250.256",
        name=name,
        uptime_s=rng.uniform(1e5, 1e7),
    )
    interfaces = [
        Interface(index=1, name="MAIN", descr="ethernet", mac=mac, speed_mbps=100, rate_bps=60_000_000),
        Interface(index=2, name="RF", descr="radio", if_type=71, mac=mac, speed_mbps=0, rate_bps=60_000_000),
    ]
    return Pmp450Ap(name=name, system=system, interfaces=interfaces, registered_sms=rng.randrange(5, 40))


@dataclass(kw_only=True)
class WirelessAp:
    """One RouterOS wireless interface in AP mode (mtxrWlApTable row) and its clients."""

    if_index: int
    ssid: str
    bssid: str
    frequency_mhz: int
    band: str
    noise: float = -110.0
    ccq: float = 70.0
    tx_rate: int = 0
    rx_rate: int = 0
    client_signals: dict[str, float] = field(default_factory=dict)

    def records(self) -> list[Record]:
        """The AP row (index = ifIndex) and the registration table (index = MAC.ifIndex)."""
        col = f"{MTXR}.1.3.1.{{}}.{self.if_index}"
        clients = str(len(self.client_signals))
        out: list[Record] = [
            (col.format(2), GAUGE32, str(self.tx_rate)),
            (col.format(3), GAUGE32, str(self.rx_rate)),
            (col.format(4), OCTETS, self.ssid),
            (col.format(5), HEX, hex_octets(mac_bytes(self.bssid))),
            (col.format(6), COUNTER32, clients),
            (col.format(7), INTEGER, str(self.frequency_mhz)),
            (col.format(8), OCTETS, self.band),
            (col.format(9), INTEGER, str(round(self.noise))),
            (col.format(10), COUNTER32, str(round(self.ccq))),
            (col.format(11), COUNTER32, clients),
        ]
        for mac, signal in self.client_signals.items():
            out.append((f"{MTXR}.1.2.1.3.{mac_index(mac)}.{self.if_index}", INTEGER, str(round(signal))))
        return out


@dataclass(kw_only=True)
class MikrotikRouter(Device):
    """A RouterOS router: interfaces, wireless APs, DHCP leases, PPP sessions (cvpdnTunnelTotal)."""

    family: ClassVar[str] = "routeros"

    board: str = "RB750Gr3"
    version: str = "7.20.4"
    serial: str = "6F3A071688EA"
    wireless: list[WirelessAp] = field(default_factory=list)
    dhcp_leases: int = 0
    ppp_sessions: int = 0

    def own_records(self) -> list[Record]:
        """MIKROTIK-MIB scalars and tables, plus the Cisco VPDN tunnel total RouterOS exposes."""
        out: list[Record] = [
            ("1.3.6.1.4.1.9.9.150.1.1.1.0", GAUGE32, str(self.ppp_sessions)),
            (f"{MTXR}.4.4.0", OCTETS, self.version),
            (f"{MTXR}.6.1.0", GAUGE32, str(self.dhcp_leases)),
            (f"{MTXR}.7.3.0", OCTETS, self.serial),
            (f"{MTXR}.7.9.0", OCTETS, self.board),
        ]
        out += [(f"{MTXR}.14.1.1.2.{itf.index}", OCTETS, itf.name) for itf in self.interfaces]
        for ap in self.wireless:
            out.extend(ap.records())
        return out

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Leases, sessions and client signals move a little."""
        self.dhcp_leases = max(0, self.dhcp_leases + rng.choice((-1, 0, 0, 1)))
        self.ppp_sessions = max(0, self.ppp_sessions + rng.choice((-1, 0, 0, 1)))
        for ap in self.wireless:
            ap.ccq = drift(ap.ccq, 3, 20, 100, rng)
            ap.client_signals = {m: drift(s, 2, -95, -35, rng) for m, s in ap.client_signals.items()}


def build_mikrotik(name: str, rng: random.Random, *, wireless: bool = True) -> MikrotikRouter:
    """A RouterOS router with five Ethernet ports and (optionally) a 2.4 GHz AP."""
    oui = "48:8f:5a"
    interfaces = [
        Interface(index=1, name="ether1", mac=random_mac(rng, oui), rate_bps=300_000_000, alias="uplink"),
        *[
            Interface(index=i, name=f"ether{i}", mac=random_mac(rng, oui), rate_bps=50_000_000)
            for i in range(2, 6)
        ],
        Interface(index=6, name="bridge1", if_type=209, mac=random_mac(rng, oui), speed_mbps=0),
    ]
    aps = [_mikrotik_ap(name, rng, interfaces)] if wireless else []
    system = System(
        descr="RouterOS RB750Gr3", object_id="1.3.6.1.4.1.14988.1", name=name, uptime_s=rng.uniform(1e4, 1e7)
    )
    return MikrotikRouter(
        name=name,
        system=system,
        interfaces=interfaces,
        wireless=aps,
        serial=f"{rng.randrange(16**12):012X}",
        dhcp_leases=rng.randrange(5, 80),
        ppp_sessions=rng.randrange(0, 40),
    )


def _mikrotik_ap(name: str, rng: random.Random, interfaces: list[Interface]) -> WirelessAp:
    """Add wlan1 (ifIndex 7) to ``interfaces`` and return its AP row with a few clients."""
    mac = random_mac(rng, "48:8f:5a")
    interfaces.append(
        Interface(index=7, name="wlan1", if_type=71, mac=mac, speed_mbps=0, rate_bps=20_000_000)
    )
    clients = {random_mac(rng, "a4:e4:b8"): rng.uniform(-85, -45) for _ in range(rng.randrange(2, 8))}
    return WirelessAp(
        if_index=7,
        ssid=f"{name}-wifi",
        bssid=mac,
        frequency_mhz=2412,
        band="2412/20-Ce/gn",
        client_signals=clients,
    )
