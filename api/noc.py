"""The NOC dashboard's numbers: devices up/down by kind, ONUs, sessions, Zabbix problems, the last
suspension run and today's collections, in six queries whatever the size of the network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from api.filters import SEVERITIES
from api.queries_logs import last_suspension_run
from billing.enums import PaymentStatus
from billing.models import Payment, SuspensionRun
from collectors.enums import DeviceKind, DeviceStatus, OnuStatus, SessionKind
from collectors.models import Device, Onu, SubscriberSession, ZabbixProblem


@dataclass(frozen=True)
class OnuCounts:
    """ONUs in total, offline and receiving below the low-optics threshold."""

    total: int
    online: int
    offline: int
    low_optics: int
    low_optics_dbm: float


@dataclass(frozen=True)
class NocSummary:
    """What the NOC looks at first."""

    devices: dict[str, dict[str, int]]
    onus: OnuCounts
    sessions: dict[str, int]
    problems: dict[str, int]
    last_suspension_run: SuspensionRun | None
    payments_today: Decimal
    payments_today_count: int


def _devices(session: Session) -> dict[str, dict[str, int]]:
    counts = {kind.value: dict.fromkeys((s.value for s in DeviceStatus), 0) for kind in DeviceKind}
    stmt = select(Device.kind, Device.status, func.count()).where(Device.enabled.is_(True))
    for kind, status, n in session.execute(stmt.group_by(Device.kind, Device.status)):
        counts[str(kind)][str(status)] = int(n)
    return counts


def _onus(session: Session, low_dbm: float) -> OnuCounts:
    def of(status: OnuStatus) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((Onu.status == status, 1), else_=0)), 0)

    low = func.coalesce(func.sum(case((Onu.rx_dbm < low_dbm, 1), else_=0)), 0)
    total, online, offline, weak = session.execute(
        select(func.count(), of(OnuStatus.ONLINE), of(OnuStatus.OFFLINE), low)).one()
    return OnuCounts(int(total), int(online), int(offline), int(weak), low_dbm)


def _sessions(session: Session) -> dict[str, int]:
    counts = {kind.value: 0 for kind in SessionKind}
    stmt = (select(SubscriberSession.kind, func.count()).where(SubscriberSession.ended_at.is_(None))
            .group_by(SubscriberSession.kind))
    counts.update({str(kind): int(n) for kind, n in session.execute(stmt)})
    return counts


def _problems(session: Session) -> dict[str, int]:
    counts = dict.fromkeys(SEVERITIES, 0)
    stmt = (select(ZabbixProblem.severity, func.count()).where(ZabbixProblem.resolved_at.is_(None))
            .group_by(ZabbixProblem.severity))
    for level, n in session.execute(stmt):
        counts[SEVERITIES[min(max(int(level), 0), len(SEVERITIES) - 1)]] += int(n)
    return counts


def noc_summary(session: Session, *, now: datetime, low_dbm: float) -> NocSummary:
    """The NOC dashboard at ``now`` (today = ``now``'s UTC day); ONUs below ``low_dbm`` count as low."""
    day = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    paid = (select(func.coalesce(func.sum(Payment.amount), 0), func.count())
            .where(Payment.received_at >= day, Payment.status == PaymentStatus.COMPLETED))
    amount, count = session.execute(paid).one()
    return NocSummary(devices=_devices(session), onus=_onus(session, low_dbm), sessions=_sessions(session),
                      problems=_problems(session), last_suspension_run=last_suspension_run(session),
                      payments_today=Decimal(amount), payments_today_count=int(count))
