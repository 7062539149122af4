"""More OLTs: V-SOL V1600D (EPON, MIB V1600D), BDCOM GP3600 (NMS-GPON-MIB), Ubiquiti UFiber OLT."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from device_fixtures.snmp.base import Interface, System
from device_fixtures.snmp.olts import Olt, Onu, make_onus
from device_fixtures.snmp.records import (
    COUNTER64,
    GAUGE32,
    INTEGER,
    OCTETS,
    TIMETICKS,
    Record,
    c64,
    random_mac,
    string_index,
    ticks,
)

VSOL = "1.3.6.1.4.1.37950.1.1.5"
BDCOM_PON = "1.3.6.1.4.1.3320.10.2.1.1"
UFIBER = "1.3.6.1.4.1.41112.1.5"


def vsol_power(dbm: float) -> str:
    """A V-SOL optical reading as the OLT prints it: ``0.03 mW (-14.61 dBm)``."""
    return f"{10 ** (dbm / 10):.2f} mW ({dbm:.2f} dBm)"


@dataclass(kw_only=True)
class VsolOlt(Olt):
    """A V-SOL V1600D EPON OLT; ONU tables indexed pon.onu (both from 1); optics as text."""

    family: ClassVar[str] = "vsolution"

    def own_records(self) -> list[Record]:
        """onuAuthInfo2Table (status, MAC, description, distance) and opmDiagInfoTable."""
        out: list[Record] = []
        for onu in self.onus:
            ix = f"{onu.pon + 1}.{onu.onu_id}"
            auth = f"{VSOL}.12.1.25.1.{{}}.{ix}"
            out += [
                (auth.format(1), INTEGER, str(onu.pon + 1)),
                (auth.format(2), INTEGER, str(onu.onu_id)),
                (auth.format(4), INTEGER, "1" if onu.online else "0"),
                (auth.format(5), OCTETS, onu.mac),
                (auth.format(6), OCTETS, onu.model),
                (auth.format(9), OCTETS, onu.name),
                (auth.format(17), GAUGE32, str(onu.distance_m)),
            ]
            if onu.online:
                out.extend(_vsol_optics(onu, ix))
        return out


def _vsol_optics(onu: Onu, ix: str) -> list[Record]:
    opm = f"{VSOL}.12.2.1.8.1.{{}}.{ix}"
    return [
        (opm.format(1), INTEGER, str(onu.pon + 1)),
        (opm.format(2), INTEGER, str(onu.onu_id)),
        (opm.format(3), OCTETS, f"{onu.temperature_c:.2f} C"),
        (opm.format(4), OCTETS, f"{onu.voltage_v:.2f} V"),
        (opm.format(5), OCTETS, f"{onu.bias_ma:.2f} mA"),
        (opm.format(6), OCTETS, vsol_power(onu.tx_dbm)),
        (opm.format(7), OCTETS, vsol_power(onu.rx_dbm)),
    ]


def build_vsol_olt(name: str, rng: random.Random, *, pons: int = 4, per_pon: int = 8) -> VsolOlt:
    """A V1600D with ``pons`` EPON ports."""
    interfaces = [
        Interface(index=1, name="GE0/1", mac=random_mac(rng, "e0:67:b3"), rate_bps=500_000_000),
        *[
            Interface(index=10 + p, name=f"EPON0/{p + 1}", if_type=6, speed_mbps=1250, rate_bps=100_000_000)
            for p in range(pons)
        ],
    ]
    system = System(descr="V1600D", object_id=f"{VSOL}.10.12", name=name, uptime_s=rng.uniform(1e5, 1e7))
    onus = make_onus(rng, pons, per_pon, "VSOL", "V2801RH")
    return VsolOlt(name=name, system=system, interfaces=interfaces, pon_count=pons, onus=onus)


def bdcom_pon_if_index(pon: int) -> int:
    """ifIndex of GPON0/<n> on a GP3600 (after the uplink ports)."""
    return 11 + pon


@dataclass(kw_only=True)
class BdcomOlt(Olt):
    """A BDCOM GP3600 GPON OLT: active/inactive ONU counts per PON port."""

    family: ClassVar[str] = "bdcom"

    def own_records(self) -> list[Record]:
        """gponOltPonPortConfigTable, index = the PON port's ifIndex."""
        out: list[Record] = []
        for pon in range(self.pon_count):
            idx = bdcom_pon_if_index(pon)
            onus = [o for o in self.onus if o.pon == pon]
            active = sum(1 for o in onus if o.online)
            out += [
                (f"{BDCOM_PON}.1.{idx}", INTEGER, str(idx)),
                (f"{BDCOM_PON}.2.{idx}", INTEGER, "1"),
                (f"{BDCOM_PON}.3.{idx}", INTEGER, "1"),
                (f"{BDCOM_PON}.4.{idx}", INTEGER, str(active)),
                (f"{BDCOM_PON}.5.{idx}", INTEGER, str(len(onus) - active)),
            ]
        return out


