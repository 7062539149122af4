"""What each OLT vendor's SNMP agent holds, as data: the subtrees to walk, the ONU columns with
their decoders, how a table index names the PON and the ONU, and the PON-level columns.

Sources: ../shared/device_data/OIDS.md (HUAWEI-XPON-MIB, ZTE GPON MIB, V-SOL V1600D, NMS-GPON-MIB,
UBNT-UFIBER-MIB) and the real recordings; unknown-value sentinels decode to None, never to dBm.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from collectors.enums import OnuStatus, Vendor
from collectors.snmp import Oid, as_bytes, as_int, as_mac, as_text, index_string, oid

Decode = Callable[[Any], Any]
IndexDecoder = Callable[[Oid], "tuple[str, int] | None"]
"""Table index (after the column) -> (PON name in the vendor's style, ONU index), or None."""

OPTICS = ("rx_dbm", "tx_dbm", "olt_rx_dbm")
"""Readings that an offline ONU does not have: None whatever the agent sent (UFiber sends 0)."""

INT32_NA = frozenset({2147483647, -2147483648, -21474836, 21474836})
"""Values agents send for "no reading" (Huawei 0x7fffffff, and the truncated forms some send)."""

IF_NAME = oid("1.3.6.1.2.1.31.1.1.1.1")


def scaled(divisor: float, offset: float = 0.0, na: frozenset[int] = INT32_NA) -> Decode:
    """An integer reading as (raw - offset) / divisor, rounded to 2 decimals; sentinels -> None."""
    def decode(value: Any) -> float | None:
        raw = as_int(value)
        if raw is None or raw in na:
            return None
        return round((raw - offset) / divisor, 2)
    return decode


def zte_power(value: Any) -> float | None:
    """ZTE optical power: dBm = raw * 0.002 - 30; 65535 (and the int32 sentinels) = no reading."""
    raw = as_int(value)
    if raw is None or raw == 65535 or raw in INT32_NA:
        return None
    return round(raw * 0.002 - 30, 2)


_DBM_IN_TEXT = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*dBm\s*\)")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def dbm_text(value: Any) -> float | None:
    """V-SOL optics text ``0.03 mW (-14.61 dBm)`` -> -14.61 (the dBm in parentheses)."""
    text = as_text(value)
    match = _DBM_IN_TEXT.search(text or "")
    return float(match.group(1)) if match else None


def number_text(value: Any) -> float | None:
    """The first number in a text value (``45.00 C`` -> 45.0); None when there is none."""
    match = _NUMBER.search(as_text(value) or "")
    return float(match.group(0)) if match else None


def gpon_serial(value: Any) -> str | None:
    """An 8-octet GPON serial as ``HWTC1F14CAAD`` (vendor letters, then 4 octets in hex)."""
    raw = as_bytes(value)
    if not raw:
        return None
    if len(raw) == 8 and raw[:4].isalpha():
        return raw[:4].decode("ascii") + raw[4:].hex().upper()
    return as_text(value)


def distance(value: Any) -> int | None:
    """A distance in metres; negative (not ranged) -> None."""
    raw = as_int(value)
    return raw if raw is not None and 0 <= raw < 1_000_000 else None


def status_map(mapping: dict[int, OnuStatus]) -> Decode:
    """An integer state to OnuStatus (anything else is unknown)."""
    def decode(value: Any) -> OnuStatus:
        raw = as_int(value)
        return OnuStatus.UNKNOWN if raw is None else mapping.get(raw, OnuStatus.UNKNOWN)
    return decode


def cause_map(mapping: dict[int, str]) -> Decode:
    """An integer down cause to its name (unknown codes as ``cause <n>``, -1 as None)."""
    def decode(value: Any) -> str | None:
        raw = as_int(value)
        if raw is None or raw < 0:
            return None
        return mapping.get(raw, f"cause {raw}")
    return decode


def huawei_pon(pon_index: int) -> str:
    """Huawei GPON ifIndex (4194304000 + frame<<19? + slot*8192 + port*256) -> ``frame/slot/port``."""
    rel = pon_index - 4194304000
    return f"{rel >> 19}/{(rel >> 13) & 0x3F}/{(rel >> 8) & 0x1F}"


