"""Token services: v1 login and refresh (one use, reuse kills the family), v2 client tokens, revoke,
and turning a bearer token into the principal of a request."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from api import tokens
from api.config import V1_REFRESH_SECONDS
from api.errors import TokenReused, Unauthorized
from api.models import ApiClient, ApiRefreshToken, ApiRevocation, ApiVersion, RateTier
from billing.enums import StaffRole
from billing.models import StaffUser


@dataclass(frozen=True)
class TokenPair:
    """A v1 access token and its one-use refresh token."""

    access_token: str
    refresh_token: str
    expires_in: int = tokens.LIFETIME[ApiVersion.V1]


@dataclass(frozen=True)
class Principal:
    """Who is calling: a staff user (v1 login) or an API client, with role, scope and limits."""

    kind: str
    id: int
    version: ApiVersion
    role: StaffRole
    operator_id: int | None
    tier: RateTier
    claims: tokens.Claims
    allowed_ips: tuple[str, ...] = ()

    @property
    def rate_key(self) -> str:
        return f"{self.version.value}:{self.kind}:{self.id}"


def client_subject(pk: int) -> str:
    return f"client:{pk}"


def user_subject(pk: int) -> str:
    return f"user:{pk}"


def parse_subject(subject: str) -> tuple[str, int]:
    """``client:3`` -> ("client", 3); anything else is an invalid token."""
    kind, _, raw = subject.partition(":")
    if kind not in ("client", "user") or not raw.isdigit():
        raise Unauthorized()
    return kind, int(raw)


def issue_pair(session: Session, subject: str, generation: int, *, key: str, now: datetime,
               family: str | None = None) -> TokenPair:
    """A v1 access token and a fresh refresh token in ``family`` (a new family by default)."""
    family = family or tokens.new_id()
    claims = tokens.new_claims(subject, ApiVersion.V1, generation=generation, now=now, family=family)
    refresh = "rt_" + secrets.token_urlsafe(32)
    session.add(ApiRefreshToken(
        token_hash=tokens.digest(refresh), family=family, subject=subject, generation=generation,
        expires_at=now + timedelta(seconds=V1_REFRESH_SECONDS), created_at=now,
    ))
    session.flush()
    return TokenPair(tokens.encode(claims, key, now=now), refresh)


def login(session: Session, *, email: str, password: str, key: str, now: datetime) -> TokenPair:
    """A token pair for a staff user's email and password; 401 otherwise."""
    from billing.errors import BillingError
    from billing.staff import authenticate

    try:
        user = authenticate(session, email=email, password=password, now=now)
    except BillingError as exc:
        raise Unauthorized("Invalid email or password.") from exc
    if user is None or not user.active:
        raise Unauthorized("Invalid email or password.")
    return issue_pair(session, user_subject(user.id), 1, key=key, now=now)


def _revoke_family(session: Session, family: str, *, now: datetime) -> None:
    session.execute(update(ApiRefreshToken).where(ApiRefreshToken.family == family,
                                                  ApiRefreshToken.used_at.is_(None)).values(used_at=now))
    _revoke_key(session, f"fam:{family}", expires_at=now + timedelta(seconds=V1_REFRESH_SECONDS), now=now)


def _revoke_key(session: Session, key: str, *, expires_at: datetime, now: datetime) -> None:
    if session.get(ApiRevocation, key) is None:
        session.add(ApiRevocation(key=key, expires_at=expires_at, created_at=now))
        session.flush()


