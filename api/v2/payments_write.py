"""v2 record a payment over billing.payments (B3); a retry with the same ``Idempotency-Key`` returns
the first result."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Header
from sqlalchemy.orm import Session

import billing.payments as svc
from api import queries
from api.deps import NowDep, SessionDep, V2Client, guard
from api.inputs import build
from api.models import ApiVersion
from api.permissions import Area
from api.runtime import PushDep
from api.schemas.billing import PaymentCreateIn, PaymentRead
from api.schemas.common import ERRORS, DataOut
from billing.errors import Conflict
from billing.models import Payment
from billing.policy import SuspensionPolicy

router = APIRouter(prefix="/api/v2/billing/payments", tags=["billing v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])
KeyHeader = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128,
                                         description="a retry with the same key returns the first result")]


def record_once(session: Session, body: PaymentCreateIn, *, key: str | None, now: datetime,
                operator_id: int | None, grace_days: int = 3) -> Payment:
    """The payment already recorded under ``key`` (the same request), else a new one."""
    earlier = queries.payment_by_key(session, key, operator_id=operator_id) if key else None
    if earlier is not None:
        if (earlier.customer_id, earlier.amount) != (body.customer_id, body.amount):
            raise Conflict("Idempotency-Key was used for a different payment", field="Idempotency-Key")
        return earlier
    data = build(svc.PaymentCreate, body, method=body.payment_method, idempotency_key=key)
    policy = SuspensionPolicy(grace_days=grace_days)
    payment: Payment = svc.record_payment(session, data=data, now=now, operator_id=operator_id, policy=policy)
    return payment


@router.post("", status_code=201)
async def record_payment(body: PaymentCreateIn, session: SessionDep, principal: V2Client, now: NowDep,
                         push: PushDep, idempotency_key: KeyHeader = None) -> DataOut[PaymentRead]:
    """Record a payment; it settles open bills oldest first and may reactivate the customer at once.

    The hot write path: the service and the answer's schema in one worker-thread hop (a sync route
    would take a second hop to validate its answer while holding the customer's lock)."""
    def record() -> DataOut[PaymentRead]:
        payment = record_once(session, body, key=idempotency_key, now=now, operator_id=principal.operator_id,
                              grace_days=push.runtime.settings.grace_days)
        push.after_commit(payment.customer_id)
        return DataOut(data=PaymentRead.of(payment))

    return await to_thread.run_sync(record)
