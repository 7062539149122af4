"""VPN account shapes: create (v2) and read (never the private key; that is in the config file)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.models_outbox import VpnAccount
from api.schemas.common import Id, UtcTime

CONFIG_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/plain": {"schema": {"type": "string"}}},
          "description": "a wg-quick config file (attachment)"}}


class VpnAccountCreateIn(BaseModel):
    """A new WireGuard peer."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "rafiq-home", "customer_id": 1042}]})

    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    customer_id: Id | None = None
    operator_id: Id | None = Field(None, description="the operator (unscoped callers, no customer)")


class VpnAccountRead(BaseModel):
    """A peer: its tunnel address and public key."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 3, "name": "rafiq-home", "customer_id": 1042, "operator_id": 1, "address": "10.66.0.2",
        "public_key": "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "created_at": "2026-04-10T08:15:00Z"}]})

    id: int
    name: str
    customer_id: int | None
    operator_id: int | None
    address: str
    public_key: str
    created_at: UtcTime

    @classmethod
    def of(cls, a: VpnAccount) -> VpnAccountRead:
        return cls(id=a.id, name=a.name, customer_id=a.customer_id, operator_id=a.operator_id,
                   address=a.address, public_key=a.public_key, created_at=a.created_at)
