"""Dashboard pages for the network: devices and ONUs, filterable, each with its history as a chart."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from markupsafe import Markup
from starlette.responses import Response

from api.deps import NowDep, SessionDep
from api.schemas.common import MAX_PAGE, as_id
from api.web import queries
from api.web.auth import StaffDep
from api.web.charts import Series, line_chart
from api.web.pages import low_optics_dbm
from api.web.render import blank, page
from billing.errors import NotFound
from collectors.enums import DeviceKind, DeviceStatus, OnuStatus

router = APIRouter(include_in_schema=False)
PageNo = Annotated[int, Query(ge=1, le=MAX_PAGE, alias="page")]


async def device_filter(kind: str | None = None, status: str | None = None,
                        q: str | None = None) -> queries.DeviceFilter:
    """The device list's filters from the query string."""
    return queries.DeviceFilter(blank(kind), blank(status), blank(q))


async def onu_filter(status: str | None = None, olt: str | None = None, low: str | None = None,
                     q: str | None = None) -> queries.OnuFilter:
    """The ONU list's filters from the query string."""
    olt_id = as_id(olt) if olt else None
    return queries.OnuFilter(blank(status), olt_id, bool(low), blank(q))


@router.get("/devices")
def devices(request: Request, staff: StaffDep, session: SessionDep,
            filters: Annotated[queries.DeviceFilter, Depends(device_filter)],
            page_no: PageNo = 1) -> Response:
    """Devices, narrowed by kind, status and a search."""
    found = queries.list_devices(session, filters, page=page_no)
    return page(request, "devices.html", staff, found=found, filters=filters, kinds=list(DeviceKind),
                statuses=list(DeviceStatus))


def _charts(detail: queries.DeviceDetail) -> list[Markup]:
    return [Markup(line_chart([Series(metric, points)], title=metric, unit=metric))
            for metric, points in sorted(detail.samples.items())]


@router.get("/devices/{device_id}")
def device(request: Request, device_id: int, staff: StaffDep, session: SessionDep, now: NowDep) -> Response:
    """One device: interfaces, radio stations, PON ports and a chart per sampled metric."""
    try:
        detail = queries.get_device(session, device_id, now=now)
    except NotFound:
        return page(request, "missing.html", staff, status_code=404, what="device")
    return page(request, "device.html", staff, detail=detail, charts=_charts(detail))


@router.get("/onus")
def onus(request: Request, staff: StaffDep, session: SessionDep,
         filters: Annotated[queries.OnuFilter, Depends(onu_filter)], page_no: PageNo = 1) -> Response:
    """ONUs, narrowed by status, OLT, low optics and a search."""
    threshold = low_optics_dbm(request.app.state.runtime)
    found = queries.list_onus(session, filters, low_optics_dbm=threshold, page=page_no)
    return page(request, "onus.html", staff, found=found, filters=filters, olts=queries.olts(session),
                statuses=list(OnuStatus), threshold=threshold)


@router.get("/onus/{onu_id}")
def onu(request: Request, onu_id: int, staff: StaffDep, session: SessionDep, now: NowDep) -> Response:
    """One ONU with its optics history."""
    threshold = low_optics_dbm(request.app.state.runtime)
    try:
        detail = queries.get_onu(session, onu_id, now=now)
    except NotFound:
        return page(request, "missing.html", staff, status_code=404, what="ONU")
    rx = [(s.at, s.rx_dbm) for s in detail.optics if s.rx_dbm is not None]
    tx = [(s.at, s.tx_dbm) for s in detail.optics if s.tx_dbm is not None]
    charts = [Markup(line_chart([Series("rx dBm", rx)], title="received optical level", unit="dBm",
                                marks=[(f"low optics {threshold} dBm", threshold)])),
              Markup(line_chart([Series("tx dBm", tx)], title="transmitted optical level", unit="dBm"))]
    return page(request, "onu.html", staff, detail=detail, charts=charts, threshold=threshold)
