"""What the scheduler reads from the settings, and the small config it is built from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pydantic import SecretStr

from collectors.enums import SourceKind


class SchedulerSettings(Protocol):
    """The settings the scheduler and its jobs read (ispnoc.settings.Settings satisfies it)."""

    timezone: str
    grace_days: int
    bill_due_days: int
    credentials_key: SecretStr | None
    default_region: str
    sms_gateway_url: str | None
    sms_gateway_method: str
    sms_gateway_body: str
    sms_gateway_token: SecretStr | None
    webhook_allow_private: bool
    scheduler_workers: int
    collect_mikrotik_s: float
    collect_olt_ssh_s: float
    collect_olt_snmp_s: float
    collect_radio_snmp_s: float
    collect_zabbix_s: float
    collect_status_s: float
    collect_concurrency: dict[str, int]
    collect_timeout_s: dict[str, float]
    suspension_cron: str
    bills_cron: str
    delivery_s: float
    retention_days: int
    retention_cron: str
    syslog_enabled: bool
    syslog_host: str
    syslog_port: int


def collect_intervals(settings: SchedulerSettings) -> dict[SourceKind, float]:
    """Seconds between cycles per family, from ``collect_<family>_s``."""
    return {family: float(getattr(settings, f"collect_{family.value}_s")) for family in SourceKind}


@dataclass(frozen=True)
class SchedulerConfig:
    """Which jobs run when: intervals in seconds (0 = off), cron in 5 or 6 fields ("" = off);
    ``retry_s`` is the back-off of the scheduler loop after its job store failed."""

    collect_s: Mapping[SourceKind, float] = field(default_factory=dict)
    suspension_cron: str = "*/15 * * * *"
    bills_cron: str = "0 1 1 * *"
    delivery_s: float = 5.0
    retention_cron: str = "30 3 * * *"
    timezone: str = "UTC"
    workers: int = 4
    jobs_table: str = "scheduler_jobs"
    syslog: tuple[str, int] | None = None
    retry_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: SchedulerSettings) -> SchedulerConfig:
        """The config the settings describe."""
        syslog = (settings.syslog_host, settings.syslog_port) if settings.syslog_enabled else None
        return cls(collect_s=collect_intervals(settings), suspension_cron=settings.suspension_cron,
                   bills_cron=settings.bills_cron, delivery_s=settings.delivery_s,
                   retention_cron=settings.retention_cron, timezone=settings.timezone,
                   workers=settings.scheduler_workers, syslog=syslog)
