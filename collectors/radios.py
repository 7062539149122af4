"""Wireless APs over SNMP (airMAX, airFiber LTU, UniFi, Cambium ePMP and PMP 450): the AP's
health and its stations, read with the family's profile (``collectors.radios_vendors``).

``parse_radio`` is pure (raw values -> ``RadioPoll``); ``RadioCollector.save`` upserts the
stations by (device, MAC), removes the ones gone, updates the AP's row and appends samples.
Traffic rates come from station byte counters between two polls; a counter that went back
(a reboot, a re-association) gives no rate rather than a negative one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from collectors.base import CollectError, Target
from collectors.enums import DeviceKind, DeviceStatus, SourceKind
from collectors.models import Device, DeviceSample, RadioStation
from collectors.radios_vendors import (
    PROFILES,
    SYS_UPTIME,
    UNIFI_VAP,
    RadioProfile,
    StationTable,
    channel_mhz,
)
from collectors.snmp import (
    SnmpClient,
    Walk,
    as_int,
    as_mac,
    as_text,
    column,
    counter_delta,
    index_mac,
    shared_client,
)

STATION_COLUMNS = ("name", "ip", "signal_dbm", "noise_dbm", "ccq_pct", "tx_rate_mbps", "rx_rate_mbps",
                   "distance_m", "capacity_mbps")
"""The RadioStation columns a station reading may fill."""


@dataclass(frozen=True)
class Station:
    """One station as the AP sees it: its MAC and what the family reports (store columns and more)."""

    mac: str
    values: Mapping[str, Any] = field(default_factory=dict)

    def get(self, key: str) -> Any:
        """One value, None when the family does not report it."""
        return self.values.get(key)


@dataclass(frozen=True)
class RadioPoll:
    """One poll of one AP: numeric health (metric -> value), its stations, details, uptime."""

    family: str
    metrics: Mapping[str, float]
    stations: tuple[Station, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    uptime_s: float | None = None
    values: int = 0


def parse_stations(table: StationTable, walk: Walk) -> list[Station]:
    """The station table: one Station per row with a MAC (from the index or its MAC column)."""
    rows: dict[tuple[int, ...], dict[str, Any]] = {}
    n = len(table.entry)
    by_number = {num: (key, dec) for key, (num, dec) in table.columns.items()}
    for name, value in walk.items():
        if name[:n] != table.entry or len(name) <= n + 1:
            continue
        col, index = name[n], name[n + 1:]
        if col in by_number:
            key, decode = by_number[col]
            rows.setdefault(index, {})[key] = decode(value)
        elif col == table.mac_column:
            rows.setdefault(index, {})["mac"] = as_mac(value)
    stations = []
    for index, values in sorted(rows.items()):
        mac = values.pop("mac", None) if table.mac_column else index_mac(index)
        if mac:
            stations.append(Station(mac, _derived(values)))
    return stations


def _derived(values: dict[str, Any]) -> dict[str, Any]:
    """Fill the common fields from family-specific ones (ePMP UL RSSI/SNR/quality, LTU chains)."""
    chains = [values[k] for k in ("chain0_dbm", "chain1_dbm") if values.get(k) is not None]
    if values.get("signal_dbm") is None:
        values["signal_dbm"] = values.get("ul_rssi_dbm", max(chains) if chains else None)
    if values.get("noise_dbm") is None and values.get("signal_dbm") is not None \
            and values.get("ul_snr_db") is not None:
        values["noise_dbm"] = values["signal_dbm"] - values["ul_snr_db"]
    if values.get("ccq_pct") is None and values.get("quality_pct") is not None:
        values["ccq_pct"] = values["quality_pct"]
    return values


def parse_unifi(walk: Walk) -> tuple[dict[str, float], dict[str, Any]]:
    """UniFi VAPs: clients in total, per radio (ng/na) and per SSID; frequency and power per radio."""
    radios = {i: as_text(v) or "?" for i, v in column(walk, (*UNIFI_VAP, 9)).items()}
    ssids = {i: as_text(v) or "?" for i, v in column(walk, (*UNIFI_VAP, 6)).items()}
    by_radio: dict[str, int] = {}
    by_ssid: dict[str, int] = {}
    for index, value in column(walk, (*UNIFI_VAP, 8)).items():
        count = as_int(value) or 0
        by_radio[radios.get(index, "?")] = by_radio.get(radios.get(index, "?"), 0) + count
        by_ssid[ssids.get(index, "?")] = by_ssid.get(ssids.get(index, "?"), 0) + count
    frequency = {radios.get(i, "?"): channel_mhz(v) for i, v in column(walk, (*UNIFI_VAP, 4)).items()}
    power = {radios.get(i, "?"): as_int(v) for i, v in column(walk, (*UNIFI_VAP, 21)).items()}
    metrics = {"clients": float(sum(by_radio.values()))}
    details = {"clients_by_radio": by_radio, "clients_by_ssid": by_ssid, "frequency_mhz_by_radio": frequency,
               "tx_power_dbm_by_radio": power}
    return metrics, details


def parse_radio(profile: RadioProfile, walk: Walk, *, values: int = 0) -> RadioPoll:
    """Scalars and tables of one AP (GET and walk results merged in ``walk``) -> RadioPoll."""
    metrics: dict[str, float] = {}
    for metric, (name, decode) in profile.scalars.items():
        if name in walk and (value := decode(walk[name])) is not None:
            metrics[metric] = float(value)
    stations = tuple(parse_stations(profile.stations, walk)) if profile.stations else ()
    details: dict[str, Any] = {}
    if profile.family == "unifi":
        extra, details = parse_unifi(walk)
        metrics.update(extra)
    if stations and "clients" not in metrics:
        metrics["clients"] = float(len(stations))
    ticks = as_int(walk.get(SYS_UPTIME))
    return RadioPoll(profile.family, metrics, stations, details,
                     None if ticks is None else ticks / 100, values or len(walk))


def traffic_rates(previous: Mapping[str, Any], poll: RadioPoll, *, now: datetime) -> dict[str, float]:
    """Stations' tx/rx bit/s since the previous poll's counters; none across a reboot or reset."""
    before = previous.get("stations") or {}
    elapsed = _seconds_since(previous.get("at"), now)
    if not before or elapsed is None or elapsed <= 0:
        return {}
    if poll.uptime_s is not None and poll.uptime_s < float(previous.get("uptime_s") or 0):
        return {}
    totals: dict[str, float] = {}
    for sta in poll.stations:
        old = before.get(sta.mac)
        for n, key in enumerate(("tx_bytes", "rx_bytes")):
            delta = counter_delta(old[n] if old else None, sta.get(key))
            if delta is not None:
                totals[key] = totals.get(key, 0.0) + delta
    return {f"{k[:2]}_bps": round(v * 8 / elapsed, 1) for k, v in totals.items()}


def _seconds_since(at: Any, now: datetime) -> float | None:
    try:
        return (now - datetime.fromisoformat(str(at))).total_seconds()
    except ValueError:
        return None


def counters_of(poll: RadioPoll, *, now: datetime) -> dict[str, Any]:
    """The byte counters to keep on the device for the next poll's rates."""
    stations = {s.mac: [s.get("tx_bytes"), s.get("rx_bytes")] for s in poll.stations
                if s.get("tx_bytes") is not None or s.get("rx_bytes") is not None}
    return {"at": now.isoformat(), "uptime_s": poll.uptime_s, "stations": stations}


