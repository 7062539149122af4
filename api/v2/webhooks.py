"""v2 webhook management: list, create (the secret shown once), update, delete, and the delivery log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api import webhooks as svc
from api.deps import NowDep, PageDep, RuntimeDep, SessionDep, V2Client, guard
from api.models import ApiVersion
from api.models_outbox import DeliveryStatus
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out
from api.schemas.webhooks import (
    DeliveryRead,
    WebhookCreatedRead,
    WebhookCreateIn,
    WebhookRead,
    WebhookUpdateIn,
)

router = APIRouter(prefix="/api/v2/webhooks", tags=["webhooks v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])
StatusQuery = Annotated[DeliveryStatus | None, Query(description="only this status")]


@router.get("")
def list_webhooks(session: SessionDep, principal: V2Client, paging: PageDep) -> ListOut[WebhookRead]:
    """All webhook endpoints in the caller's scope."""
    page = svc.list_webhooks(session, operator_id=principal.operator_id, page=paging.page,
                             per_page=paging.per_page)
    return page_out(page, WebhookRead.of)


@router.post("", status_code=201)
def create_webhook(body: WebhookCreateIn, session: SessionDep, principal: V2Client, runtime: RuntimeDep,
                   now: NowDep) -> DataOut[WebhookCreatedRead]:
    """Create an endpoint; its signing secret is in this response only (a non-public URL host is a 422)."""
    data = svc.WebhookCreate(url=str(body.url), events=body.events, active=body.active,
                             operator_id=principal.operator_id or body.operator_id,
                             allow_private=runtime.settings.webhook_allow_private)
    made = svc.create_webhook(session, data, key=runtime.settings.credentials_key, now=now)
    read = WebhookRead.of(made.endpoint)
    return DataOut(data=WebhookCreatedRead(**read.model_dump(), secret=made.secret))


@router.put("/{webhook_id}")
def update_webhook(webhook_id: Id, body: WebhookUpdateIn, session: SessionDep, principal: V2Client,
                   runtime: RuntimeDep, now: NowDep) -> DataOut[WebhookRead]:
    """Change an endpoint's URL, events or active flag."""
    data = svc.WebhookUpdate(url=str(body.url) if body.url else None, events=body.events, active=body.active,
                             allow_private=runtime.settings.webhook_allow_private)
    row = svc.update_webhook(session, webhook_id, data, now=now, operator_id=principal.operator_id)
    return DataOut(data=WebhookRead.of(row))


@router.delete("/{webhook_id}", status_code=204, response_class=Response)
def delete_webhook(webhook_id: Id, session: SessionDep, principal: V2Client) -> Response:
    """Delete an endpoint and its delivery log."""
    svc.delete_webhook(session, webhook_id, operator_id=principal.operator_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries")
def list_deliveries(webhook_id: Id, session: SessionDep, principal: V2Client, paging: PageDep,
                    status: StatusQuery = None) -> ListOut[DeliveryRead]:
    """An endpoint's deliveries, newest first: status, attempts, last status code and error."""
    page = svc.list_deliveries(session, webhook_id, operator_id=principal.operator_id, status=status,
                               page=paging.page, per_page=paging.per_page)
    return page_out(page, DeliveryRead.of)
