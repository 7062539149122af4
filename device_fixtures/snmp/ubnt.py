"""Ubiquiti radios: airMAX AP with stations (UBNT-AirMAX-MIB), airFiber LTU, UniFi AP."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import ClassVar

from device_fixtures.snmp.base import Device, IfMibStyle, Interface, System
from device_fixtures.snmp.records import (
    COUNTER64,
    GAUGE32,
    HEX,
    INTEGER,
    IPADDR,
    OCTETS,
    TIMETICKS,
    Record,
    c64,
    drift,
    hex_octets,
    mac_bytes,
    mac_index,
    random_mac,
    ticks,
)

UBNT = "1.3.6.1.4.1.41112.1"
AIRMAX = f"{UBNT}.4"
UBNT_OUI = "78:8a:20"


@dataclass(kw_only=True)
class AirmaxStation:
    """One station associated to an airMAX AP (a row of ubntStaTable)."""

    mac: str
    name: str
    ip: str
    signal: float = -60.0
    noise: float = -92.0
    distance_m: int = 1500
    ccq: float = 90.0
    tx_rate_bps: int = 130_000_000
    rx_rate_bps: int = 117_000_000
    tx_bytes: int = 0
    rx_bytes: int = 0
    connected_s: float = 0.0
    tx_capacity_kbps: int = 80_000
    rx_capacity_kbps: int = 70_000

    def records(self) -> list[Record]:
        """The station's ubntStaTable row, index = ubntWlStatIndex.<6 MAC octets>."""
        col = f"{AIRMAX}.7.1.{{}}.1.{mac_index(self.mac)}"
        return [
            (col.format(1), HEX, hex_octets(mac_bytes(self.mac))),
            (col.format(2), OCTETS, self.name),
            (col.format(3), INTEGER, str(round(self.signal))),
            (col.format(4), INTEGER, str(round(self.noise))),
            (col.format(5), INTEGER, str(self.distance_m)),
            (col.format(6), INTEGER, str(round(self.ccq))),
            (col.format(10), IPADDR, self.ip),
            (col.format(11), INTEGER, str(self.tx_rate_bps)),
            (col.format(12), INTEGER, str(self.rx_rate_bps)),
            (col.format(13), COUNTER64, c64(self.tx_bytes)),
            (col.format(14), COUNTER64, c64(self.rx_bytes)),
            (col.format(15), TIMETICKS, str(ticks(self.connected_s))),
            (col.format(17), INTEGER, str(self.tx_capacity_kbps)),
            (col.format(18), INTEGER, str(self.rx_capacity_kbps)),
        ]

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Signal and CCQ wander; traffic and connection time grow."""
        self.signal = drift(self.signal, 1.5, -88, -40, rng)
        self.ccq = drift(self.ccq, 3, 40, 100, rng)
        self.connected_s += seconds
        self.tx_bytes += int(seconds * rng.uniform(1e4, 1e6))
        self.rx_bytes += int(seconds * rng.uniform(1e5, 5e6))


@dataclass(kw_only=True)
class AirmaxAp(Device):
    """An airMAX AP (LiteBeam 5AC, airOS 8) serving stations; no ifXTable, as the real one."""

    family: ClassVar[str] = "airos"
    if_style: ClassVar[IfMibStyle] = IfMibStyle(hc=False)

    ssid: str
    ap_mac: str
    frequency_mhz: int = 5780
    tx_power_dbm: int = 24
    distance_m: int = 1200
    channel_width_mhz: int = 20
    signal: float = -62.0
    noise: float = -92.0
    ccq: float = 88.0
    tx_rate_bps: int = 39_000_000
    rx_rate_bps: int = 52_000_000
    quality: float = 80.0
    capacity: float = 60.0
    airtime_pct: float = 30.0
    stations: list[AirmaxStation] = field(default_factory=list)

    def own_records(self) -> list[Record]:
        """Radio, chain RSSI, wireless statistics, airMAX and the per-station table."""
        wl = f"{AIRMAX}.5.1.{{}}.1"
        out: list[Record] = [
            ("1.2.840.10036.3.1.2.1.3.4", OCTETS, "LiteBeam 5AC Gen2"),
            ("1.2.840.10036.3.1.2.1.4.4", OCTETS, "WA.ar934x.v8.7.4.45112.210415.1103"),
            (f"{AIRMAX}.1.1.4.1", INTEGER, str(self.frequency_mhz)),
            (f"{AIRMAX}.1.1.6.1", INTEGER, str(self.tx_power_dbm)),
            (f"{AIRMAX}.1.1.7.1", INTEGER, str(self.distance_m)),
            (f"{AIRMAX}.2.1.2.1.1", INTEGER, str(round(-self.signal) - 40)),
            (f"{AIRMAX}.2.1.2.1.2", INTEGER, str(round(-self.signal) - 38)),
            (wl.format(2), OCTETS, self.ssid),
            (wl.format(4), HEX, hex_octets(mac_bytes(self.ap_mac))),
            (wl.format(5), INTEGER, str(round(self.signal))),
            (wl.format(6), INTEGER, str(round(self.signal - self.noise))),
            (wl.format(7), INTEGER, str(round(self.ccq))),
            (wl.format(8), INTEGER, str(round(self.noise))),
            (wl.format(9), INTEGER, str(self.tx_rate_bps)),
            (wl.format(10), INTEGER, str(self.rx_rate_bps)),
            (wl.format(14), INTEGER, str(self.channel_width_mhz)),
            (wl.format(15), GAUGE32, str(len(self.stations))),
            (f"{AIRMAX}.6.1.2.1", INTEGER, "1"),
            (f"{AIRMAX}.6.1.3.1", INTEGER, str(round(self.quality))),
            (f"{AIRMAX}.6.1.4.1", INTEGER, str(round(self.capacity))),
            (f"{AIRMAX}.6.1.7.1", INTEGER, str(round(self.airtime_pct * 10))),
        ]
        for sta in self.stations:
            out.extend(sta.records())
        return out

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Link figures wander inside realistic bounds."""
        self.signal = drift(self.signal, 1.5, -85, -45, rng)
        self.noise = drift(self.noise, 0.5, -100, -85, rng)
        self.ccq = drift(self.ccq, 3, 30, 100, rng)
        self.quality = drift(self.quality, 4, 0, 100, rng)
        self.capacity = drift(self.capacity, 4, 0, 100, rng)
        self.airtime_pct = drift(self.airtime_pct, 5, 0, 100, rng)
        for sta in self.stations:
            sta.drift(seconds, rng)

    def on_reboot(self) -> None:
        """Stations re-associate: byte counters and connection time restart."""
        for sta in self.stations:
            sta.tx_bytes = sta.rx_bytes = 0
            sta.connected_s = 0.0


