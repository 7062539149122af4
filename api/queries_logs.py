"""Read side of the log routes and subscriber sessions: newest first, one page in two or three queries.

Router and access logs are the ISP's own (no operator scope). Hotspot and PPP logs, sessions and the
auto-suspension log are a customer's: ``operator_id`` keeps only rows linked to that operator's
customers (rows linked to no customer are then not shown)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.filters import (
    HotspotLogFilter,
    LogFilter,
    PppLogFilter,
    SessionFilter,
    SessionState,
    SuspensionLogFilter,
)
from api.queries_network import between, eq, on_device, own_customers, search, where
from billing.models import SuspensionLog, SuspensionRun
from collectors.models import AccessLog, HotspotLog, PppAuthLog, RouterLog, SubscriberSession
from store.paging import Page, paginate


def list_router_logs(session: Session, flt: LogFilter, *, page: int, per_page: int) -> Page[RouterLog]:
    """Router log lines (syslog and /log), newest first."""
    stmt = where(select(RouterLog), on_device(session, RouterLog.device_id, flt.device),
                 between(RouterLog.at, flt.start, flt.end),
                 search(flt.q, RouterLog.message, RouterLog.topics))
    return paginate(session, stmt.order_by(RouterLog.at.desc(), RouterLog.id.desc()), page=page,
                    per_page=per_page)


def list_access_logs(session: Session, flt: LogFilter, *, page: int, per_page: int) -> Page[AccessLog]:
    """Logins to devices' management (ssh, winbox, api, web), newest first."""
    stmt = where(select(AccessLog), on_device(session, AccessLog.device_id, flt.device),
                 between(AccessLog.at, flt.start, flt.end),
                 search(flt.q, AccessLog.user, AccessLog.address, AccessLog.message))
    return paginate(session, stmt.order_by(AccessLog.at.desc(), AccessLog.id.desc()), page=page,
                    per_page=per_page)


def list_hotspot_logs(session: Session, flt: HotspotLogFilter, *, operator_id: int | None, page: int,
                      per_page: int) -> Page[HotspotLog]:
    """Hotspot logins, logouts and failures, newest first."""
    stmt = where(select(HotspotLog), own_customers(HotspotLog.customer_id, operator_id),
                 on_device(session, HotspotLog.device_id, flt.device), eq(HotspotLog.event, flt.event),
                 eq(HotspotLog.customer_id, flt.customer_id), between(HotspotLog.at, flt.start, flt.end),
                 search(flt.q, HotspotLog.username, HotspotLog.address, HotspotLog.message))
    return paginate(session, stmt.order_by(HotspotLog.at.desc(), HotspotLog.id.desc()), page=page,
                    per_page=per_page)


def list_ppp_logs(session: Session, flt: PppLogFilter, *, operator_id: int | None, page: int,
                  per_page: int) -> Page[PppAuthLog]:
    """PPP authentications, connects, disconnects and failures, newest first."""
    stmt = where(select(PppAuthLog), own_customers(PppAuthLog.customer_id, operator_id),
                 on_device(session, PppAuthLog.device_id, flt.device), eq(PppAuthLog.event, flt.event),
                 eq(PppAuthLog.customer_id, flt.customer_id), between(PppAuthLog.at, flt.start, flt.end),
                 search(flt.q, PppAuthLog.username, PppAuthLog.message))
    return paginate(session, stmt.order_by(PppAuthLog.at.desc(), PppAuthLog.id.desc()), page=page,
                    per_page=per_page)


def list_suspension_logs(session: Session, flt: SuspensionLogFilter, *, operator_id: int | None, page: int,
                         per_page: int) -> Page[SuspensionLog]:
    """What the auto-suspension runs did to whom, newest first."""
    stmt = where(select(SuspensionLog), own_customers(SuspensionLog.customer_id, operator_id),
                 eq(SuspensionLog.customer_id, flt.customer_id), eq(SuspensionLog.action, flt.action),
                 eq(SuspensionLog.run_id, flt.run_id), between(SuspensionLog.created_at, flt.start, flt.end))
    return paginate(session, stmt.order_by(SuspensionLog.created_at.desc(), SuspensionLog.id.desc()),
                    page=page, per_page=per_page)


def last_suspension_run(session: Session) -> SuspensionRun | None:
    """The newest auto-suspension run, if there was one."""
    return session.scalars(select(SuspensionRun).order_by(SuspensionRun.started_at.desc(),
                                                          SuspensionRun.id.desc()).limit(1)).first()


def list_sessions(session: Session, flt: SessionFilter, *, operator_id: int | None, page: int,
                  per_page: int) -> Page[SubscriberSession]:
    """PPP and hotspot sessions (active ones unless told otherwise), newest first."""
    ended = SubscriberSession.ended_at
    state = {SessionState.ACTIVE: ended.is_(None), SessionState.ENDED: ended.isnot(None)}.get(flt.status)
    stmt = where(select(SubscriberSession), own_customers(SubscriberSession.customer_id, operator_id), state,
                 on_device(session, SubscriberSession.device_id, flt.device),
                 eq(SubscriberSession.kind, flt.kind), eq(SubscriberSession.customer_id, flt.customer_id),
                 search(flt.q, SubscriberSession.username, SubscriberSession.address,
                        SubscriberSession.caller_id))
    return paginate(session, stmt.order_by(SubscriberSession.started_at.desc(), SubscriberSession.id.desc()),
                    page=page, per_page=per_page)
