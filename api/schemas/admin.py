"""Admin shapes: the API request log and API clients."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.clients import Credentials
from api.models import ApiClient, ApiRequestLog
from api.schemas.common import Id, UtcTime


class RequestLogRead(BaseModel):
    """One logged API request."""

    id: int
    client_id: int | None
    user_id: int | None
    method: str
    path: str
    status: int
    latency_ms: float
    created_at: UtcTime

    @classmethod
    def of(cls, row: ApiRequestLog) -> RequestLogRead:
        return cls(id=row.id, client_id=row.client_id, user_id=row.user_id, method=row.method,
                   path=row.path, status=row.status, latency_ms=row.latency_ms, created_at=row.created_at)


class ClientCreateIn(BaseModel):
    """A new API client."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "Billing CRM", "version": "v2", "tier": "standard", "role": "billing",
        "operator_id": None, "allowed_ips": ["203.0.113.0/24"]}]})

    name: str = Field(min_length=1, max_length=120)
    version: str = Field("v2", pattern="^v[12]$")
    tier: str = "standard"
    role: str = "read-only"
    operator_id: Id | None = None
    allowed_ips: list[str] = Field(default_factory=list, max_length=100)


class ClientRead(BaseModel):
    """An API client, without secrets."""

    id: int
    name: str
    client_id: str
    version: str
    tier: str
    role: str
    operator_id: int | None
    allowed_ips: list[str]
    created_at: UtcTime
    last_used_at: UtcTime | None

    @classmethod
    def of(cls, c: ApiClient) -> ClientRead:
        return cls(id=c.id, name=c.name, client_id=c.client_id, version=c.version.value, tier=c.tier.value,
                   role=c.role.value, operator_id=c.operator_id, allowed_ips=list(c.allowed_ips or []),
                   created_at=c.created_at, last_used_at=c.last_used_at)


class ClientCredentialsRead(ClientRead):
    """A client with the credentials shown this once (v2: secret; v1: a token pair)."""

    client_secret: str | None = None
    access_token: str | None = None
    refresh_token: str | None = None

    @classmethod
    def issued(cls, creds: Credentials) -> ClientCredentialsRead:
        tokens = creds.tokens
        return cls(**ClientRead.of(creds.client).model_dump(), client_secret=creds.client_secret,
                   access_token=tokens.access_token if tokens else None,
                   refresh_token=tokens.refresh_token if tokens else None)