def zte_pon(pon_index: int) -> str:
    """ZTE GPON index 0x10000000 | slot<<16 | port<<8 -> ``1/slot/port`` (rack 1, as gpon-olt_1/1/1)."""
    return f"1/{(pon_index >> 16) & 0xFF}/{(pon_index >> 8) & 0xFF}"


def pon_onu_index(pon_name: Callable[[int], str]) -> IndexDecoder:
    """Index ``<pon>.<onu>[.<extra>...]`` -> (pon name, onu id)."""
    def decode(index: Oid) -> tuple[str, int] | None:
        return (pon_name(index[0]), index[1]) if len(index) >= 2 else None
    return decode


PON_ONU = pon_onu_index(str)


def ufiber_onu_index(serial: str) -> int:
    """UFiber ONUs have no numeric id: the serial's 8 hex digits (31 bits of them), else a CRC."""
    tail = serial[4:]
    if len(tail) == 8 and all(c in "0123456789abcdefABCDEF" for c in tail):
        return int(tail, 16) & 0x7FFFFFFF
    return zlib.crc32(serial.encode()) & 0x7FFFFFFF


def ufiber_index(index: Oid) -> tuple[str, int] | None:
    """Index = the serial as a length-prefixed string; the PON comes from column 5 (see parse)."""
    if not index or index[0] != len(index) - 1:
        return None
    return "", ufiber_onu_index(index_string(index))


@dataclass(frozen=True)
class Column:
    """One ONU column: the OnuReading key it fills, its OID, how to decode a value."""

    key: str
    oid: Oid
    decode: Decode


@dataclass(frozen=True)
class PonColumn:
    """One PON-level column (index = the PON's index): ``tx_dbm``, ``total`` or ``online``."""

    key: str
    oid: Oid
    decode: Decode


@dataclass(frozen=True)
class OltProfile:
    """One vendor's SNMP face: what to walk and how to read it."""

    vendor: Vendor
    roots: tuple[Oid, ...]
    columns: tuple[Column, ...] = ()
    index: IndexDecoder = PON_ONU
    pon_columns: tuple[PonColumn, ...] = ()
    pon_name: Callable[[int], str] = str
    pon_names_from: Oid | None = None
    pon_of_onu: Oid | None = None


def _cols(base: str, spec: dict[str, tuple[str, Decode]]) -> tuple[Column, ...]:
    return tuple(Column(key, oid(f"{base}.{sub}"), dec) for key, (sub, dec) in spec.items())


HW = "1.3.6.1.4.1.2011.6.128.1.1.2"
HUAWEI_DOWN_CAUSES = {1: "LOS", 2: "LOSi/LOBi", 3: "LOFI", 4: "SFI", 5: "LOAI", 6: "LOAMI",
                      7: "deactivate failure", 8: "deactivated", 9: "reset", 10: "re-register",
                      11: "pop-up failure", 13: "dying-gasp", 15: "LOKI", 18: "deactivated (ring)",
                      30: "shut down (optical module)", 31: "shut down (interface)"}
HUAWEI = OltProfile(
    vendor=Vendor.HUAWEI,
    roots=tuple(oid(f"{HW}.{t}") for t in ("23.1.4", "43.1.3", "43.1.9", "46.1.15", "46.1.20",
                                           "46.1.24", "51.1.1", "51.1.3", "51.1.4", "51.1.6")),
    columns=_cols(HW, {
        "serial": ("43.1.3", gpon_serial), "description": ("43.1.9", as_text),
        "status": ("46.1.15", status_map({1: OnuStatus.ONLINE, 2: OnuStatus.OFFLINE})),
        "distance_m": ("46.1.20", distance), "last_down_cause": ("46.1.24", cause_map(HUAWEI_DOWN_CAUSES)),
        "temperature_c": ("51.1.1", scaled(1)), "tx_dbm": ("51.1.3", scaled(100)),
        "rx_dbm": ("51.1.4", scaled(100)), "olt_rx_dbm": ("51.1.6", scaled(100, offset=10000)),
    }),
    index=pon_onu_index(huawei_pon),
    pon_columns=(PonColumn("tx_dbm", oid(f"{HW}.23.1.4"), scaled(100)),),
    pon_name=huawei_pon,
)

