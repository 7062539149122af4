"""Every setting, from ISPNOC_* environment variables (or a .env file)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """ispnoc's configuration; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="ISPNOC_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./ispnoc.db"
    redis_url: str | None = None
    secret_key: SecretStr = Field(
        default=SecretStr("change-me-in-production-this-is-the-dev-key"),
        description="signs access tokens and session cookies",
    )
    credentials_key: SecretStr | None = Field(
        default=None, description="Fernet key encrypting stored device credentials"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1

    timezone: str = "UTC"
    currency: str = "BDT"
    default_region: str = "BD"
    grace_days: int = 3
    bill_due_days: int = 10

    address_list_name: str = "ispnoc-suspended"
    suspended_profile: str = "suspended"
    enforcement_comment: str = "ispnoc"

    voucher_length: int = 12
    voucher_charset: str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    voucher_prefix: str = ""

    low_optics_dbm: float = -27.0
    sms_gateway_url: str | None = None
    sms_gateway_method: str = "POST"
    sms_gateway_body: str = '{"to": "{phone}", "text": "{message}"}'
    sms_gateway_token: SecretStr | None = None
    sms_initial_credits: int = 5000


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
