"""v2 monitoring of the ISP's network (admin, NOC, read-only; not operator-scoped clients): Zabbix
hosts and problems, the device status overview and chart samples, infrastructure status checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api import queries_network as qn
from api.deps import NowDep, PageDep, SessionDep, guard
from api.filters import CheckFilter, OverviewFilter, ProblemFilter, SampleFilter, ZabbixHostFilter, window
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out
from api.schemas.monitoring import CheckRead, ProblemRead, SamplesRead, ZabbixHostRead
from api.schemas.network import DeviceRead

router = APIRouter(prefix="/api/v2/monitoring", tags=["monitoring v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.NETWORK))])


@router.get("/zabbix/hosts")
def zabbix_hosts(session: SessionDep, paging: PageDep,
                 flt: Annotated[ZabbixHostFilter, Query()]) -> ListOut[ZabbixHostRead]:
    """Hosts Zabbix monitors, by name, with their open problems counted."""
    page = qn.list_zabbix_hosts(session, flt, page=paging.page, per_page=paging.per_page)
    return page_out(page, ZabbixHostRead.of)


@router.get("/zabbix/problems")
def zabbix_problems(session: SessionDep, paging: PageDep,
                    flt: Annotated[ProblemFilter, Query()]) -> ListOut[ProblemRead]:
    """Zabbix problems (open ones unless told otherwise), worst and newest first."""
    page = qn.list_problems(session, flt, page=paging.page, per_page=paging.per_page)
    return page_out(page, ProblemRead.of)


@router.get("/devices")
def devices(session: SessionDep, paging: PageDep,
            flt: Annotated[OverviewFilter, Query()]) -> ListOut[DeviceRead]:
    """Every device by name with its status and health."""
    page = qn.list_devices(session, flt, kind=flt.kind, page=paging.page, per_page=paging.per_page)
    return page_out(page, DeviceRead.of)


@router.get("/devices/{device_id}/samples")
def device_samples(device_id: Id, session: SessionDep, now: NowDep,
                   flt: Annotated[SampleFilter, Query()]) -> DataOut[SamplesRead]:
    """A device's chart data by metric (default: the last 24 hours; at most 31 days)."""
    start, end = window(flt, now)
    samples = qn.device_samples(session, device_id, metric=flt.metric, start=start, end=end)
    return DataOut(data=SamplesRead.of(device_id, start, end, samples))


@router.get("/status-checks")
def status_checks(session: SessionDep, paging: PageDep,
                  flt: Annotated[CheckFilter, Query()]) -> ListOut[CheckRead]:
    """Infrastructure checks (ICMP, TCP, HTTP) and their last results."""
    return page_out(qn.list_checks(session, flt, page=paging.page, per_page=paging.per_page), CheckRead.of)
