"""v1 customer writes over billing.customers (B1): create, and actions (suspend, activate, disable, and
extend: one more prepaid period charged from the balance, billing.renewals)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

import billing.customers as svc
import billing.renewals as renewals
from api.deps import NowDep, SessionDep, V1Client, guard
from api.inputs import build
from api.models import ApiVersion
from api.permissions import Area
from api.runtime import push_path_customer
from api.schemas.common import ERRORS, DataOut, Id
from api.schemas.customers import CustomerActionIn, V1CustomerCreateIn, V1CustomerRead

router = APIRouter(prefix="/api/v1/customers", tags=["customers v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.BILLING))])
ACTIONS = {"suspend": "suspend_customer", "activate": "activate_customer", "disable": "disable_customer"}


@router.post("", status_code=201)
def create_customer(body: V1CustomerCreateIn, session: SessionDep, principal: V1Client,
                    now: NowDep) -> DataOut[V1CustomerRead]:
    """Create a customer."""
    data = build(svc.CustomerCreate, body, operator_id=principal.operator_id or body.operator_id)
    return DataOut(data=V1CustomerRead.of(svc.create_customer(session, data=data, now=now)))


@router.post("/{customer_id}/action", dependencies=[Depends(push_path_customer)])
def customer_action(customer_id: Id, body: CustomerActionIn, session: SessionDep, principal: V1Client,
                    now: NowDep) -> DataOut[V1CustomerRead]:
    """Suspend, activate or disable a customer, or extend a prepaid one by a period (charged); the
    customer's router follows at once."""
    if body.action == "extend":
        renewals.renew_prepaid(session, customer_id, now=now, operator_id=principal.operator_id)
        customer = svc.get_customer(session, customer_id, operator_id=principal.operator_id)
    else:
        action = getattr(svc, ACTIONS[body.action])
        customer = action(session, customer_id, now=now, reason=body.reason,
                          operator_id=principal.operator_id)
    return DataOut(data=V1CustomerRead.of(customer))