def refresh(session: Session, *, refresh_token: str, key: str, now: datetime) -> TokenPair:
    """Spend a refresh token for a new pair; a second use revokes the whole family (kept on 401)."""
    row = session.scalars(select(ApiRefreshToken).where(
        ApiRefreshToken.token_hash == tokens.digest(refresh_token))).first()
    if row is None or row.expires_at <= now:
        raise Unauthorized("Invalid or expired refresh token.")
    spent = session.execute(
        update(ApiRefreshToken).where(ApiRefreshToken.id == row.id, ApiRefreshToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        _revoke_family(session, row.family, now=now)
        raise TokenReused("Refresh token already used; its token family is revoked.")
    _load_subject(session, row.subject, ApiVersion.V1, row.generation)
    return issue_pair(session, row.subject, row.generation, key=key, now=now, family=row.family)


def issue_v2(session: Session, *, client_id: str, client_secret: str, key: str, now: datetime,
             source: str | None = None) -> str:
    """A ``v2_`` access token for a v2 client's id and secret (argon2-checked here only), asked for
    from ``source`` inside the client's allow-list."""
    from api.clients import verify_secret

    client = verify_secret(session, client_id, client_secret)
    if client is None or client.version is not ApiVersion.V2:
        raise Unauthorized("Invalid client credentials.")
    if not ip_allowed(client.allowed_ips or (), source):
        raise Unauthorized("Source address not allowed for this client.")
    subject = client_subject(client.id)
    claims = tokens.new_claims(subject, ApiVersion.V2, generation=client.generation, now=now)
    return tokens.encode(claims, key, now=now)


def revoke(session: Session, principal: Principal, *, now: datetime) -> None:
    """Kill the caller's token at once (its id joins the revocation table until it would expire)."""
    _revoke_key(session, principal.claims.jti, expires_at=principal.claims.expires_at, now=now)


@dataclass(frozen=True)
class Subject:
    """The live record behind a token: its role, operator scope, tier and allow-list."""

    kind: str
    id: int
    role: StaffRole
    operator_id: int | None
    tier: RateTier
    allowed_ips: tuple[str, ...] = ()


def _load_subject(session: Session, subject: str, version: ApiVersion, generation: int) -> Subject:
    kind, pk = parse_subject(subject)
    if kind == "user":
        user = session.get(StaffUser, pk)
        if user is None or not user.active or version is not ApiVersion.V1:
            raise Unauthorized()
        return Subject("user", pk, user.role, user.operator_id, RateTier.STANDARD)
    client = session.get(ApiClient, pk)
    if client is None or client.version is not version or client.generation != generation:
        raise Unauthorized()
    allow = tuple(client.allowed_ips or ())
    return Subject("client", pk, client.role, client.operator_id, client.tier, allow)


def _revoked(session: Session, claims: tokens.Claims) -> bool:
    keys = [claims.jti] + ([f"fam:{claims.family}"] if claims.family else [])
    stmt = select(ApiRevocation.key).where(ApiRevocation.key.in_(keys)).limit(1)
    return session.scalars(stmt).first() is not None


def resolve(session: Session, token: str, version: ApiVersion, *, key: str, now: datetime) -> Principal:
    """The principal behind a bearer token: verified, not revoked, subject still valid; else 401."""
    try:
        claims = tokens.decode(token, key, version, now=now)
    except tokens.InvalidToken as exc:
        raise Unauthorized() from exc
    if _revoked(session, claims):
        raise Unauthorized("Token revoked.")
    found = _load_subject(session, claims.subject, version, claims.generation)
    return Principal(found.kind, found.id, version, found.role, found.operator_id, found.tier, claims,
                     found.allowed_ips)


def ip_allowed(allowed: Sequence[str], host: str | None) -> bool:
    """True when there is no allow-list or ``host`` is inside one of its networks."""
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net, strict=False) for net in allowed)


def purge_expired(session: Session, *, now: datetime) -> int:
    """Drop revocations and refresh tokens past their expiry (a daily job); returns rows removed."""
    gone = session.execute(delete(ApiRevocation).where(ApiRevocation.expires_at <= now))
    spent = session.execute(delete(ApiRefreshToken).where(ApiRefreshToken.expires_at <= now))
    return int(getattr(gone, "rowcount", 0) or 0) + int(getattr(spent, "rowcount", 0) or 0)
