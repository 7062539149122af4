"""v1 SMS: history, balance, send one."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import sms as svc
from api.deps import NowDep, PageDep, RuntimeDep, SessionDep, V1Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, ListOut, page_out
from api.schemas.sms import SmsBalanceRead, SmsRead, SmsSendIn, V1SmsSentRead

router = APIRouter(prefix="/api/v1/sms", tags=["sms v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.BILLING))])


@router.get("/history")
def history(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[SmsRead]:
    """SMS delivery history, newest first, with each text's status."""
    page = svc.history(session, operator_id=principal.operator_id, page=paging.page, per_page=paging.per_page)
    return page_out(page, SmsRead.of)


@router.get("/balance")
def balance(session: SessionDep, principal: V1Client, runtime: RuntimeDep) -> DataOut[SmsBalanceRead]:
    """The SMS credits left."""
    left = svc.balance(session, principal.operator_id, initial=runtime.settings.sms_initial_credits)
    return DataOut(data=SmsBalanceRead(balance=left))


@router.post("/send")
def send(body: SmsSendIn, session: SessionDep, principal: V1Client, runtime: RuntimeDep,
         now: NowDep) -> DataOut[V1SmsSentRead]:
    """Queue one text (sent by the delivery job); the phone is checked and stored in E.164."""
    phone = svc.normalise(body.phone, region=runtime.settings.default_region, field="phone")
    request = svc.SmsRequest([phone], body.message, operator_id=principal.operator_id)
    done = svc.queue(session, request, initial=runtime.settings.sms_initial_credits, now=now)
    return DataOut(data=V1SmsSentRead(message_id=done.message_ids[0], status="queued", phone=phone))