def expected_rows(profile: RadioProfile, scalars: Walk) -> int:
    """How many rows the AP's tables should hold: its own count (clients) when it gives one."""
    if profile.rows_metric is not None and profile.rows_metric in profile.scalars:
        count = as_int(scalars.get(profile.scalars[profile.rows_metric][0]))
        if count is not None and count >= 0:
            return count
    return profile.rows


class RadioCollector:
    """Radios (APs) with SNMP access, by the family the inventory gave (Device.model)."""

    family = SourceKind.RADIO_SNMP

    def __init__(self, client: SnmpClient | None = None) -> None:
        self.client = client or shared_client()
        self._own_client = client is not None

    def selects(self, device: Device) -> bool:
        """Radios of a known family with an SNMP port."""
        return device.kind == DeviceKind.RADIO and device.snmp_port is not None and device.model in PROFILES

    async def poll(self, target: Target) -> RadioPoll:
        """GET the AP's scalars (one request), then walk its columns sized by the row count the
        AP reports (usually one more request), then parse."""
        profile = PROFILES.get(target.model or "")
        if profile is None:
            raise CollectError(f"{target.name}: unknown radio family {target.model!r}")
        session = await self.client.session(target.host, target.snmp_port, target.community)
        try:
            scalars = await session.get([SYS_UPTIME, *(name for name, _ in profile.scalars.values())])
            tables = await session.walk_all(profile.roots, rows=expected_rows(profile, scalars)) \
                if profile.roots else {}
        finally:
            session.close()
        if len(scalars) <= 1 and not tables:
            raise CollectError(f"{target.name}: the agent has none of the {profile.family} OIDs")
        return parse_radio(profile, {**scalars, **tables}, values=session.values)

    def save(self, session: Session, target: Target, result: RadioPoll, *, now: datetime) -> int:
        """Stations upserted (gone ones removed), the AP's row updated, samples appended."""
        device = session.get(Device, target.device_id)
        if device is None:
            raise CollectError(f"{target.name}: device {target.device_id} is not in the store")
        written = _save_stations(session, target.device_id, result.stations, now=now)
        details = dict(device.details or {})
        rates = traffic_rates(details.get("counters") or {}, result, now=now)
        metrics = {**result.metrics, **rates}
        for stale in ("tx_bps", "rx_bps"):  # a rate is only ever the last poll's
            details.pop(stale, None)
        details.update(result.details)
        details.update(metrics)
        details["counters"] = counters_of(result, now=now)
        device.details, device.status = details, DeviceStatus.UP
        if result.uptime_s is not None:
            device.uptime_s = int(result.uptime_s)
        session.add_all(DeviceSample(device_id=device.id, at=now, metric=m, value=v)
                        for m, v in metrics.items())
        session.flush()
        return written + len(metrics)

    def close(self) -> None:
        """Close the SNMP engine's sockets (only a client of its own: the shared one closes with the loop)."""
        if self._own_client:
            self.client.close()


def _save_stations(session: Session, device_id: int, stations: tuple[Station, ...], *, now: datetime) -> int:
    """Upsert by (device, MAC); delete the rows of stations no longer associated."""
    rows = session.scalars(select(RadioStation).where(RadioStation.device_id == device_id))
    existing = {r.mac: r for r in rows}
    seen = {s.mac for s in stations}
    gone = [mac for mac in existing if mac not in seen]
    if gone:
        session.execute(delete(RadioStation).where(RadioStation.device_id == device_id,
                                                   RadioStation.mac.in_(gone)))
    written = 0
    for sta in stations:
        row = existing.get(sta.mac) or RadioStation(device_id=device_id, mac=sta.mac)
        for key in STATION_COLUMNS:
            value = sta.get(key)
            setattr(row, key, int(value) if key == "distance_m" and value is not None else value)
        row.updated_at = now
        written += sum(1 for k in STATION_COLUMNS if sta.get(k) is not None)
        session.add(row)
    return written
