"""v2 SMS: balance, send one, broadcast (resource-intensive: 10 a minute per client)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import sms as svc
from api.deps import NowDep, RuntimeDep, SessionDep, V2Client, guard, intensive
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut
from api.schemas.sms import SmsBalanceRead, SmsBroadcastIn, SmsBroadcastRead, SmsSendIn, SmsSentRead

router = APIRouter(prefix="/api/v2/sms", tags=["sms v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.get("/balance")
def balance(session: SessionDep, principal: V2Client, runtime: RuntimeDep) -> DataOut[SmsBalanceRead]:
    """The SMS credits left."""
    left = svc.balance(session, principal.operator_id, initial=runtime.settings.sms_initial_credits)
    return DataOut(data=SmsBalanceRead(balance=left))


@router.post("/send")
def send(body: SmsSendIn, session: SessionDep, principal: V2Client, runtime: RuntimeDep,
         now: NowDep) -> DataOut[SmsSentRead]:
    """Queue one text; the answer carries the credits used and left."""
    phone = svc.normalise(body.phone, region=runtime.settings.default_region, field="phone")
    request = svc.SmsRequest([phone], body.message, operator_id=principal.operator_id)
    done = svc.queue(session, request, initial=runtime.settings.sms_initial_credits, now=now)
    return DataOut(data=SmsSentRead(message_id=done.message_ids[0], status="queued", phone=phone,
                                    credits_used=done.credits_used, credits_remaining=done.credits_remaining))


@router.post("/broadcast", status_code=202, dependencies=[Depends(intensive)])
def broadcast(body: SmsBroadcastIn, session: SessionDep, principal: V2Client, runtime: RuntimeDep,
              now: NowDep) -> DataOut[SmsBroadcastRead]:
    """Queue one text to each phone (duplicates once); any invalid phone refuses the whole batch."""
    region = runtime.settings.default_region
    phones = [svc.normalise(p, region=region, field=f"phones.{i}") for i, p in enumerate(body.phones)]
    request = svc.SmsRequest(list(dict.fromkeys(phones)), body.message, principal.operator_id, broadcast=True)
    done = svc.queue(session, request, initial=runtime.settings.sms_initial_credits, now=now)
    return DataOut(data=SmsBroadcastRead(
        broadcast_id=done.broadcast_id or "", status="queued", recipients=len(done.message_ids),
        credits_used=done.credits_used, credits_remaining=done.credits_remaining,
        message_ids=done.message_ids))
