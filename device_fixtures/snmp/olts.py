"""OLTs and their ONUs: the shared ONU state, Huawei SmartAX (HUAWEI-XPON-MIB), ZTE ZXA10 C320."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import ClassVar

from device_fixtures.snmp.base import Device, IfMibStyle, Interface, System
from device_fixtures.snmp.records import (
    HEX,
    INTEGER,
    NA_INT32,
    OCTETS,
    Record,
    drift,
    hex_octets,
    random_mac,
)

HUAWEI_XPON = "1.3.6.1.4.1.2011.6.128.1.1.2"
ZTE_GPON = "1.3.6.1.4.1.3902.1012.3"
ZTE_NA = 65535

ZTE_PHASE_STATES = {
    1: "logging",
    2: "los",
    3: "syncMib",
    4: "working",
    5: "dyingGasp",
    6: "authFailed",
    7: "offline",
}
"""zxAnGponOnuPhaseState values this fixture serves (the order every third-party source lists)."""

HUAWEI_DOWN_CAUSES = {1: "LOS", 2: "LOSi/LOBi", 9: "reset", 13: "dying-gasp", -1: "query fails"}
"""hwGponDeviceOntControlLastDownCause values used here (from the MIB's DESCRIPTION)."""


@dataclass(kw_only=True)
class Onu:
    """One ONU/ONT as its OLT knows it; each OLT family encodes these fields its own way."""

    pon: int
    onu_id: int
    serial: str
    name: str
    model: str = "HG8310M"
    mac: str = ""
    online: bool = True
    rx_dbm: float = -20.0
    tx_dbm: float = 2.2
    olt_rx_dbm: float = -22.0
    temperature_c: float = 45.0
    voltage_v: float = 3.3
    bias_ma: float = 12.0
    distance_m: int = 1500
    down_cause: int = -1
    up_s: float = 0.0
    tx_bytes: int = 0
    rx_bytes: int = 0

    def serial_octets(self) -> bytes:
        """The 8-octet GPON serial: 4 vendor letters and 4 binary octets (``HWTC1F14CAAD``)."""
        return self.serial[:4].encode("ascii") + bytes.fromhex(self.serial[4:12])

    def set_online(self, online: bool, *, cause: int = 13) -> None:
        """Bring the ONU up or down (``cause`` is the Huawei down cause, dying-gasp by default)."""
        if self.online and not online:
            self.down_cause = cause
        if online and not self.online:
            self.up_s = 0.0
        self.online = online

    def drift(self, seconds: float, rng: random.Random) -> None:
        """Optics wander; traffic and uptime grow while online."""
        if not self.online:
            return
        self.rx_dbm = drift(self.rx_dbm, 0.3, -29.5, -8, rng)
        self.olt_rx_dbm = drift(self.olt_rx_dbm, 0.3, -32, -10, rng)
        self.tx_dbm = drift(self.tx_dbm, 0.1, 0.5, 5, rng)
        self.temperature_c = drift(self.temperature_c, 0.5, 20, 75, rng)
        self.up_s += seconds
        self.rx_bytes += int(seconds * rng.uniform(1e4, 2e6))
        self.tx_bytes += int(seconds * rng.uniform(1e3, 3e5))


@dataclass(kw_only=True)
class Olt(Device):
    """An OLT with ``pon_count`` PON ports and its ONUs; ``flap_probability`` per ONU and tick."""

    pon_count: int = 4
    onus: list[Onu] = field(default_factory=list)
    flap_probability: float = 0.0

    def onu(self, serial: str) -> Onu:
        """The ONU with this serial number."""
        for onu in self.onus:
            if onu.serial == serial:
                return onu
        raise KeyError(serial)

    def drift(self, seconds: float, rng: random.Random) -> None:
        """ONU optics move; with ``flap_probability`` an online ONU goes down, and an offline one
        comes back ``RECOVERY`` times likelier (most of a real PON stays up), unless an operator
        deactivated it."""
        for onu in self.onus:
            onu.drift(seconds, rng)
            if not self.flap_probability:
                continue
            if onu.online and rng.random() < self.flap_probability:
                onu.set_online(False, cause=rng.choice((1, 2, 13)))
            elif (not onu.online and onu.down_cause != DEACTIVATED
                  and rng.random() < min(1.0, self.flap_probability * RECOVERY)):
                onu.set_online(True)

    def on_reboot(self) -> None:
        """After an OLT reboot every ONU registers again."""
        for onu in self.onus:
            onu.up_s = 0.0
            onu.tx_bytes = onu.rx_bytes = 0


RECOVERY = 10
"""An offline ONU comes back this many times likelier per tick than an online one drops."""
DEACTIVATED = 8
"""hwGponDeviceOntControlLastDownCause "deactive ONT success" (HUAWEI-XPON-MIB): an ONU an operator
deactivated, which stays down until activated (both faces, SNMP and CLI, use it)."""
WEAK_EVERY = 12
"""One ONU in so many starts with weak optics (a dirty connector, a long split), as real PONs have."""


def make_onus(rng: random.Random, pon_count: int, per_pon: int, vendor: str, model: str) -> list[Onu]:
    """``per_pon`` ONUs on each PON, serials under ``vendor`` (4 letters), ids from 1 (0 for Huawei)."""
    first = 0 if vendor == "HWTC" else 1
    return [
        Onu(
            pon=pon,
            onu_id=first + n,
            serial=f"{vendor}{rng.randrange(16**8):08X}",
            name=f"cust-{pon + 1}-{first + n}",
            model=model,
            mac=random_mac(rng, "e0:67:b3"),
            rx_dbm=rng.uniform(-29.5, -27.2) if n % WEAK_EVERY == WEAK_EVERY // 2 else rng.uniform(-26, -14),
            olt_rx_dbm=rng.uniform(-28, -16),
            distance_m=rng.randrange(200, 12000),
            up_s=rng.uniform(1e3, 1e6),
        )
        for pon in range(pon_count)
        for n in range(per_pon)
    ]


def _date_and_time(seconds: float) -> str:
    """DateAndTime (11 octets, UTC) of a simulated instant: 2025-01-01 plus ``seconds``."""
    s = int(seconds)
    day, rest = divmod(s, 86400)
    month, dom = divmod(day % 336, 28)
    raw = (2025 + day // 336).to_bytes(2, "big") + bytes(
        [month + 1, dom + 1, rest // 3600, rest % 3600 // 60, rest % 60, 0, ord("+"), 0, 0]
    )
    return hex_octets(raw)


def huawei_pon_index(pon: int) -> int:
    """ifIndex of GPON 0/<slot>/<port> for the pon-th port (16 ports a board)."""
    return 4194304000 + (pon // 16) * 8192 + (pon % 16) * 256


def _centi(dbm: float, online: bool) -> str:
    return str(round(dbm * 100)) if online else str(NA_INT32)


@dataclass(kw_only=True)
class HuaweiOlt(Olt):
    """A Huawei MA5603T/MA5800 running SmartAX software; index = ponIfIndex.ontId."""

    family: ClassVar[str] = "smartax"

    def own_records(self) -> list[Record]:
        """Per-PON ONT count and SFP optics, then the ONT config, control and optics tables."""
        out: list[Record] = []
        for pon in range(self.pon_count):
            idx = huawei_pon_index(pon)
            count = sum(1 for o in self.onus if o.pon == pon)
            out += [
                (f"{HUAWEI_XPON}.21.1.16.{idx}", INTEGER, str(count)),
                (f"{HUAWEI_XPON}.23.1.1.{idx}", INTEGER, "38"),
                (f"{HUAWEI_XPON}.23.1.2.{idx}", INTEGER, "330"),
                (f"{HUAWEI_XPON}.23.1.3.{idx}", INTEGER, "12"),
                (f"{HUAWEI_XPON}.23.1.4.{idx}", INTEGER, "711"),
            ]
        for onu in self.onus:
            out.extend(self._ont_rows(onu))
        return out

    def _ont_rows(self, onu: Onu) -> list[Record]:
        ix = f"{huawei_pon_index(onu.pon)}.{onu.onu_id}"
        up = onu.online
        now = self.system.uptime_s
        return [
            (f"{HUAWEI_XPON}.43.1.3.{ix}", HEX, hex_octets(onu.serial_octets())),
            (f"{HUAWEI_XPON}.43.1.7.{ix}", OCTETS, "line-ftth"),
            (f"{HUAWEI_XPON}.43.1.8.{ix}", OCTETS, "srv-" + onu.model),
            (f"{HUAWEI_XPON}.43.1.9.{ix}", OCTETS, onu.name),
            (f"{HUAWEI_XPON}.46.1.15.{ix}", INTEGER, "1" if up else "2"),
            (f"{HUAWEI_XPON}.46.1.16.{ix}", INTEGER, "2" if up else "1"),
            (f"{HUAWEI_XPON}.46.1.18.{ix}", INTEGER, "2"),
            (f"{HUAWEI_XPON}.46.1.20.{ix}", INTEGER, str(onu.distance_m) if up else "-1"),
            (f"{HUAWEI_XPON}.46.1.22.{ix}", HEX, _date_and_time(now - onu.up_s)),
            (f"{HUAWEI_XPON}.46.1.23.{ix}", HEX, _date_and_time(max(0.0, now - onu.up_s - 600))),
            (f"{HUAWEI_XPON}.46.1.24.{ix}", INTEGER, str(onu.down_cause)),
            (f"{HUAWEI_XPON}.51.1.1.{ix}", INTEGER, str(round(onu.temperature_c)) if up else str(NA_INT32)),
            (f"{HUAWEI_XPON}.51.1.2.{ix}", INTEGER, str(round(onu.bias_ma)) if up else str(NA_INT32)),
            (f"{HUAWEI_XPON}.51.1.3.{ix}", INTEGER, _centi(onu.tx_dbm, up)),
            (f"{HUAWEI_XPON}.51.1.4.{ix}", INTEGER, _centi(onu.rx_dbm, up)),
            (f"{HUAWEI_XPON}.51.1.5.{ix}", INTEGER, str(round(onu.voltage_v * 100)) if up else str(NA_INT32)),
            (
                f"{HUAWEI_XPON}.51.1.6.{ix}",
                INTEGER,
                str(round(onu.olt_rx_dbm * 100) + 10000) if up else str(NA_INT32),
            ),
        ]


def build_huawei_olt(name: str, rng: random.Random, *, pons: int = 4, per_pon: int = 8) -> HuaweiOlt:
    """A SmartAX OLT: an uplink board and ``pons`` GPON ports with ``per_pon`` ONTs each."""
    interfaces = [
        Interface(
            index=234938368,
            name="ethernet0/7/0",
            descr="Huawei-MA5600-V800R018-ETHERNET",
            mac=random_mac(rng, "00:e0:fc"),
            rate_bps=800_000_000,
        ),
        *[
            Interface(
                index=huawei_pon_index(p),
                name=f"GPON 0/{p // 16}/{p % 16}",
                if_type=250,
                descr="Huawei-MA5600-V800R018-GPON_UNI",
                speed_mbps=2500,
                rate_bps=200_000_000,
            )
            for p in range(pons)
        ],
    ]
    system = System(
        descr="Huawei Integrated Access Software",
        object_id="1.3.6.1.4.1.2011.2.123",
        name=name,
        uptime_s=rng.uniform(1e5, 1e7),
    )
    onus = make_onus(rng, pons, per_pon, "HWTC", "HG8310M")
    return HuaweiOlt(name=name, system=system, interfaces=interfaces, pon_count=pons, onus=onus)


def zte_pon_index(pon: int) -> int:
    """ZTE GPON MIB index of gpon-olt_1/<slot>/<port>: 0x10000000 | slot<<16 | port<<8."""
    slot, port = 1 + pon // 16, 1 + pon % 16
    return 0x10000000 | slot << 16 | port << 8


def zte_if_index(pon: int) -> int:
    """IF-MIB ifIndex of the same port (the C320 numbers slots and ports from 0 there)."""
    slot, port = pon // 16, pon % 16
    return 0x10000000 | slot << 16 | port << 8


def zte_power(dbm: float) -> int:
    """The raw value of a ZTE ONU optical reading: dBm = raw * 0.002 - 30."""
    return round((dbm + 30) / 0.002)


@dataclass(kw_only=True)
class ZteOlt(Olt):
    """A ZTE ZXA10 C320; ONU tables indexed ponIndex.onuId, optics with a trailing .1."""

    family: ClassVar[str] = "zxa10"
    if_style: ClassVar[IfMibStyle] = IfMibStyle(
        phys_hex_when_empty=True, specific=("", OCTETS, ""), discontinuity_tag=INTEGER
    )

    def own_records(self) -> list[Record]:
        """PON names, ranging/distance, ONU config (.28), phase state and optics (.50.12)."""
        out: list[Record] = []
        for pon in range(self.pon_count):
            idx = zte_pon_index(pon)
            out += [
                (f"{ZTE_GPON}.13.1.1.1.{idx}", OCTETS, f"OLT-{pon + 1}"),
                (f"{ZTE_GPON}.13.1.1.2.{idx}", OCTETS, f"OLT-{pon + 1}"),
            ]
        for onu in self.onus:
            ix = f"{zte_pon_index(onu.pon)}.{onu.onu_id}"
            state = 4 if onu.online else (5 if onu.down_cause == 13 else 2)
            rx = zte_power(onu.rx_dbm) if onu.online else ZTE_NA
            tx = zte_power(onu.tx_dbm) if onu.online else ZTE_NA
            out += [
                (f"{ZTE_GPON}.11.4.1.1.{ix}", INTEGER, str(onu.distance_m * 200 + 3000)),
                (f"{ZTE_GPON}.11.4.1.2.{ix}", INTEGER, str(onu.distance_m)),
                (f"{ZTE_GPON}.28.1.1.1.{ix}", OCTETS, onu.model),
                (f"{ZTE_GPON}.28.1.1.2.{ix}", OCTETS, onu.name),
                (f"{ZTE_GPON}.28.1.1.3.{ix}", OCTETS, f"{onu.name} ftth"),
                (f"{ZTE_GPON}.28.1.1.5.{ix}", HEX, hex_octets(onu.serial_octets())),
                (f"{ZTE_GPON}.28.2.1.4.{ix}", INTEGER, str(state)),
                (f"{ZTE_GPON}.50.12.1.1.10.{ix}.1", INTEGER, str(rx)),
                (f"{ZTE_GPON}.50.12.1.1.14.{ix}.1", INTEGER, str(tx)),
            ]
        return out


def build_zte_olt(name: str, rng: random.Random, *, pons: int = 4, per_pon: int = 8) -> ZteOlt:
    """A ZTE C320 with ``pons`` GPON ports (board 1) and one uplink."""
    interfaces = [
        *[
            Interface(
                index=zte_if_index(p),
                name=f"gpon_1/1/{p + 1}",
                descr="",
                if_type=250,
                speed_mbps=2488,
                rate_bps=200_000_000,
            )
            for p in range(pons)
        ],
        Interface(
            index=268632064, name="gei_1/4/1", descr="", mac=random_mac(rng, "d4:c1:c8"), rate_bps=800_000_000
        ),
    ]
    system = System(
        descr="C320 Version V2.1.0 Software, Copyright (c) by ZTE Corporation Compiled",
        object_id="1.3.6.1.4.1.3902.1082.1001.320.2.1",
        name=name,
        uptime_s=rng.uniform(1e5, 1e7),
    )
    onus = make_onus(rng, pons, per_pon, "ZTEG", "F660")
    return ZteOlt(name=name, system=system, interfaces=interfaces, pon_count=pons, onus=onus)
