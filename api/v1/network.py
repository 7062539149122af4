"""v1 network: the routers and OLTs of the inventory, with their health (NOC, admin, read-only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api import queries_network as qn
from api.deps import PageDep, SessionDep, guard
from api.filters import DeviceFilter, LowOpticsDep
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, ListOut, page_out
from api.schemas.network import OltRead, RouterRead

router = APIRouter(prefix="/api/v1", tags=["network v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.NETWORK))])


@router.get("/routers")
def list_routers(session: SessionDep, paging: PageDep,
                 flt: Annotated[DeviceFilter, Query()]) -> ListOut[RouterRead]:
    """Routers by name with their health and active sessions."""
    page = qn.list_routers(session, flt, page=paging.page, per_page=paging.per_page)
    return page_out(page, RouterRead.of)


@router.get("/olts")
def list_olts(session: SessionDep, paging: PageDep, low_dbm: LowOpticsDep,
              flt: Annotated[DeviceFilter, Query()]) -> ListOut[OltRead]:
    """OLTs by name with their PON ports and ONUs counted."""
    page = qn.list_olts(session, flt, low_dbm=low_dbm, page=paging.page, per_page=paging.per_page)
    return page_out(page, OltRead.of)
