"""Every setting, from ISPNOC_* environment variables (or a .env file)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from billing.enums import EnforcementStyle
from store.keyring import MIN_SECRET_LENGTH


class Settings(BaseSettings):
    """ispnoc's configuration; secrets are SecretStr so they never print."""

    model_config = SettingsConfigDict(env_prefix="ISPNOC_", env_file=".env", extra="ignore",
                                      hide_input_in_errors=True)

    database_url: str = "sqlite:///./ispnoc.db"
    redis_url: str | None = None
    secret_key: SecretStr | None = Field(
        default=None, description="signs access tokens and session cookies (at least 32 characters); "
        "unset, the store keeps a generated key (a 0600 file beside a SQLite database, a row in PostgreSQL)")
    max_body_bytes: int = Field(default=1_048_576, ge=1, description="larger request bodies answer 413")
    metrics_token: SecretStr | None = Field(
        default=None, description="when set, GET /metrics needs `Authorization: Bearer <token>`"
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
    enforcement_style: EnforcementStyle = Field(
        default=EnforcementStyle.PROFILE_SWAP,
        description="suspension style when neither package nor router sets one: profile or address-list")
    payment_page_url: str | None = Field(
        default=None, description="where address-list style redirects web traffic, e.g. "
        "http://10.0.0.5:8080/ (the host must be an IP address: the routers dst-nat to it)")

    voucher_length: int = 12
    voucher_charset: str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    voucher_prefix: str = ""

    low_optics_dbm: float = -27.0
    sms_gateway_url: str | None = None
    sms_gateway_method: str = "POST"
    sms_gateway_body: str = '{"to": "{phone}", "text": "{message}"}'
    sms_gateway_token: SecretStr | None = None
    sms_initial_credits: int = 5000
    webhook_allow_private: bool = Field(
        default=False, description="let webhooks POST to loopback, link-local, private, multicast or "
        "reserved addresses (a receiver inside the ISP's network); off, such URLs are refused")

    # The scheduler (``ispnoc scheduler``, or inside ``ispnoc serve``): seconds between collect
    # cycles per family (0 turns a family off), cron expressions for the billing runs ("" = off).
    scheduler_enabled: bool = True
    scheduler_workers: int = 4
    collect_mikrotik_s: float = 60
    collect_olt_ssh_s: float = 300
    collect_olt_snmp_s: float = 120
    collect_radio_snmp_s: float = 60
    collect_zabbix_s: float = 60
    collect_status_s: float = 60
    collect_concurrency: dict[str, int] = Field(default_factory=dict, description="per family, e.g. olt_ssh")
    collect_timeout_s: dict[str, float] = Field(default_factory=dict, description="per family, seconds")
    suspension_cron: str = "*/15 * * * *"
    bills_cron: str = "0 1 1 * *"
    delivery_s: float = 5
    retention_days: int = 90
    retention_cron: str = "30 3 * * *"
    syslog_enabled: bool = True
    syslog_host: str = "127.0.0.1"
    syslog_port: int = 5514

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, key: SecretStr | None) -> SecretStr | None:
        if key is not None and len(key.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"must be at least {MIN_SECRET_LENGTH} characters (`openssl rand -hex 32` "
                             "makes one), or unset so that the store keeps a generated key")
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
