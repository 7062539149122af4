"""v2 customer writes over billing.customers (B1): create, update, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

import billing.customers as svc
from api.deps import NowDep, SessionDep, V2Client, guard
from api.inputs import build
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id
from api.schemas.customers import CustomerCreateIn, CustomerRead, CustomerUpdatedRead, CustomerUpdateIn

router = APIRouter(prefix="/api/v2/customers", tags=["customers v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.post("", status_code=201)
def create_customer(body: CustomerCreateIn, session: SessionDep, principal: V2Client,
                    now: NowDep) -> DataOut[CustomerRead]:
    """Create a customer (a scoped client always creates under its own operator)."""
    data = build(svc.CustomerCreate, body, operator_id=principal.operator_id or body.operator_id)
    return DataOut(data=CustomerRead.of(svc.create_customer(session, data=data, now=now)))


@router.put("/{customer_id}")
def update_customer(customer_id: Id, body: CustomerUpdateIn, session: SessionDep, principal: V2Client,
                    now: NowDep) -> DataOut[CustomerUpdatedRead]:
    """Change some of a customer's fields."""
    customer = svc.update_customer(session, customer_id, data=build(svc.CustomerUpdate, body), now=now,
                                   operator_id=principal.operator_id)
    return DataOut(data=CustomerUpdatedRead.of(customer))


@router.delete("/{customer_id}", status_code=204, response_class=Response)
def delete_customer(customer_id: Id, session: SessionDep, principal: V2Client, now: NowDep) -> Response:
    """Delete a customer (kept in history, gone from the API)."""
    svc.delete_customer(session, customer_id, now=now, operator_id=principal.operator_id)
    return Response(status_code=204)
