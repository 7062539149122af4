"""v2 bill writes over billing.bills (B2): create, update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

import billing.bills as svc
from api.deps import NowDep, SessionDep, V2Client, guard
from api.inputs import build
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.billing import BillCreateIn, BillRead, BillUpdateIn
from api.schemas.common import ERRORS, DataOut, Id

router = APIRouter(prefix="/api/v2/billing/bills", tags=["billing v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.post("", status_code=201)
def create_bill(body: BillCreateIn, session: SessionDep, principal: V2Client,
                now: NowDep) -> DataOut[BillRead]:
    """Create a bill for a customer."""
    bill = svc.create_bill(session, data=build(svc.BillCreate, body), now=now,
                           operator_id=principal.operator_id)
    return DataOut(data=BillRead.of(bill))


@router.put("/{bill_id}")
def update_bill(bill_id: Id, body: BillUpdateIn, session: SessionDep, principal: V2Client,
                now: NowDep) -> DataOut[BillRead]:
    """Change a bill's amount, due date, description or status."""
    bill = svc.update_bill(session, bill_id, data=build(svc.BillUpdate, body), now=now,
                           operator_id=principal.operator_id)
    return DataOut(data=BillRead.of(bill))


@router.delete("/{bill_id}", status_code=204, response_class=Response)
def delete_bill(bill_id: Id, session: SessionDep, principal: V2Client, now: NowDep) -> Response:
    """Delete (cancel) a bill."""
    svc.delete_bill(session, bill_id, now=now, operator_id=principal.operator_id)
    return Response(status_code=204)