def build_bdcom_olt(name: str, rng: random.Random, *, pons: int = 8, per_pon: int = 16) -> BdcomOlt:
    """A GP3600-08 with ``pons`` GPON ports."""
    interfaces = [
        Interface(index=1, name="GigaEthernet0/1", mac=random_mac(rng, "00:e0:0f"), rate_bps=600_000_000),
        *[
            Interface(
                index=bdcom_pon_if_index(p),
                name=f"GPON0/{p + 1}",
                if_type=250,
                speed_mbps=2500,
                rate_bps=100_000_000,
            )
            for p in range(pons)
        ],
    ]
    descr = (
        "BDCOM(tm) GP3600-08 Software, Version 10.1.0F Build 94351\n"
        "Compiled: 2021-9-2 16:20:32 by SYS_94351, Image text-base: 0x80008000\n"
        "ROM: System Bootstrap, Version 0.4.7,Serial num:30221208008003"
    )
    system = System(
        descr=descr, object_id="1.3.6.1.4.1.3320.1.372", name=name, uptime_s=rng.uniform(1e5, 1e7)
    )
    onus = make_onus(rng, pons, per_pon, "BDCM", "P1501C1")
    return BdcomOlt(name=name, system=system, interfaces=interfaces, pon_count=pons, onus=onus)


@dataclass(kw_only=True)
class UfiberOlt(Olt):
    """A UFiber OLT (EdgeOS); ONU table indexed by the serial as a length-prefixed string.

    Offline ONUs keep their last optics, as the recording shows.
    """

    family: ClassVar[str] = "edgeosolt"

    def own_records(self) -> list[Record]:
        """Identity scalars, ubntOnusCount and ubntOnusTable."""
        out: list[Record] = [
            (f"{UFIBER}.1.1.0", OCTETS, "UFiber OLT"),
            (f"{UFIBER}.1.2.0", OCTETS, self.system.name.upper().replace("-", "")[:12]),
            (f"{UFIBER}.1.3.0", OCTETS, "UF-OLT.ER-e600.v4.4.2.4598.220304.1412"),
            (f"{UFIBER}.6.1.0", GAUGE32, str(len(self.onus))),
        ]
        for onu in self.onus:
            col = f"{UFIBER}.6.2.1.{{}}.{string_index(onu.serial)}"
            out += [
                (col.format(1), OCTETS, onu.serial),
                (col.format(2), OCTETS, onu.name),
                (col.format(3), INTEGER, "1" if onu.online else "2"),
                (col.format(4), OCTETS, onu.model),
                (col.format(5), INTEGER, str(onu.pon + 1)),
                (col.format(6), TIMETICKS, str(ticks(onu.up_s))),
                (col.format(7), TIMETICKS, str(ticks(onu.up_s + 3600))),
                (col.format(8), INTEGER, str(round(onu.tx_dbm * 100))),
                (col.format(9), INTEGER, str(round(onu.rx_dbm * 100))),
                (col.format(10), COUNTER64, c64(onu.tx_bytes)),
                (col.format(11), COUNTER64, c64(onu.rx_bytes)),
            ]
        return out


def build_ufiber_olt(name: str, rng: random.Random, *, pons: int = 4, per_pon: int = 8) -> UfiberOlt:
    """A UFiber OLT; ONU serials are ``UBNT`` and 8 lower-case hex digits."""
    interfaces = [
        Interface(index=1, name="lo", if_type=24, mtu=65536, speed_mbps=0),
        Interface(index=2, name="eth0", mac=random_mac(rng, "b4:fb:e4"), rate_bps=10_000_000),
        *[
            Interface(index=3 + p, name=f"pon{p + 1}", if_type=6, speed_mbps=2500, rate_bps=200_000_000)
            for p in range(pons)
        ],
    ]
    system = System(
        descr="EdgeOS v4.4.2.4598.220304.1412", object_id=UFIBER, name=name, uptime_s=rng.uniform(1e5, 1e7)
    )
    onus = make_onus(rng, pons, per_pon, "UBNT", "NanoG")
    for onu in onus:
        onu.serial = "UBNT" + onu.serial[4:].lower()
        onu.tx_dbm = rng.uniform(1.5, 3.0)
    return UfiberOlt(name=name, system=system, interfaces=interfaces, pon_count=pons, onus=onus)