def build_airmax_ap(name: str, rng: random.Random, *, stations: int = 4) -> AirmaxAp:
    """An airMAX AP with ``stations`` associated stations."""
    ap_mac = random_mac(rng, UBNT_OUI)
    system = System(
        descr="Linux 2.6.32.68 #1 Thu Aug 22 16:38:44 EEST 2019 mips",
        object_id="1.3.6.1.4.1.10002.1",
        name=name,
        uptime_s=rng.uniform(1e5, 1e7),
    )
    stas = [
        AirmaxStation(
            mac=random_mac(rng, "fc:ec:da"),
            name=f"{name}-sta{i}",
            ip=f"10.20.{rng.randrange(256)}.{i + 10}",
            signal=rng.uniform(-78, -50),
            distance_m=rng.randrange(300, 8000),
            connected_s=rng.uniform(1e3, 1e6),
        )
        for i in range(stations)
    ]
    return AirmaxAp(
        name=name,
        system=system,
        interfaces=_airos_interfaces(ap_mac),
        ssid=f"{name}-ptmp",
        ap_mac=ap_mac,
        stations=stas,
    )


def _airos_interfaces(mac: str) -> list[Interface]:
    return [
        Interface(index=1, name="lo", if_type=24, mtu=16436, speed_mbps=0),
        Interface(index=2, name="eth0", mac=mac, speed_mbps=100, rate_bps=20_000_000),
        Interface(index=3, name="wifi0", if_type=1, mtu=2286, speed_mbps=0),
        Interface(index=4, name="ath0", mac=mac, speed_mbps=0, rate_bps=20_000_000),
        Interface(index=5, name="br0", mac=mac, speed_mbps=0, rate_bps=20_000_000),
    ]


@dataclass(kw_only=True)
class LtuPeer:
    """One peer of an airFiber LTU AP (UBNT-AFLTU-MIB afLTUStaTable row)."""

    mac: str
    rx_power: tuple[float, float] = (-55.0, -56.0)
    tx_capacity_kbps: int = 60_000
    rx_capacity_kbps: int = 160_000
    distance_m: int = 3000


