"""Webhook shapes (v2 only): create, update, read (the secret only in the create answer), deliveries."""

from __future__ import annotations

from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from api.models_outbox import WebhookDelivery, WebhookEndpoint
from api.schemas.common import Id, UtcTime

Event = Literal["customer.created", "customer.suspended", "customer.activated", "customer.expired",
                "payment.received", "payment.completed", "bill.generated", "complaint.created",
                "voucher.activated"]
Url = AnyHttpUrl


class WebhookCreateIn(BaseModel):
    """A new endpoint: the URL to POST to and the events it wants."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "url": "https://your-server.example/webhooks/ispbills",
        "events": ["customer.created", "payment.received", "bill.generated"], "active": True}]})

    url: Url
    events: list[Event] = Field(min_length=1, max_length=20)
    active: bool = True
    operator_id: Id | None = Field(None, description="scope to one operator's events (unscoped callers)")


class WebhookUpdateIn(BaseModel):
    """The fields to change; anything left out stays as it is."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    url: Url | None = None
    events: list[Event] | None = Field(None, min_length=1, max_length=20)
    active: bool | None = None


class WebhookRead(BaseModel):
    """An endpoint (never its secret)."""

    id: int
    url: str
    events: list[str]
    active: bool
    operator_id: int | None
    created_at: UtcTime
    updated_at: UtcTime

    @classmethod
    def of(cls, w: WebhookEndpoint) -> WebhookRead:
        return cls(id=w.id, url=w.url, events=list(w.events), active=w.active, operator_id=w.operator_id,
                   created_at=w.created_at, updated_at=w.updated_at)


class WebhookCreatedRead(WebhookRead):
    """A new endpoint with its signing secret: shown in this answer only, store it now."""

    secret: str


class DeliveryRead(BaseModel):
    """One event's delivery to an endpoint and where it stands."""

    id: int
    event_id: str
    event: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: UtcTime
    delivered_at: UtcTime | None
    created_at: UtcTime

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryRead:
        return cls(id=d.id, event_id=d.uid, event=d.event, status=d.status.value, attempts=d.attempts,
                   last_status_code=d.last_status_code, last_error=d.last_error,
                   next_attempt_at=d.next_attempt_at, delivered_at=d.delivered_at, created_at=d.created_at)
