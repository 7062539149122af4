"""v1 dashboard summary."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import NowDep, SessionDep, V1Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut
from api.schemas.dashboard import DashboardRead
from api.summary import dashboard_summary

router = APIRouter(prefix="/api/v1", tags=["dashboard v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.BILLING))])


@router.get("/dashboard")
def dashboard(session: SessionDep, principal: V1Client, now: NowDep) -> DataOut[DashboardRead]:
    """Customers by status, open bills and payments today and this month (the caller's operator)."""
    summary = dashboard_summary(session, now=now, operator_id=principal.operator_id)
    return DataOut(data=DashboardRead.of(summary))
