"""Query-string filters of the network, monitoring and log lists, as pydantic query models.

A bad value is a 422 naming the parameter (``from``, ``rx_below``...) in the documented envelope;
times must carry their offset (a naive ``from`` is refused)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends
from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, ValidationInfo, field_validator

from api.deps import RuntimeDep
from api.schemas.common import FIRST_DAY, LAST_DAY, MAX_ID
from billing.enums import SuspensionAction
from collectors.enums import (
    CheckKind,
    DeviceKind,
    DeviceStatus,
    HotspotEvent,
    OnuStatus,
    PppEvent,
    SessionKind,
    Vendor,
)

SEVERITIES = ("not_classified", "information", "warning", "average", "high", "disaster")
"""Zabbix severities by number (0-5)."""


class Severity(StrEnum):
    NOT_CLASSIFIED = "not_classified"
    INFORMATION = "information"
    WARNING = "warning"
    AVERAGE = "average"
    HIGH = "high"
    DISASTER = "disaster"

    @property
    def level(self) -> int:
        return SEVERITIES.index(self.value)


class ProblemState(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    ALL = "all"


class CheckState(StrEnum):
    UP = "up"
    DOWN = "down"
    UNKNOWN = "unknown"


class SessionState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    ALL = "all"


def _device_ref() -> Any:
    return Field(None, min_length=1, max_length=120, description="a device's id or name")


def _customer_ref() -> Any:
    return Field(None, ge=1, le=MAX_ID, description="only rows of this customer")


class Search_(BaseModel):
    """Free-text search."""

    q: str | None = Field(None, min_length=1, max_length=100, description="text search (case-insensitive)")


def _utc(value: datetime) -> datetime:
    """The time in UTC; one that has no UTC equivalent (year 1 at +23:59), or one outside the days the
    API takes (the default windows reach back a day or more from it), is a validation error."""
    try:
        value = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("outside the range of representable times") from exc
    if not FIRST_DAY <= value.date() <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY} and {LAST_DAY}")
    return value


Time = Annotated[AwareDatetime, AfterValidator(_utc)]


class TimeRange(BaseModel):
    """``from`` / ``to``: ISO-8601 with an offset (``2026-05-15T00:00:00Z``)."""

    start: Time | None = Field(None, alias="from", description="from this time (inclusive)")
    end: Time | None = Field(None, alias="to", description="up to this time (inclusive)")

    @field_validator("end")
    @classmethod
    def _ordered(cls, end: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError("must not be before `from`")
        return end


class DeviceFilter(Search_):
    """Devices of one kind."""

    status: DeviceStatus | None = Field(None, description="only devices in this state")
    vendor: Vendor | None = Field(None, description="only this vendor's devices")
    site: str | None = Field(None, min_length=1, max_length=64, description="only devices at this site")


class OverviewFilter(DeviceFilter):
    """Every device."""

    kind: DeviceKind | None = Field(None, description="only this kind of device")


class RadioFilter(Search_):
    """Radios of one vendor."""

    status: DeviceStatus | None = Field(None, description="only radios in this state")
    site: str | None = Field(None, min_length=1, max_length=64, description="only radios at this site")


class OnuFilter(Search_):
    """ONUs (``q`` searches serial, MAC and description)."""

    status: OnuStatus | None = Field(None, description="only ONUs in this state")
    device: str | None = Field(None, min_length=1, max_length=120, description="the OLT's id or name")
    pon: str | None = Field(None, min_length=1, max_length=32, description="only this PON port")
    customer_id: int | None = _customer_ref()
    rx_below: float | None = Field(None, ge=-60, le=10, description="only ONUs receiving below this dBm")


class PoolFilter(Search_):
    """IP pools."""

    device: str | None = _device_ref()


class ZabbixHostFilter(Search_):
    """Zabbix hosts (``q`` searches host, name and address)."""

    available: bool | None = Field(None, description="only hosts Zabbix can (true) or cannot (false) reach")
    device: str | None = _device_ref()


class ProblemFilter(Search_, TimeRange):
    """Zabbix problems (``from``/``to`` bound when they started)."""

    status: ProblemState = Field(ProblemState.OPEN, description="open (default), resolved or all")
    severity: Severity | None = Field(None, description="only this severity")
    min_severity: Severity | None = Field(None, description="this severity or worse")
    acknowledged: bool | None = Field(None, description="only (un)acknowledged problems")
    device: str | None = _device_ref()


class CheckFilter(Search_):
    """Status checks."""

    status: CheckState | None = Field(None, description="up, down, or unknown (never checked)")
    kind: CheckKind | None = Field(None, description="only this kind of check")
    device: str | None = _device_ref()


class SessionFilter(Search_):
    """PPP and hotspot sessions (``q`` searches the username, address and caller id)."""

    status: SessionState = Field(SessionState.ACTIVE, description="active (default), ended or all")
    kind: SessionKind | None = Field(None, description="ppp or hotspot")
    device: str | None = Field(None, min_length=1, max_length=120, description="the router's id or name")
    customer_id: int | None = _customer_ref()


class LogFilter(Search_, TimeRange):
    """A device log (``q`` searches the message)."""

    device: str | None = _device_ref()


class HotspotLogFilter(LogFilter):
    """Hotspot logins and logouts (``q`` also searches the username)."""

    event: HotspotEvent | None = Field(None, description="only this event")
    customer_id: int | None = _customer_ref()


class PppLogFilter(LogFilter):
    """PPP authentications (``q`` also searches the username)."""

    event: PppEvent | None = Field(None, description="only this event")
    customer_id: int | None = _customer_ref()


class SuspensionLogFilter(TimeRange):
    """What the auto-suspension runs did."""

    customer_id: int | None = _customer_ref()
    action: SuspensionAction | None = Field(None, description="only this action")
    run_id: int | None = Field(None, ge=1, le=MAX_ID, description="only this run's entries")


class SampleFilter(TimeRange):
    """A device's chart data (default: the last 24 hours)."""

    metric: str | None = Field(None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.:-]+$",
                               description="only this metric (cpu, rx_bps...)")


DAY = timedelta(hours=24)


def window(period: TimeRange, now: datetime, default: timedelta = DAY) -> tuple[datetime, datetime]:
    """``from`` and ``to`` with the defaults filled in: ``to`` now, ``from`` ``default`` before ``to``."""
    end = period.end or now
    return period.start or end - default, end


async def low_optics_dbm(runtime: RuntimeDep) -> float:
    """The configured low-optics threshold (ISPNOC_LOW_OPTICS_DBM)."""
    return runtime.settings.low_optics_dbm


LowOpticsDep = Annotated[float, Depends(low_optics_dbm)]
