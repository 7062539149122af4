"""Access tokens as pure functions: sign claims with HS256, verify them against a version and a time."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from api.config import V1_ACCESS_SECONDS, V2_ACCESS_SECONDS
from api.models import ApiVersion

ALGORITHM = "HS256"
ISSUER = "ispnoc"
V2_PREFIX = "v2_"
LIFETIME = {ApiVersion.V1: V1_ACCESS_SECONDS, ApiVersion.V2: V2_ACCESS_SECONDS}


class InvalidToken(Exception):
    """The token is malformed, forged, expired or for the other API version."""


@dataclass(frozen=True)
class Claims:
    """What a verified access token says: who, which version, its id, family and expiry."""

    subject: str
    version: ApiVersion
    jti: str
    generation: int
    expires_at: datetime
    family: str | None = None


def audience(version: ApiVersion) -> str:
    return f"ispnoc-{version.value}"


def new_id() -> str:
    """A random 128-bit id in hex (token ids and families)."""
    return secrets.token_hex(16)


def digest(token: str) -> str:
    """SHA-256 of a high-entropy secret (refresh tokens): fast to check, useless if leaked."""
    return hashlib.sha256(token.encode()).hexdigest()


def encode(claims: Claims, key: str, *, now: datetime) -> str:
    """Sign ``claims``; v2 tokens carry the ``v2_`` prefix."""
    body: dict[str, Any] = {
        "iss": ISSUER, "aud": audience(claims.version), "sub": claims.subject, "jti": claims.jti,
        "gen": claims.generation, "iat": int(now.timestamp()), "exp": int(claims.expires_at.timestamp()),
    }
    if claims.family:
        body["fam"] = claims.family
    token = jwt.encode(body, key, algorithm=ALGORITHM)
    return V2_PREFIX + token if claims.version is ApiVersion.V2 else token


def new_claims(subject: str, version: ApiVersion, *, generation: int, now: datetime,
               family: str | None = None) -> Claims:
    """Fresh claims for ``subject`` expiring after the version's lifetime."""
    expires = now + timedelta(seconds=LIFETIME[version])
    return Claims(subject, version, new_id(), generation, expires.replace(microsecond=0), family)


def decode(token: str, key: str, version: ApiVersion, *, now: datetime) -> Claims:
    """Verify signature, issuer, audience (the version) and expiry at ``now``; raise InvalidToken."""
    if version is ApiVersion.V2:
        if not token.startswith(V2_PREFIX):
            raise InvalidToken("not a v2 token")
        token = token[len(V2_PREFIX):]
    elif token.startswith(V2_PREFIX):
        raise InvalidToken("not a v1 token")
    try:
        body = jwt.decode(
            token, key, algorithms=[ALGORITHM], audience=audience(version), issuer=ISSUER,
            options={"verify_exp": False, "require": ["exp", "sub", "jti", "aud", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if int(body["exp"]) <= int(now.timestamp()):
        raise InvalidToken("token expired")
    expires = datetime.fromtimestamp(int(body["exp"]), tz=now.tzinfo)
    return Claims(str(body["sub"]), version, str(body["jti"]), int(body.get("gen", 1)), expires,
                  body.get("fam"))
