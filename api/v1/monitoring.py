"""v1 monitoring: the NOC dashboard, radios, ONUs, device access logs, status checks and Zabbix.

ONUs are a customer's (every role; an operator's client sees its customers' ONUs); the rest is the
ISP's own network (admin, NOC, read-only; not operator-scoped clients)."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from api import queries_logs as ql
from api import queries_network as qn
from api.deps import NowDep, PageDep, PageParams, SessionDep, V1Client, guard
from api.filters import CheckFilter, LogFilter, LowOpticsDep, OnuFilter, ProblemFilter, RadioFilter
from api.models import ApiVersion
from api.noc import noc_summary
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, ListOut, page_out
from api.schemas.logs import AccessLogRead
from api.schemas.monitoring import CheckRead, NocDashboardRead, ProblemRead
from api.schemas.network import OnuRead, RadioRead
from collectors.enums import Vendor

router = APIRouter(prefix="/api/v1", tags=["monitoring v1"], responses=ERRORS)
NETWORK = [Depends(guard(ApiVersion.V1, Area.NETWORK))]
SUBSCRIBER = [Depends(guard(ApiVersion.V1, Area.SUBSCRIBER))]


@router.get("/noc/dashboard", dependencies=NETWORK)
def noc_dashboard(session: SessionDep, now: NowDep, low_dbm: LowOpticsDep) -> DataOut[NocDashboardRead]:
    """Devices up/down by kind, ONUs offline and with low optics, sessions, problems, suspension, money."""
    return DataOut(data=NocDashboardRead.of(noc_summary(session, now=now, low_dbm=low_dbm)))


def _radios(session: Session, paging: PageParams, flt: RadioFilter, vendor: Vendor) -> ListOut[RadioRead]:
    page = qn.list_radios(session, flt, vendor=vendor, page=paging.page, per_page=paging.per_page)
    return page_out(page, RadioRead.of)


@router.get("/monitoring/ubiquiti", dependencies=NETWORK)
def ubiquiti(session: SessionDep, paging: PageDep,
             flt: Annotated[RadioFilter, Query()]) -> ListOut[RadioRead]:
    """Ubiquiti radios (airOS, UniFi) with their links."""
    return _radios(session, paging, flt, Vendor.UBIQUITI)


@router.get("/monitoring/cambium", dependencies=NETWORK)
def cambium(session: SessionDep, paging: PageDep, flt: Annotated[RadioFilter, Query()]) -> ListOut[RadioRead]:
    """Cambium radios (ePMP, PMP 450) with their links."""
    return _radios(session, paging, flt, Vendor.CAMBIUM)


@router.get("/monitoring/access-logs", dependencies=NETWORK)
def access_logs(session: SessionDep, paging: PageDep,
                flt: Annotated[LogFilter, Query()]) -> ListOut[AccessLogRead]:
    """Logins to devices' management (ssh, winbox, api, web), newest first."""
    page = ql.list_access_logs(session, flt, page=paging.page, per_page=paging.per_page)
    return page_out(page, AccessLogRead.of)


@router.get("/monitoring/onus", dependencies=SUBSCRIBER)
def onus(session: SessionDep, principal: V1Client, paging: PageDep, low_dbm: LowOpticsDep,
         flt: Annotated[OnuFilter, Query()]) -> ListOut[OnuRead]:
    """ONUs with their last optics (an operator's client: its customers' ONUs)."""
    page = qn.list_onus(session, flt, operator_id=principal.operator_id, page=paging.page,
                        per_page=paging.per_page)
    return page_out(page, partial(OnuRead.of, low_dbm=low_dbm))


@router.get("/monitoring/status-checks", dependencies=NETWORK)
def status_checks(session: SessionDep, paging: PageDep,
                  flt: Annotated[CheckFilter, Query()]) -> ListOut[CheckRead]:
    """Infrastructure checks (ICMP, TCP, HTTP) and their last results."""
    return page_out(qn.list_checks(session, flt, page=paging.page, per_page=paging.per_page), CheckRead.of)


@router.get("/monitoring/zabbix", dependencies=NETWORK)
def zabbix(session: SessionDep, paging: PageDep,
           flt: Annotated[ProblemFilter, Query()]) -> ListOut[ProblemRead]:
    """Zabbix problems (open ones unless told otherwise), worst and newest first."""
    return page_out(qn.list_problems(session, flt, page=paging.page, per_page=paging.per_page),
                    ProblemRead.of)
