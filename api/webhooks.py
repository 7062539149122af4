"""Webhook endpoints: create (the secret is shown once), list, update, delete; sealing secrets at rest,
signing bodies and refusing URLs on non-public addresses. Delivery is ``api.delivery.deliver_webhooks``."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.models_outbox import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from billing.errors import NotFound, ValidationError
from billing.events import EVENTS
from store.paging import Page, paginate

SEALED = "fernet:"
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
NOT_PUBLIC = ("is not a public address (loopback, link-local, private, multicast or reserved); "
              "set ISPNOC_WEBHOOK_ALLOW_PRIVATE=true to allow receivers inside the network")


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


def sign_v2(timestamp: str, body: bytes, secret: str) -> str:
    """The ``X-Signature-V2``: hex HMAC-SHA256 of ``timestamp + "." + body``, so a replay can be refused."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, signature: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(body, secret), signature)


def _embedded(ip: Address) -> Address:
    """The IPv4 address an IPv6 one carries (mapped, 6to4 or NAT64), which is where it really goes."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    for carried in (ip.ipv4_mapped, ip.sixtofour):
        if carried is not None:
            return carried
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else ip


def public(ip: Address) -> bool:
    """A globally routable unicast address (an IPv6 one carrying an IPv4 address is judged by that)."""
    ip = _embedded(ip)
    return not (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_multicast
                or ip.is_unspecified or ip.is_reserved or not ip.is_global)


def _target(url: str) -> tuple[str, int]:
    """The host (an IPv6 literal without brackets, "" when there is none) and port a URL names."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "", 0
    return parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80)


def resolve(host: str, port: int) -> list[Address]:
    """The addresses ``host`` stands for: an IP literal is itself (no DNS), a name asks getaddrinfo."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def refusal(url: str) -> str | None:
    """Why ``url`` may not be POSTed to now (no host, a host that does not resolve or is not public)."""
    host, port = _target(url)
    if not host:
        return "the url has no host"
    try:
        found = resolve(host, port)
    except (OSError, ValueError) as exc:
        return f"the url's host {host} does not resolve ({exc})"[:300]
    return None if all(public(ip) for ip in found) else f"the url's host {host} {NOT_PUBLIC}"


def check_url(url: str, *, allow_private: bool) -> str:
    """``url`` unless its host is not public (a ValidationError on ``url``); unresolved names pass for now."""
    host, port = _target(url)
    if not host:
        raise ValidationError("the url has no host", field="url")
    if allow_private:
        return url
    try:
        found = resolve(host, port)
    except (OSError, ValueError):
        return url  # e.g. a DNS record not published yet: every delivery checks the address again
    if not all(public(ip) for ip in found):
        raise ValidationError(f"the url's host {host} {NOT_PUBLIC}", field="url")
    return url


@dataclass(frozen=True)
class WebhookCreate:
    """A new endpoint: where to POST and which events (``allow_private`` comes from the settings)."""

    url: str
    events: Sequence[str]
    active: bool = True
    operator_id: int | None = None
    allow_private: bool = False


@dataclass(frozen=True)
class WebhookUpdate:
    """Fields to change; None leaves a field as it is (``allow_private`` comes from the settings)."""

    url: str | None = None
    events: Sequence[str] | None = None
    active: bool | None = None
    allow_private: bool = False


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
    url = check_url(data.url, allow_private=data.allow_private)
    row = WebhookEndpoint(operator_id=data.operator_id, url=url, events=_events(data.events),
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
        row.url = check_url(data.url, allow_private=data.allow_private)
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