@dataclass(kw_only=True)
class AirfiberLtu(Device):
    """An airFiber LTU (net-snmp based agent: sysObjectID is net-snmp's linux OID)."""

    family: ClassVar[str] = "airos-af-ltu"

    frequency_mhz: int = 5840
    peers: list[LtuPeer] = field(default_factory=list)

    def own_records(self) -> list[Record]:
        """Scalars and the per-peer table indexed by the peer's MAC."""
        base = f"{UBNT}.10.1"
        out: list[Record] = [
            (f"{base}.2.2.0", INTEGER, str(self.frequency_mhz)),
            (f"{base}.3.2.0", OCTETS, "airFiber 5XHD"),
            (f"{base}.3.4.0", OCTETS, ".v1.1.1-BETA2.00015.180314.0503"),
        ]
        for peer in self.peers:
            col = f"{base}.4.1.{{}}.{mac_index(peer.mac)}"
            out += [
                (col.format(3), INTEGER, str(peer.tx_capacity_kbps)),
                (col.format(4), INTEGER, str(peer.rx_capacity_kbps)),
                (col.format(5), INTEGER, str(round(peer.rx_power[0]))),
                (col.format(6), INTEGER, str(round(peer.rx_power[1]))),
                (col.format(23), INTEGER, str(peer.distance_m)),
            ]
        return out

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Receive power of both chains wanders."""
        for peer in self.peers:
            peer.rx_power = (
                drift(peer.rx_power[0], 1, -80, -40, rng),
                drift(peer.rx_power[1], 1, -80, -40, rng),
            )


def build_airfiber_ltu(name: str, rng: random.Random, *, peers: int = 1) -> AirfiberLtu:
    """An airFiber LTU radio with ``peers`` linked peers."""
    system = System(
        descr="Linux PRIVATE 3.14.65 #7 SMP PREEMPT RT Wed Mar 14 06:22:08 UTC 2018 armv7l",
        object_id="1.3.6.1.4.1.8072.3.2.10",
        name=name,
        uptime_s=rng.uniform(1e4, 1e6),
    )
    mac = random_mac(rng, "18:e8:29")
    return AirfiberLtu(
        name=name,
        system=system,
        interfaces=[
            Interface(index=1, name="lo", if_type=24, mtu=65536, speed_mbps=0),
            Interface(index=2, name="eth0", mac=mac, rate_bps=100_000_000),
            Interface(index=3, name="ath0", mac=mac, speed_mbps=0, rate_bps=100_000_000),
        ],
        peers=[LtuPeer(mac=random_mac(rng, "18:e8:29")) for _ in range(peers)],
    )


@dataclass(kw_only=True)
class UnifiAp(Device):
    """A UniFi AP (nanoHD): one VAP per radio and SSID, clients per VAP."""

    family: ClassVar[str] = "unifi"

    ssid: str
    clients: list[int] = field(default_factory=lambda: [4, 0, 14, 0])

    def own_records(self) -> list[Record]:
        """Radio table (ng/na) and the VAP table with client counts."""
        radio = f"{UBNT}.6.1.1.1.{{}}.{{}}"
        vap = f"{UBNT}.6.1.2.1.{{}}.{{}}"
        out: list[Record] = [(radio.format(3, 1), OCTETS, "ng"), (radio.format(3, 2), OCTETS, "na")]
        for col in (6, 7, 8, 9):
            out += [(radio.format(col, 1), INTEGER, "0"), (radio.format(col, 2), INTEGER, "0")]
        for idx, count in enumerate(self.clients, start=1):
            band = "ng" if idx <= 2 else "na"
            out += [
                (vap.format(4, idx), INTEGER, "6" if band == "ng" else "157"),
                (vap.format(6, idx), OCTETS, self.ssid if idx % 2 else f"vwire-{self.name}"),
                (vap.format(8, idx), INTEGER, str(count)),
                (vap.format(9, idx), OCTETS, band),
                (vap.format(21, idx), INTEGER, "23" if band == "ng" else "26"),
            ]
        return [*out, (f"{UBNT}.6.3.3.0", OCTETS, "UAP-nanoHD"), (f"{UBNT}.6.3.6.0", OCTETS, "5.43.36.12724")]

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Clients come and go on the user VAPs."""
        self.clients = [
            max(0, n + rng.choice((-1, 0, 1))) if i % 2 == 0 else n for i, n in enumerate(self.clients)
        ]


def build_unifi_ap(name: str, rng: random.Random) -> UnifiAp:
    """A UniFi nanoHD access point."""
    mac = random_mac(rng, "74:83:c2")
    system = System(
        descr="UAP-nanoHD 5.43.36.12724",
        object_id="1.3.6.1.4.1.8072.3.2.10",
        name=name,
        uptime_s=rng.uniform(1e4, 1e6),
    )
    return UnifiAp(
        name=name,
        system=system,
        interfaces=[
            Interface(index=1, name="lo", if_type=24, mtu=65536, speed_mbps=0),
            Interface(index=2, name="eth0", mac=mac, rate_bps=50_000_000),
            Interface(index=3, name="wifi0", mac=mac, if_type=1, speed_mbps=0),
        ],
        ssid=f"{name}-wifi",
        clients=[rng.randrange(10), 0, rng.randrange(20), 0],
    )
