"""ONUs in the store, written by both OLT families (SSH CLI and SNMP): an upsert by (OLT, PON,
index) that sets only the columns a reading observed, an optics sample whenever optics were read,
and the link to the customer whose ``onu_serial`` matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, select, update
from sqlalchemy.orm import Session

from billing.models import Customer
from collectors.enums import OnuStatus
from collectors.models import Onu, OnuOpticsSample, PonPort

COLUMNS = frozenset({"serial", "mac", "description", "model", "status", "last_down_cause", "rx_dbm",
                     "tx_dbm", "olt_rx_dbm", "distance_m", "temperature_c"})
OPTICS = ("rx_dbm", "tx_dbm")


@dataclass(frozen=True)
class OnuReading:
    """What one poll saw of one ONU: only the columns in ``values`` were observed (None = the device
    said "unknown", which clears the column); columns left out keep what the store has."""

    pon: str
    onu_index: int
    values: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.values) - COLUMNS
        if unknown:
            raise ValueError(f"not an ONU column: {', '.join(sorted(unknown))}")


def upsert_onus(session: Session, olt_id: int, readings: Sequence[OnuReading], *, now: datetime) -> int:
    """Write ``readings`` for one OLT; returns how many values landed. Offline ONUs keep their row."""
    existing = {(o.pon, o.onu_index): o for o in session.scalars(select(Onu).where(Onu.olt_id == olt_id))}
    sampled: list[Onu] = []
    written = 0
    for reading in readings:
        onu = existing.get((reading.pon, reading.onu_index))
        if onu is None:
            onu = Onu(olt_id=olt_id, pon=reading.pon, onu_index=reading.onu_index,
                      status=OnuStatus.UNKNOWN, updated_at=now)
            session.add(onu)
            existing[(reading.pon, reading.onu_index)] = onu
        for key, value in reading.values.items():
            setattr(onu, key, value.upper() if key == "serial" and isinstance(value, str) else value)
        written += len(reading.values)
        onu.updated_at = now
        if reading.values.get("status") == OnuStatus.ONLINE:
            onu.last_seen_at = now
        if any(k in reading.values for k in OPTICS):
            sampled.append(onu)
    session.flush()
    session.add_all(OnuOpticsSample(onu_id=o.id, at=now, rx_dbm=o.rx_dbm, tx_dbm=o.tx_dbm) for o in sampled)
    _link_customers(session, olt_id)
    _count_pons(session, olt_id, now=now)
    session.flush()
    return written


def _link_customers(session: Session, olt_id: int) -> None:
    """Point each of the OLT's ONUs at the live customer with its serial (or at nobody). Both sides
    are upper case (billing and the upsert write them so), so the customers' serial index is used."""
    match = (select(Customer.id).where(Customer.onu_serial == Onu.serial, Customer.deleted_at.is_(None))
             .limit(1).scalar_subquery())
    session.execute(update(Onu).where(Onu.olt_id == olt_id).values(customer_id=match)
                    .execution_options(synchronize_session=False))


def _count_pons(session: Session, olt_id: int, *, now: datetime) -> None:
    """Refresh the OLT's PON ports: how many ONUs each has and how many are online."""
    counts: Mapping[str, tuple[int, int]] = {
        pon: (total, online or 0)
        for pon, total, online in session.execute(
            select(Onu.pon, func.count(), func.sum((Onu.status == OnuStatus.ONLINE).cast(Integer)))
            .where(Onu.olt_id == olt_id).group_by(Onu.pon))
    }
    ports = {p.name: p for p in session.scalars(select(PonPort).where(PonPort.olt_id == olt_id))}
    for name, (total, online) in counts.items():
        port = ports.get(name) or PonPort(olt_id=olt_id, name=name, updated_at=now)
        port.onus_total, port.onus_online, port.updated_at = total, int(online), now
        session.add(port)

