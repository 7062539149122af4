"""What the API needs from the settings, and its fixed numbers (token lifetimes, rate limits)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import SecretStr

from api.models import ApiVersion, RateTier


class ApiSettings(Protocol):
    """The settings the API reads (ispnoc.settings.Settings satisfies it)."""

    database_url: str
    redis_url: str | None
    secret_key: SecretStr | None
    max_body_bytes: int
    host: str
    port: int
    workers: int
    credentials_key: SecretStr | None
    default_region: str
    sms_gateway_url: str | None
    sms_gateway_method: str
    sms_gateway_body: str
    sms_gateway_token: SecretStr | None
    sms_initial_credits: int
    webhook_allow_private: bool
    grace_days: int
    low_optics_dbm: float


V1_ACCESS_SECONDS = 3600
V1_REFRESH_SECONDS = 30 * 24 * 3600
V2_ACCESS_SECONDS = 1800


@dataclass(frozen=True)
class RateTable:
    """Requests per minute by version and tier, plus the tighter limits."""

    per_minute: dict[tuple[ApiVersion, RateTier], int]
    intensive: int = 10
    per_ip: int = 30


RATES = RateTable(
    per_minute={
        (ApiVersion.V1, RateTier.STANDARD): 60,
        (ApiVersion.V1, RateTier.HIGH): 120,
        (ApiVersion.V2, RateTier.STANDARD): 120,
        (ApiVersion.V2, RateTier.HIGH): 300,
    }
)
