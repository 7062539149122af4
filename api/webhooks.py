"""Webhook endpoints: create (the secret is shown once), list, update, delete; sealing secrets at rest
and signing bodies. Delivery is ``api.delivery.deliver_webhooks``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models_outbox import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from billing.errors import NotFound, ValidationError
from billing.events import EVENTS
from store.paging import Page, paginate

SEALED = "fernet:"


def seal(secret: str, key: SecretStr | None) -> str:
    """``secret`` encrypted with the Fernet ``key`` (prefixed), or as is when there is no key."""
    if key is None:
        return secret
    return SEALED + Fernet(key.get_secret_value().encode()).encrypt(secret.encode()).decode()


def unseal(stored: str, key: SecretStr | None) -> str:
    """The clear secret back from :func:`seal` (a sealed value needs the same key)."""
    if not stored.startswith(SEALED):
        return stored
    if key is None:
        raise ValueError("a sealed secret needs settings.credentials_key")
    try:
        return Fernet(key.get_secret_value().encode()).decrypt(stored[len(SEALED):].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("sealed secret does not open with this credentials_key") from exc


def sign(body: bytes, secret: str) -> str:
    """The ``X-Signature`` of a raw body: hex HMAC-SHA256 with the endpoint's secret."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), signature)


@dataclass(frozen=True)
class WebhookCreate:
    """A new endpoint: where to POST and which events."""

    url: str
    events: Sequence[str]
    active: bool = True
    operator_id: int | None = None


@dataclass(frozen=True)
class WebhookUpdate:
    """Fields to change; None leaves a field as it is."""

    url: str | None = None
    events: Sequence[str] | None = None
    active: bool | None = None


@dataclass(frozen=True)
class CreatedWebhook:
    """The new endpoint and its secret in clear (this is the only time it is shown)."""

    endpoint: WebhookEndpoint
    secret: str


def _events(events: Sequence[str]) -> list[str]:
    unknown = [e for e in events if e not in EVENTS]
    if unknown or not events:
        raise ValidationError(f"unknown or missing events: {', '.join(unknown) or 'none given'}",
                              field="events")
    return sorted(set(events))


def create_webhook(session: Session, data: WebhookCreate, *, key: SecretStr | None,
                   now: datetime) -> CreatedWebhook:
    """Store an endpoint with a fresh secret (sealed at rest)."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    row = WebhookEndpoint(operator_id=data.operator_id, url=data.url, events=_events(data.events),
                          active=data.active, secret=seal(secret, key), created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    return CreatedWebhook(row, secret)


def _scoped(operator_id: int | None) -> Any:
    return True if operator_id is None else WebhookEndpoint.operator_id == operator_id


def list_webhooks(session: Session, *, operator_id: int | None, page: int, per_page: int) -> Page[Any]:
    """Endpoints in the caller's scope, oldest first."""
    stmt = select(WebhookEndpoint).where(_scoped(operator_id)).order_by(WebhookEndpoint.id)
    return paginate(session, stmt, page=page, per_page=per_page)


def get_webhook(session: Session, webhook_id: int, *, operator_id: int | None) -> WebhookEndpoint:
    """One endpoint in scope, else NotFound."""
    row = session.get(WebhookEndpoint, webhook_id)
    if row is None or operator_id not in (None, row.operator_id):
        raise NotFound("webhook not found", field="id")
    return row


def update_webhook(session: Session, webhook_id: int, data: WebhookUpdate, *, now: datetime,
                   operator_id: int | None) -> WebhookEndpoint:
    """Change url, events or active."""
    row = get_webhook(session, webhook_id, operator_id=operator_id)
    if data.events is not None:
        row.events = _events(data.events)
    if data.url is not None:
        row.url = data.url
    if data.active is not None:
        row.active = data.active
    row.updated_at = now
    session.flush()
    return row


def delete_webhook(session: Session, webhook_id: int, *, operator_id: int | None) -> None:
    """Remove an endpoint with its deliveries and their log."""
    row = get_webhook(session, webhook_id, operator_id=operator_id)
    ids = select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == row.id)
    session.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(ids)))
    session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == row.id))
    session.delete(row)
    session.flush()


def list_deliveries(session: Session, webhook_id: int, *, operator_id: int | None,
                    status: DeliveryStatus | None, page: int, per_page: int) -> Page[Any]:
    """An endpoint's deliveries, newest first (optionally of one status)."""
    get_webhook(session, webhook_id, operator_id=operator_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == webhook_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return paginate(session, stmt.order_by(WebhookDelivery.id.desc()), page=page, per_page=per_page)
