"""Radio families as data: the AP's scalar OIDs, the station table (columns, where the MAC is),
and the unit each value comes in. The family string is what the inventory gives (Device.model).

Sources: ../shared/device_data/OIDS.md (UBNT-AirMAX-MIB, UBNT-AFLTU-MIB, UBNT-UniFi-MIB,
CAMBIUM-PMP80211-MIB, WHISP-APS-MIB) and the real recordings (units as LibreNMS reads them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from collectors.snmp import Oid, as_int, as_ip, as_text, oid

Decode = Callable[[Any], Any]

SYS_UPTIME = oid("1.3.6.1.2.1.1.3.0")


def num(divisor: float = 1) -> Decode:
    """An integer divided by ``divisor`` (None when absent)."""
    def decode(value: Any) -> float | None:
        raw = as_int(value)
        return None if raw is None else raw / divisor
    return decode


def text_number(value: Any) -> float | None:
    """A number the agent prints as text (WHISP ``-62.8``)."""
    try:
        return float(as_text(value) or "")
    except ValueError:
        return None


def channel_mhz(value: Any) -> int | None:
    """A Wi-Fi channel number as its centre frequency in MHz (2.4 GHz and 5 GHz bands)."""
    ch = as_int(value)
    if ch is None or ch <= 0:
        return None
    if ch == 14:
        return 2484
    return 2407 + 5 * ch if ch < 14 else 5000 + 5 * ch


@dataclass(frozen=True)
class StationTable:
    """Per-station columns: field -> (column OID, decode); the MAC from the index or a column."""

    entry: Oid
    columns: dict[str, tuple[int, Decode]]
    mac_column: int | None = None


    @property
    def roots(self) -> tuple[Oid, ...]:
        """The columns a poll walks: the MAC column (when there is one), then the read ones."""
        numbers = ([self.mac_column] if self.mac_column else []) + [n for n, _ in self.columns.values()]
        return tuple((*self.entry, n) for n in numbers)


EXPECTED_ROWS = 8
"""Rows a table is expected to hold when the AP does not say (sizes the first GETBULK)."""


@dataclass(frozen=True)
class RadioProfile:
    """One radio family: scalars (metric -> OID, decode), columns to walk, the station table, and
    the scalar metric that counts the table's rows (when the AP has one), else the rows a typical
    AP of the family holds."""

    family: str
    scalars: dict[str, tuple[Oid, Decode]] = field(default_factory=dict)
    walks: tuple[Oid, ...] = ()
    stations: StationTable | None = None
    rows_metric: str | None = None
    rows: int = EXPECTED_ROWS

    @property
    def roots(self) -> tuple[Oid, ...]:
        """Every column a poll walks (the station table's first)."""
        return (self.stations.roots if self.stations else ()) + self.walks


AIRMAX = "1.3.6.1.4.1.41112.1.4"
AIRMAX_PROFILE = RadioProfile(
    family="airos",
    scalars={
        "frequency_mhz": (oid(f"{AIRMAX}.1.1.4.1"), num()),
        "tx_power_dbm": (oid(f"{AIRMAX}.1.1.6.1"), num()),
        "distance_m": (oid(f"{AIRMAX}.1.1.7.1"), num()),
        "signal_dbm": (oid(f"{AIRMAX}.5.1.5.1"), num()),
        "rssi": (oid(f"{AIRMAX}.5.1.6.1"), num()),
        "ccq_pct": (oid(f"{AIRMAX}.5.1.7.1"), num()),
        "noise_dbm": (oid(f"{AIRMAX}.5.1.8.1"), num()),
        "tx_rate_mbps": (oid(f"{AIRMAX}.5.1.9.1"), num(1e6)),
        "rx_rate_mbps": (oid(f"{AIRMAX}.5.1.10.1"), num(1e6)),
        "clients": (oid(f"{AIRMAX}.5.1.15.1"), num()),
        "quality_pct": (oid(f"{AIRMAX}.6.1.3.1"), num()),
        "capacity_pct": (oid(f"{AIRMAX}.6.1.4.1"), num()),
        "airtime_pct": (oid(f"{AIRMAX}.6.1.7.1"), num(10)),
    },
    stations=StationTable(
        entry=oid(f"{AIRMAX}.7.1"),
        columns={"name": (2, as_text), "signal_dbm": (3, num()), "noise_dbm": (4, num()),
                 "distance_m": (5, as_int), "ccq_pct": (6, num()), "ip": (10, as_ip),
                 "tx_rate_mbps": (11, num(1e6)), "rx_rate_mbps": (12, num(1e6)),
                 "tx_bytes": (13, as_int), "rx_bytes": (14, as_int),
                 "capacity_mbps": (17, num(1e3)), "rx_capacity_mbps": (18, num(1e3))},
    ),
    rows_metric="clients",
)

LTU = "1.3.6.1.4.1.41112.1.10.1"
LTU_PROFILE = RadioProfile(
    family="airos-af-ltu",
    scalars={"frequency_mhz": (oid(f"{LTU}.2.2.0"), num()), "tx_power_dbm": (oid(f"{LTU}.2.6.0"), num())},
    stations=StationTable(
        entry=oid(f"{LTU}.4.1"),
        columns={"tx_rate_mbps": (3, num(1e3)), "rx_rate_mbps": (4, num(1e3)),
                 "chain0_dbm": (5, num()), "chain1_dbm": (6, num()), "distance_m": (23, as_int)},
    ),
    rows=1,
)
"""LTU rates are in kbit/s (LibreNMS multiplies by 1000 for bit/s); signal is per receive chain.
An airFiber LTU link is usually point to point: one station expected (more cost one more request)."""

UNIFI_VAP = oid("1.3.6.1.4.1.41112.1.6.1.2.1")
UNIFI_PROFILE = RadioProfile(family="unifi", walks=tuple((*UNIFI_VAP, n) for n in (4, 6, 8, 9, 21)),
                              rows=4)
"""UniFi has no station table over SNMP: clients per VAP (column 8), summed per radio (9) and SSID
(6); channel (4) and power (21) per radio. Four VAPs expected (two radios, two SSIDs each)."""

EPMP = "1.3.6.1.4.1.17713.21.1.2"
EPMP_PROFILE = RadioProfile(
    family="epmp",
    scalars={"frequency_mhz": (oid(f"{EPMP}.1.0"), num()), "clients": (oid(f"{EPMP}.10.0"), num())},
    stations=StationTable(
        entry=oid(f"{EPMP}.30.1"),
        columns={"ul_rssi_dbm": (4, num()), "dl_rssi_dbm": (5, num()), "ul_snr_db": (6, num()),
                 "dl_snr_db": (7, num()), "ul_mcs": (8, as_int), "dl_mcs": (9, as_int), "ip": (10, as_ip),
                 "name": (18, as_text), "capacity_pct": (19, num()), "quality_pct": (20, num()),
                 "distance_m": (29, as_int)},
        mac_column=1,
    ),
    rows_metric="clients",
)
"""ePMP rows are numbered; the MAC is column 1 as text. Signal = the UL RSSI the AP receives."""

WHISP = "1.3.6.1.4.1.161.19.3"
PMP_PROFILE = RadioProfile(
    family="pmp",
    scalars={"clients": (oid(f"{WHISP}.1.7.1.0"), num()),
             "frequency_mhz": (oid(f"{WHISP}.1.7.37.0"), num(1000)),
             "signal_dbm": (oid(f"{WHISP}.1.4.1.35.2"), text_number),
             "snr_v_db": (oid(f"{WHISP}.1.4.1.74.2"), num()),
             "snr_h_db": (oid(f"{WHISP}.1.4.1.84.2"), num())},
)
"""PMP 450 AP: registered SMs and frequency (kHz); signal and SNR of the first link (LUID 2)."""

PROFILES: dict[str, RadioProfile] = {
    p.family: p for p in (AIRMAX_PROFILE, LTU_PROFILE, UNIFI_PROFILE, EPMP_PROFILE, PMP_PROFILE)
}
