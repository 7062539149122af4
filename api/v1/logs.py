"""v1 logs: router logs (the ISP's network) and hotspot, PPP and auto-suspension logs (a customer's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api import queries_logs as ql
from api.deps import PageDep, SessionDep, V1Client, guard
from api.filters import HotspotLogFilter, LogFilter, PppLogFilter, SuspensionLogFilter
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, ListOut, page_out
from api.schemas.logs import HotspotLogRead, PppLogRead, RouterLogRead, SuspensionLogRead

router = APIRouter(prefix="/api/v1/logs", tags=["logs v1"], responses=ERRORS)
NETWORK = [Depends(guard(ApiVersion.V1, Area.NETWORK))]
SUBSCRIBER = [Depends(guard(ApiVersion.V1, Area.SUBSCRIBER))]


@router.get("/router", dependencies=NETWORK)
def router_logs(session: SessionDep, paging: PageDep,
                flt: Annotated[LogFilter, Query()]) -> ListOut[RouterLogRead]:
    """Router log lines, newest first."""
    page = ql.list_router_logs(session, flt, page=paging.page, per_page=paging.per_page)
    return page_out(page, RouterLogRead.of)


@router.get("/hotspot", dependencies=SUBSCRIBER)
def hotspot_logs(session: SessionDep, principal: V1Client, paging: PageDep,
                 flt: Annotated[HotspotLogFilter, Query()]) -> ListOut[HotspotLogRead]:
    """Hotspot logins, logouts and failures, newest first (an operator's client: its customers')."""
    page = ql.list_hotspot_logs(session, flt, operator_id=principal.operator_id, page=paging.page,
                                per_page=paging.per_page)
    return page_out(page, HotspotLogRead.of)


@router.get("/ppp-auth", dependencies=SUBSCRIBER)
def ppp_logs(session: SessionDep, principal: V1Client, paging: PageDep,
             flt: Annotated[PppLogFilter, Query()]) -> ListOut[PppLogRead]:
    """PPP authentications and failures, newest first (an operator's client: its customers')."""
    page = ql.list_ppp_logs(session, flt, operator_id=principal.operator_id, page=paging.page,
                            per_page=paging.per_page)
    return page_out(page, PppLogRead.of)


@router.get("/auto-suspension", dependencies=SUBSCRIBER)
def suspension_logs(session: SessionDep, principal: V1Client, paging: PageDep,
                    flt: Annotated[SuspensionLogFilter, Query()]) -> ListOut[SuspensionLogRead]:
    """What the auto-suspension runs did, newest first (an operator's client: to its customers)."""
    page = ql.list_suspension_logs(session, flt, operator_id=principal.operator_id, page=paging.page,
                                   per_page=paging.per_page)
    return page_out(page, SuspensionLogRead.of)
