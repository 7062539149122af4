"""v2 network: routers, OLTs and IP pools (the ISP's network: admin, NOC, read-only), and ONUs and
subscriber sessions (a customer's: every role; an operator's client sees its customers' only)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api import queries_logs as ql
from api import queries_network as qn
from api.deps import NowDep, PageDep, SessionDep, V2Client, guard
from api.filters import (
    DAY,
    DeviceFilter,
    LowOpticsDep,
    OnuFilter,
    PoolFilter,
    SessionFilter,
    TimeRange,
    window,
)
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out
from api.schemas.network import (
    OltRead,
    OnuDetail,
    OnuRead,
    OpticsHistory,
    PoolRead,
    RouterDetail,
    RouterRead,
    SessionRead,
)

router = APIRouter(prefix="/api/v2/network", tags=["network v2"], responses=ERRORS)
NETWORK = [Depends(guard(ApiVersion.V2, Area.NETWORK))]
SUBSCRIBER = [Depends(guard(ApiVersion.V2, Area.SUBSCRIBER))]


@router.get("/routers", dependencies=NETWORK)
def list_routers(session: SessionDep, paging: PageDep,
                 flt: Annotated[DeviceFilter, Query()]) -> ListOut[RouterRead]:
    """Routers by name with their health and active sessions."""
    page = qn.list_routers(session, flt, page=paging.page, per_page=paging.per_page)
    return page_out(page, RouterRead.of)


@router.get("/routers/{router_id}", dependencies=NETWORK)
def get_router(router_id: Id, session: SessionDep) -> DataOut[RouterDetail]:
    """One router with its interfaces, IP pools and active sessions."""
    return DataOut(data=RouterDetail.of(qn.get_router(session, router_id)))


@router.get("/olts", dependencies=NETWORK)
def list_olts(session: SessionDep, paging: PageDep, low_dbm: LowOpticsDep,
              flt: Annotated[DeviceFilter, Query()]) -> ListOut[OltRead]:
    """OLTs by name with their PON ports and ONUs counted."""
    page = qn.list_olts(session, flt, low_dbm=low_dbm, page=paging.page, per_page=paging.per_page)
    return page_out(page, OltRead.of)


@router.get("/pools", dependencies=NETWORK)
def list_pools(session: SessionDep, paging: PageDep,
               flt: Annotated[PoolFilter, Query()]) -> ListOut[PoolRead]:
    """IP pools by router and name, with how much of each is used."""
    return page_out(qn.list_pools(session, flt, page=paging.page, per_page=paging.per_page), PoolRead.of)


@router.get("/onus", dependencies=SUBSCRIBER)
def list_onus(session: SessionDep, principal: V2Client, paging: PageDep, low_dbm: LowOpticsDep,
              flt: Annotated[OnuFilter, Query()]) -> ListOut[OnuRead]:
    """ONUs by OLT, PON port and index, with their last optics."""
    page = qn.list_onus(session, flt, operator_id=principal.operator_id, page=paging.page,
                        per_page=paging.per_page)
    return page_out(page, partial(OnuRead.of, low_dbm=low_dbm))


@router.get("/onus/{onu_id}", dependencies=SUBSCRIBER)
def get_onu(onu_id: Id, session: SessionDep, principal: V2Client, now: NowDep,
            low_dbm: LowOpticsDep) -> DataOut[OnuDetail]:
    """One ONU with its optical levels over the last 24 hours."""
    view = qn.get_onu(session, onu_id, operator_id=principal.operator_id, since=now - DAY)
    return DataOut(data=OnuDetail.of(view, low_dbm))


@router.get("/onus/{onu_id}/optics", dependencies=SUBSCRIBER)
def onu_optics(onu_id: Id, session: SessionDep, principal: V2Client, now: NowDep,
               period: Annotated[TimeRange, Query()]) -> DataOut[OpticsHistory]:
    """An ONU's optical levels for a chart (default: the last 24 hours; at most 31 days)."""
    start, end = window(period, now)
    rows = qn.onu_optics(session, onu_id, operator_id=principal.operator_id, start=start, end=end)
    return DataOut(data=OpticsHistory.of(onu_id, start, end, rows))


@router.get("/sessions", dependencies=SUBSCRIBER)
def list_sessions(session: SessionDep, principal: V2Client, paging: PageDep,
                  flt: Annotated[SessionFilter, Query()]) -> ListOut[SessionRead]:
    """PPP and hotspot sessions (active ones unless told otherwise), newest first."""
    page = ql.list_sessions(session, flt, operator_id=principal.operator_id, page=paging.page,
                            per_page=paging.per_page)
    return page_out(page, SessionRead.of)
