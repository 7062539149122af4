"""Log shapes (both versions): router, device access, hotspot, PPP authentication, auto-suspension."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from api.schemas.common import Amount, UtcTime
from billing.models import SuspensionLog
from collectors.models import AccessLog, HotspotLog, PppAuthLog, RouterLog


class RouterLogRead(BaseModel):
    """A router log line."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 99120, "device_id": 3, "at": "2026-05-15T11:58:02Z", "topics": "system,info",
        "source_ip": "10.0.0.1", "message": "user admin logged in from 10.0.9.5 via winbox"}]})

    id: int
    device_id: int | None
    at: UtcTime
    topics: str | None
    source_ip: str | None
    message: str

    @classmethod
    def of(cls, r: RouterLog) -> RouterLogRead:
        return cls(id=r.id, device_id=r.device_id, at=r.at, topics=r.topics, source_ip=r.source_ip,
                   message=r.message)


class AccessLogRead(BaseModel):
    """Someone logging in to (or out of) a device's management."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 812, "device_id": 3, "at": "2026-05-15T11:58:02Z", "user": "admin", "address": "10.0.9.5",
        "via": "winbox", "event": "login", "message": "user admin logged in from 10.0.9.5 via winbox"}]})

    id: int
    device_id: int | None
    at: UtcTime
    user: str
    address: str | None
    via: str | None
    event: str
    message: str

    @classmethod
    def of(cls, a: AccessLog) -> AccessLogRead:
        return cls(id=a.id, device_id=a.device_id, at=a.at, user=a.user, address=a.address, via=a.via,
                   event=a.event, message=a.message)


class HotspotLogRead(BaseModel):
    """A hotspot login, logout or failed login."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 5521, "device_id": 3, "at": "2026-05-15T11:50:40Z", "event": "logged_in",
        "username": "cafe-204", "address": "10.5.50.204", "customer_id": 1042,
        "message": "cafe-204 (10.5.50.204): logged in"}]})

    id: int
    device_id: int | None
    at: UtcTime
    event: str
    username: str
    address: str | None
    customer_id: int | None
    message: str

    @classmethod
    def of(cls, h: HotspotLog) -> HotspotLogRead:
        return cls(id=h.id, device_id=h.device_id, at=h.at, event=h.event.value, username=h.username,
                   address=h.address, customer_id=h.customer_id, message=h.message)


class PppLogRead(BaseModel):
    """A PPP authentication, connect, disconnect or failure."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 7710, "device_id": 3, "at": "2026-05-15T11:52:13Z", "event": "auth_failed",
        "username": "fatima.begum", "interface": "<pppoe-fatima.begum>", "customer_id": 2087,
        "message": "fatima.begum: authentication failed"}]})

    id: int
    device_id: int | None
    at: UtcTime
    event: str
    username: str
    interface: str | None
    customer_id: int | None
    message: str

    @classmethod
    def of(cls, p: PppAuthLog) -> PppLogRead:
        return cls(id=p.id, device_id=p.device_id, at=p.at, event=p.event.value, username=p.username,
                   interface=p.interface, customer_id=p.customer_id, message=p.message)


class SuspensionLogRead(BaseModel):
    """One thing an auto-suspension run did to a customer, and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 3301, "run_id": 88, "customer_id": 2087, "action": "suspend", "reason": "overdue",
        "bill_ids": [8431], "amount_due": 1500, "created_at": "2026-05-15T11:45:02Z"}]})

    id: int
    run_id: int | None
    customer_id: int
    action: str
    reason: str
    bill_ids: list[int]
    amount_due: Amount
    created_at: UtcTime

    @classmethod
    def of(cls, s: SuspensionLog) -> SuspensionLogRead:
        return cls(id=s.id, run_id=s.run_id, customer_id=s.customer_id, action=s.action.value,
                   reason=s.reason, bill_ids=list(s.bill_ids or []), amount_due=s.amount_due,
                   created_at=s.created_at)
