"""API clients: create, list, rotate and delete; secrets are shown once and stored hashed."""

from __future__ import annotations

import ipaddress
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api import auth
from api.models import ApiClient, ApiRefreshToken, ApiVersion, RateTier
from billing.enums import StaffRole
from billing.errors import NotFound, ValidationError
from billing.models import Operator
from store.paging import Page, paginate

HASHER = PasswordHasher()


@dataclass(frozen=True)
class ClientCreate:
    """A new client: name, API version, rate tier, role, operator scope and allow-list."""

    name: str
    version: str = ApiVersion.V2.value
    tier: str = RateTier.STANDARD.value
    role: str = StaffRole.READ_ONLY.value
    operator_id: int | None = None
    allowed_ips: Sequence[str] = field(default_factory=tuple)


@dataclass(frozen=True)
class Credentials:
    """What a client gets once: a v2 client secret, or a v1 token pair."""

    client: ApiClient
    client_secret: str | None = None
    tokens: auth.TokenPair | None = None


def _choice(value: str, enum: type[ApiVersion] | type[RateTier] | type[StaffRole], name: str) -> str:
    allowed = [m.value for m in enum]
    if value not in allowed:
        raise ValidationError(f"must be one of {', '.join(allowed)}", field=name)
    return value


def parse_allow_list(entries: Sequence[str]) -> list[str]:
    """Normalise addresses and CIDRs (``10.0.0.0/8``, ``192.0.2.7``); reject anything else."""
    out: list[str] = []
    for entry in entries:
        try:
            out.append(str(ipaddress.ip_network(entry.strip(), strict=False)))
        except ValueError as exc:
            raise ValidationError(f"not an IP address or CIDR: {entry!r}", field="allowed_ips") from exc
    return out


def _validate(session: Session, data: ClientCreate) -> list[str]:
    if not data.name.strip() or len(data.name) > 120:
        raise ValidationError("name is required (at most 120 characters)", field="name")
    _choice(data.version, ApiVersion, "version")
    _choice(data.tier, RateTier, "tier")
    _choice(data.role, StaffRole, "role")
    if data.operator_id is not None and session.get(Operator, data.operator_id) is None:
        raise ValidationError("no such operator", field="operator_id")
    return parse_allow_list(data.allowed_ips)


def _issue(session: Session, client: ApiClient, *, key: str, now: datetime) -> Credentials:
    if client.version is ApiVersion.V1:
        pair = auth.issue_pair(session, auth.client_subject(client.id), client.generation, key=key, now=now)
        client.secret_hash = None
        return Credentials(client=client, tokens=pair)
    secret = secrets.token_urlsafe(32)
    client.secret_hash = HASHER.hash(secret)
    return Credentials(client=client, client_secret=secret)


def create_client(session: Session, data: ClientCreate, *, key: str, now: datetime) -> Credentials:
    """Create a client and hand out its credentials (v2: id + secret; v1: a token pair)."""
    networks = _validate(session, data)
    client = ApiClient(
        name=data.name.strip(), client_id=str(uuid.uuid4()), version=ApiVersion(data.version),
        tier=RateTier(data.tier), role=StaffRole(data.role), operator_id=data.operator_id,
        allowed_ips=networks, generation=1, created_at=now,
    )
    session.add(client)
    session.flush()
    return _issue(session, client, key=key, now=now)


def get_client(session: Session, client_pk: int) -> ApiClient:
    """One client by its numeric id."""
    client = session.get(ApiClient, client_pk)
    if client is None:
        raise NotFound("no such API client", field="id")
    return client


def list_clients(session: Session, *, page: int = 1, per_page: int = 20) -> Page[ApiClient]:
    """Every client, oldest first, with created and last-used times."""
    return paginate(session, select(ApiClient).order_by(ApiClient.id), page=page, per_page=per_page)


def rotate_secret(session: Session, client_pk: int, *, key: str, now: datetime) -> Credentials:
    """New credentials; every token issued before dies at once (the generation moves on)."""
    client = get_client(session, client_pk)
    client.generation += 1
    client.rotated_at = now
    session.execute(delete(ApiRefreshToken).where(ApiRefreshToken.subject == auth.client_subject(client.id)))
    return _issue(session, client, key=key, now=now)


def delete_client(session: Session, client_pk: int) -> None:
    """Remove a client; its tokens stop working on their next use."""
    client = get_client(session, client_pk)
    session.execute(delete(ApiRefreshToken).where(ApiRefreshToken.subject == auth.client_subject(client.id)))
    session.delete(client)
    session.flush()


def verify_secret(session: Session, client_id: str, secret: str) -> ApiClient | None:
    """The v2 client whose id and secret match, else None (argon2: only at token issue)."""
    client = session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if client is None or client.secret_hash is None:
        HASHER.hash(secret)  # same cost either way: no timing hint that the id exists
        return None
    try:
        HASHER.verify(client.secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return None
    return client