ZTE_GPON = "1.3.6.1.4.1.3902.1012.3"
ZTE_PHASES = {1: "logging", 2: "los", 3: "syncMib", 4: "working", 5: "dyingGasp", 6: "authFailed",
              7: "offline"}
ZTE = OltProfile(
    vendor=Vendor.ZTE,
    roots=tuple(oid(f"{ZTE_GPON}.{t}") for t in ("11.4.1.2", "28.1.1", "28.2.1.4", "50.12.1.1.10",
                                                 "50.12.1.1.14")),
    columns=_cols(ZTE_GPON, {
        "distance_m": ("11.4.1.2", distance), "model": ("28.1.1.1", as_text),
        "description": ("28.1.1.2", as_text), "serial": ("28.1.1.5", gpon_serial),
        "status": ("28.2.1.4", status_map({4: OnuStatus.ONLINE, 2: OnuStatus.OFFLINE,
                                            5: OnuStatus.OFFLINE, 6: OnuStatus.OFFLINE,
                                            7: OnuStatus.OFFLINE})),
        "last_down_cause": ("28.2.1.4", lambda v: {2: "los", 5: "dyingGasp", 6: "authFailed"}.get(
            as_int(v) or 0)),
        "rx_dbm": ("50.12.1.1.10", zte_power), "tx_dbm": ("50.12.1.1.14", zte_power),
    }),
    index=pon_onu_index(zte_pon),
    pon_name=zte_pon,
)

VSOL_BASE = "1.3.6.1.4.1.37950.1.1.5"
VSOL = OltProfile(
    vendor=Vendor.VSOL,
    roots=(oid(f"{VSOL_BASE}.12.1.25.1"), oid(f"{VSOL_BASE}.12.2.1.8.1")),
    columns=_cols(VSOL_BASE, {
        "status": ("12.1.25.1.4", status_map({1: OnuStatus.ONLINE, 0: OnuStatus.OFFLINE})),
        "mac": ("12.1.25.1.5", as_mac), "model": ("12.1.25.1.6", as_text),
        "description": ("12.1.25.1.9", as_text), "distance_m": ("12.1.25.1.17", distance),
        "temperature_c": ("12.2.1.8.1.3", number_text), "tx_dbm": ("12.2.1.8.1.6", dbm_text),
        "rx_dbm": ("12.2.1.8.1.7", dbm_text),
    }),
    index=pon_onu_index(lambda pon: f"0/{pon}"),
    pon_name=lambda pon: f"0/{pon}",
)

BDCOM_PON = "1.3.6.1.4.1.3320.10.2.1.1"
BDCOM = OltProfile(
    vendor=Vendor.BDCOM,
    roots=(oid(f"{BDCOM_PON}.4"), oid(f"{BDCOM_PON}.5"), IF_NAME),
    pon_columns=(PonColumn("online", oid(f"{BDCOM_PON}.4"), as_int),
                 PonColumn("offline", oid(f"{BDCOM_PON}.5"), as_int)),
    pon_names_from=IF_NAME,
)

UF = "1.3.6.1.4.1.41112.1.5.6.2.1"
UFIBER = OltProfile(
    vendor=Vendor.UFIBER,
    roots=(oid(UF),),
    columns=_cols(UF, {
        "serial": ("1", as_text), "description": ("2", as_text),
        "status": ("3", status_map({1: OnuStatus.ONLINE, 2: OnuStatus.OFFLINE})),
        "model": ("4", as_text), "tx_dbm": ("8", scaled(100)), "rx_dbm": ("9", scaled(100)),
    }),
    index=ufiber_index,
    pon_of_onu=oid(f"{UF}.5"),
)
"""The UFiber OLT reports 0 for both optics of an offline ONU (every offline row of the real
recording): those are not readings, so an offline ONU's optics are None."""

PROFILES: dict[Vendor, OltProfile] = {p.vendor: p for p in (HUAWEI, ZTE, VSOL, BDCOM, UFIBER)}
