"""OLTs over SNMP (Huawei, ZTE, V-SOL, BDCOM, UFiber): ONU list, status, optics and distance, and
PON-level figures, read with the vendor's profile (``collectors.olt_snmp_vendors``).

``parse_olt`` is pure (a raw walk -> ``OltPoll``); ``OltSnmpCollector`` walks and saves through
``collectors.onus.upsert_onus``, which both OLT families share.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.base import CollectError, Target
from collectors.enums import DeviceKind, DeviceStatus, OnuStatus, SourceKind
from collectors.models import Device, PonPort
from collectors.olt_snmp_vendors import OPTICS, PROFILES, Column, OltProfile
from collectors.onus import OnuReading, upsert_onus
from collectors.snmp import Oid, SnmpClient, Walk, as_int, as_text, column, shared_client


@dataclass(frozen=True)
class PonSnmp:
    """One PON port as the OLT reports it (None = not reported)."""

    name: str
    tx_dbm: float | None = None
    online: int | None = None
    offline: int | None = None


@dataclass(frozen=True)
class OltPoll:
    """One poll of one OLT: its ONUs (as store readings), its PON ports, values received."""

    onus: tuple[OnuReading, ...]
    pons: tuple[PonSnmp, ...]
    values: int = 0


def _by_column(walk: Walk, columns: tuple[Column, ...]) -> dict[Oid, dict[Oid, Any]]:
    """One pass over the walk: column OID -> {index: raw value}, for the profile's columns only."""
    wanted = {c.oid for c in columns}
    lengths = sorted({len(c.oid) for c in columns})
    out: dict[Oid, dict[Oid, Any]] = defaultdict(dict)
    for key, value in walk.items():
        for n in lengths:
            if key[:n] in wanted:
                out[key[:n]][key[n:]] = value
    return out


def parse_onus(profile: OltProfile, walk: Walk) -> list[OnuReading]:
    """The ONUs in a walk, keyed (PON, ONU index); an offline ONU's optics are None."""
    raw = _by_column(walk, profile.columns)
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for col in profile.columns:
        for index, value in raw.get(col.oid, {}).items():
            key = profile.index(index)
            if key is not None:
                rows.setdefault(key, {})[col.key] = col.decode(value)
    if profile.pon_of_onu is not None:
        rows = _place_on_pons(profile, walk, rows)
    optics = [c.key for c in profile.columns if c.key in OPTICS]
    for values in rows.values():
        if values.get("status") == OnuStatus.OFFLINE:
            values.update((k, None) for k in optics)
    return [OnuReading(pon, index, values) for (pon, index), values in sorted(rows.items())]


def _place_on_pons(profile: OltProfile, walk: Walk, rows: dict[tuple[str, int], dict[str, Any]]
                   ) -> dict[tuple[str, int], dict[str, Any]]:
    """For OLTs whose ONU index names no PON (UFiber): the PON number from its own column."""
    assert profile.pon_of_onu is not None
    placed: dict[tuple[str, int], dict[str, Any]] = {}
    for index, value in column(walk, profile.pon_of_onu).items():
        key = profile.index(index)
        if key is not None and key in rows:
            placed[(f"pon{as_int(value) or 0}", key[1])] = rows.pop(key)
    placed.update(rows)
    return placed


def parse_pons(profile: OltProfile, walk: Walk) -> list[PonSnmp]:
    """The PON-level columns (SFP tx power, ONU counts), by PON name."""
    names: Mapping[Oid, str] = {}
    if profile.pon_names_from is not None:
        if_names = column(walk, profile.pon_names_from)
        names = {i: _pon_of_if_name(as_text(v) or "") for i, v in if_names.items()}
    found: dict[str, dict[str, Any]] = {}
    for col in profile.pon_columns:
        for index, value in column(walk, col.oid).items():
            name = names.get(index) if profile.pon_names_from is not None else profile.pon_name(index[0])
            if name:
                found.setdefault(name, {})[col.key] = col.decode(value)
    return [PonSnmp(name, **values) for name, values in sorted(found.items())]


def _pon_of_if_name(if_name: str) -> str:
    """``GPON0/1`` -> ``0/1`` (the PON part of an interface name); other interfaces -> ''."""
    lowered = if_name.lower()
    for prefix in ("gpon", "epon", "pon"):
        if lowered.startswith(prefix) and lowered[len(prefix):][:1].isdigit():
            return if_name[len(prefix):]
    return ""


def parse_olt(profile: OltProfile, walk: Walk, *, values: int = 0) -> OltPoll:
    """A whole OLT walk -> its ONUs and PON ports."""
    return OltPoll(tuple(parse_onus(profile, walk)), tuple(parse_pons(profile, walk)), values or len(walk))


class OltSnmpCollector:
    """OLTs with SNMP access: ONUs, their optics and the PON ports, by the device's vendor."""

    family = SourceKind.OLT_SNMP

    def __init__(self, client: SnmpClient | None = None) -> None:
        self.client = client or shared_client()
        self._own_client = client is not None

    def selects(self, device: Device) -> bool:
        """OLTs of a known vendor with an SNMP port."""
        return device.kind == DeviceKind.OLT and device.snmp_port is not None and device.vendor in PROFILES

    async def poll(self, target: Target) -> OltPoll:
        """Walk the vendor's subtrees and parse them."""
        profile = PROFILES.get(target.vendor)
        if profile is None:
            raise CollectError(f"{target.name}: no SNMP profile for OLT vendor {target.vendor}")
        session = await self.client.session(target.host, target.snmp_port, target.community)
        try:
            walk = await session.walk_all(profile.roots)
        finally:
            session.close()
        if not walk:
            raise CollectError(f"{target.name}: the agent has none of the {target.vendor} OLT tables")
        return parse_olt(profile, walk, values=session.values)

    def save(self, session: Session, target: Target, result: OltPoll, *, now: datetime) -> int:
        """Upsert the ONUs (shared with the SSH family), then the PON ports and the OLT's summary."""
        written = upsert_onus(session, target.device_id, result.onus, now=now) if result.onus else 0
        written += _save_pons(session, target.device_id, result.pons, now=now)
        device = session.get(Device, target.device_id)
        if device is not None:
            online = sum(1 for o in result.onus if o.values.get("status") == OnuStatus.ONLINE)
            device.status = DeviceStatus.UP
            device.details = {**(device.details or {}), "onus": len(result.onus), "onus_online": online,
                              "pons": len(result.pons)}
        session.flush()
        return written

    def close(self) -> None:
        """Close the SNMP engine's sockets (only a client of its own: the shared one closes with the loop)."""
        if self._own_client:
            self.client.close()


def _save_pons(session: Session, olt_id: int, pons: tuple[PonSnmp, ...], *, now: datetime) -> int:
    """SFP tx power per PON; ONU counts only where the OLT gives counts but no ONU table."""
    ports = {p.name: p for p in session.scalars(select(PonPort).where(PonPort.olt_id == olt_id))}
    written = 0
    for pon in pons:
        port = ports.get(pon.name) or PonPort(olt_id=olt_id, name=pon.name, onus_total=0, onus_online=0)
        if pon.tx_dbm is not None:
            port.tx_dbm, written = pon.tx_dbm, written + 1
        if pon.online is not None:
            port.onus_online = pon.online
            port.onus_total = pon.online + (pon.offline or 0)
            written += 2
        port.updated_at = now
        session.add(port)
    return written
