"""Read side of the dashboard's logs: one tab per log table, searched and bounded in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from billing.models import Customer, SuspensionLog
from collectors.models import AccessLog, HotspotLog, PppAuthLog, RouterLog
from store.paging import Page, paginate


@dataclass(frozen=True)
class LogTab:
    """A log table as the logs page shows it: its time column, searched and shown columns."""

    name: str
    title: str
    model: Any
    at: InstrumentedAttribute[datetime]
    searched: tuple[InstrumentedAttribute[Any], ...]
    columns: tuple[str, ...]


TABS: dict[str, LogTab] = {t.name: t for t in (
    LogTab("hotspot", "Hotspot", HotspotLog, HotspotLog.at,
           (HotspotLog.message, HotspotLog.username, HotspotLog.address),
           ("at", "device_id", "event", "username", "address", "message")),
    LogTab("ppp", "PPP auth", PppAuthLog, PppAuthLog.at,
           (PppAuthLog.message, PppAuthLog.username, PppAuthLog.interface),
           ("at", "device_id", "event", "username", "interface", "message")),
    LogTab("router", "Router", RouterLog, RouterLog.at,
           (RouterLog.message, RouterLog.topics, RouterLog.source_ip),
           ("at", "device_id", "topics", "source_ip", "message")),
    LogTab("access", "Access", AccessLog, AccessLog.at,
           (AccessLog.message, AccessLog.user, AccessLog.address),
           ("at", "device_id", "event", "user", "via", "address", "message")),
    LogTab("suspension", "Auto-suspension", SuspensionLog, SuspensionLog.created_at,
           (SuspensionLog.reason, Customer.name),
           ("created_at", "customer_id", "customer", "action", "reason", "amount_due", "run_id")),
)}


@dataclass(frozen=True)
class LogQuery:
    """Which tab, what to search for and the time range (either end open)."""

    tab: str = "hotspot"
    q: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _row(tab: LogTab, found: Any) -> dict[str, Any]:
    entry, name = (found, None) if tab.model is not SuspensionLog else found
    row = {c: getattr(entry, c, None) for c in tab.columns if c != "customer"}
    if tab.model is SuspensionLog:
        row["customer"] = name
    return row


def search_logs(session: Session, query: LogQuery, *, page: int, per_page: int = 50) -> Page[dict[str, Any]]:
    """One tab's lines, newest first, as plain rows keyed by the tab's columns."""
    tab = TABS[query.tab]
    stmt = (select(SuspensionLog, Customer.name).join(Customer, Customer.id == SuspensionLog.customer_id)
            if tab.model is SuspensionLog else select(tab.model))
    if query.q:
        stmt = stmt.where(or_(*(column.ilike(f"%{query.q}%") for column in tab.searched)))
    if query.since is not None:
        stmt = stmt.where(tab.at >= query.since)
    if query.until is not None:
        stmt = stmt.where(tab.at < query.until)
    found = paginate(session, stmt.order_by(tab.at.desc(), tab.model.id.desc()), page=page, per_page=per_page)
    return Page([_row(tab, f) for f in found.items], found.page, found.per_page, found.total)
