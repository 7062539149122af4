"""SMS shapes: send (v1 and v2), broadcast (v2), balance and history."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.models_outbox import SmsMessage
from api.schemas.common import UtcTime

Message = Field(min_length=1, max_length=1000, description="the text (160 GSM characters per credit)")


class SmsSendIn(BaseModel):
    """One text to one phone (local numbers are read in the default region)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "phone": "01712345678",
        "message": "Your monthly invoice of 1,200 BDT has been generated. Please pay before April 20."}]})

    phone: str = Field(min_length=1, max_length=32)
    message: str = Message


class SmsBroadcastIn(BaseModel):
    """One text to many phones."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "phones": ["01712345678", "01898765432", "01611223344"],
        "message": ("Scheduled maintenance tonight from 02:00-04:00 AM. "
                    "Service may be briefly interrupted.")}]})

    phones: list[str] = Field(min_length=1, max_length=1000)
    message: str = Message


class V1SmsSentRead(BaseModel):
    """A queued text (v1)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "message_id": "sms_8a3f2c", "status": "queued", "phone": "+8801712345678"}]})

    message_id: str
    status: str
    phone: str


class SmsSentRead(V1SmsSentRead):
    """A queued text with the credits it used and those left (v2)."""

    credits_used: int
    credits_remaining: int


class SmsBroadcastRead(BaseModel):
    """A queued broadcast."""

    broadcast_id: str
    status: str
    recipients: int
    credits_used: int
    credits_remaining: int
    message_ids: list[str]


class SmsBalanceRead(BaseModel):
    """The SMS credits left."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"balance": 4820}]})

    balance: int


class SmsRead(BaseModel):
    """A text in the history and where it stands."""

    message_id: str
    phone: str
    message: str
    status: str
    credits: int
    attempts: int
    error: str | None
    broadcast_id: str | None
    created_at: UtcTime
    sent_at: UtcTime | None

    @classmethod
    def of(cls, m: SmsMessage) -> SmsRead:
        return cls(message_id=m.message_id, phone=m.phone, message=m.message, status=m.status.value,
                   credits=m.credits, attempts=m.attempts, error=m.error, broadcast_id=m.broadcast_id,
                   created_at=m.created_at, sent_at=m.sent_at)
