"""SMS: the gateway seam (HTTP provider or a logging default), E.164 phone numbers, credits, the
outbox of queued messages and their history. ``api.delivery.deliver_sms`` sends what is queued."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import phonenumbers
from pydantic import SecretStr
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from api.models_outbox import SmsCredit, SmsMessage, SmsStatus
from billing.errors import InsufficientFunds, ValidationError
from store.paging import Page, paginate

log = logging.getLogger(__name__)
BATCH = 500
GSM = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
                "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")


class SmsError(Exception):
    """The gateway refused or could not be reached."""


class SmsGateway(Protocol):
    """Sends one text to one E.164 number and answers the provider's message id."""

    def send(self, phone: str, text: str) -> str: ...


def mask(phone: str) -> str:
    """A phone number fit for a log line: ``+8801712345678`` -> ``+880171*****78``."""
    keep = max(0, len(phone) - 7)
    return phone[:keep] + "*" * (len(phone) - keep - 2) + phone[-2:]


class LoggingGateway:
    """The default when no gateway URL is set: logs the masked number and length, sends nothing."""

    def send(self, phone: str, text: str) -> str:
        log.info("SMS (logging gateway) to %s, %d characters", mask(phone), len(text))
        return "log_" + uuid.uuid4().hex[:16]


@dataclass(frozen=True)
class HttpSmsGateway:
    """A provider reached over HTTP: ``{phone}`` and ``{message}`` fill the URL and the body template;
    the token goes in ``Authorization: Bearer`` and is never logged."""

    url: str
    client: httpx.Client
    method: str = "POST"
    body: str = '{"to": "{phone}", "text": "{message}"}'
    token: SecretStr | None = None

    def _request(self, phone: str, text: str) -> httpx.Request:
        url = self.url.replace("{phone}", quote(phone)).replace("{message}", quote(text))
        headers = {"Authorization": f"Bearer {self.token.get_secret_value()}"} if self.token else {}
        if self.method.upper() == "GET":
            return self.client.build_request("GET", url, headers=headers)
        content = self.body.replace("{phone}", _escape(phone)).replace("{message}", _escape(text))
        headers["Content-Type"] = "application/json" if _is_json(content) else "text/plain; charset=utf-8"
        return self.client.build_request(self.method.upper(), url, content=content.encode(), headers=headers)

    def send(self, phone: str, text: str) -> str:
        try:
            response = self.client.send(self._request(phone, text))
        except httpx.HTTPError as exc:
            raise SmsError(f"gateway unreachable: {type(exc).__name__}") from exc
        if not response.is_success:
            raise SmsError(f"gateway answered HTTP {response.status_code}")
        return provider_id(response)


def _escape(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)[1:-1]


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def provider_id(response: httpx.Response) -> str:
    """The provider's id for a sent message: from its JSON answer, a header, else a digest."""
    try:
        doc: Any = response.json()
    except ValueError:
        doc = None
    if isinstance(doc, dict):
        inner = doc.get("data")
        data: dict[str, Any] = inner if isinstance(inner, dict) else doc
        for name in ("message_id", "messageId", "id", "sid"):
            if data.get(name) is not None:
                return str(data[name])[:128]
    header = response.headers.get("X-Message-Id")
    return header[:128] if header else "sha_" + hashlib.sha256(response.content).hexdigest()[:24]


def normalise(phone: str, *, region: str, field: str) -> str:
    """A phone number in E.164 (``01712345678`` in BD -> ``+8801712345678``); else a 422 on ``field``."""
    try:
        number = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError("The phone number is invalid.", field=field) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError("The phone number is invalid.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def segments(text: str) -> int:
    """Credits a text costs: 160 GSM characters (153 per part) or 70 others (67 per part)."""
    single, part = (160, 153) if set(text) <= GSM else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / part)


def account_of(operator_id: int | None) -> str:
    return "global" if operator_id is None else f"op:{operator_id}"


def credit_row(session: Session, operator_id: int | None, *, initial: int, now: datetime) -> SmsCredit:
    """The caller's credit balance, opened with ``initial`` credits on first use."""
    account = account_of(operator_id)
    row = session.scalars(select(SmsCredit).where(SmsCredit.account == account)).first()
    if row is None:
        row = SmsCredit(account=account, balance=initial, updated_at=now)
        session.add(row)
        session.flush()
    return row


def balance(session: Session, operator_id: int | None, *, initial: int) -> int:
    """Credits left (an account never used still has its ``initial`` credits)."""
    left = session.scalar(select(SmsCredit.balance).where(SmsCredit.account == account_of(operator_id)))
    return initial if left is None else int(left)


def _spend(session: Session, row: SmsCredit, cost: int, *, now: datetime) -> int:
    spent = session.execute(update(SmsCredit).where(SmsCredit.id == row.id, SmsCredit.balance >= cost)
                            .values(balance=SmsCredit.balance - cost, updated_at=now)
                            .execution_options(synchronize_session=False))
    if getattr(spent, "rowcount", 0) != 1:
        raise InsufficientFunds(f"Not enough SMS credits ({cost} needed).", field="credits")
    session.refresh(row)
    return row.balance


def refund(session: Session, operator_id: int | None, credits: int, *, now: datetime) -> None:
    """Give back the credits of a message that could not be sent."""
    session.execute(update(SmsCredit).where(SmsCredit.account == account_of(operator_id))
                    .values(balance=SmsCredit.balance + credits, updated_at=now))


@dataclass(frozen=True)
class SmsRequest:
    """Texts to queue: E.164 phones (already normalised), one message, the caller's scope."""

    phones: Sequence[str]
    message: str
    operator_id: int | None = None
    broadcast: bool = False


@dataclass(frozen=True)
class Queued:
    """What was queued: the message ids, the credits used and left, the broadcast id if any."""

    message_ids: list[str]
    credits_used: int
    credits_remaining: int
    broadcast_id: str | None = None


def queue(session: Session, request: SmsRequest, *, initial: int, now: datetime) -> Queued:
    """Charge the credits and queue one message per phone (in batches of ``BATCH`` inserts)."""
    if not request.message.strip():
        raise ValidationError("The message is empty.", field="message")
    per = segments(request.message)
    row = credit_row(session, request.operator_id, initial=initial, now=now)
    remaining = _spend(session, row, per * len(request.phones), now=now)
    group = "bc_" + uuid.uuid4().hex[:16] if request.broadcast else None
    ids = ["sms_" + uuid.uuid4().hex[:16] for _ in request.phones]
    rows = [{"message_id": mid, "operator_id": request.operator_id, "broadcast_id": group, "phone": phone,
             "message": request.message, "credits": per, "status": SmsStatus.QUEUED, "attempts": 0,
             "next_attempt_at": now, "created_at": now}
            for mid, phone in zip(ids, request.phones, strict=True)]
    for start in range(0, len(rows), BATCH):
        session.execute(insert(SmsMessage), rows[start:start + BATCH])
    return Queued(ids, per * len(rows), remaining, group)


def history(session: Session, *, operator_id: int | None, page: int, per_page: int) -> Page[Any]:
    """Messages in the caller's scope, newest first."""
    stmt = select(SmsMessage)
    if operator_id is not None:
        stmt = stmt.where(SmsMessage.operator_id == operator_id)
    return paginate(session, stmt.order_by(SmsMessage.id.desc()), page=page, per_page=per_page)


class SmsSettings(Protocol):
    """The settings a gateway is built from."""

    sms_gateway_url: str | None
    sms_gateway_method: str
    sms_gateway_body: str
    sms_gateway_token: SecretStr | None


def gateway_from(settings: SmsSettings, client: httpx.Client | None = None) -> SmsGateway:
    """The HTTP gateway when a URL is set (on ``client``, or a new one with a timeout), else logging."""
    if not settings.sms_gateway_url:
        return LoggingGateway()
    return HttpSmsGateway(url=settings.sms_gateway_url, client=client or httpx.Client(timeout=10.0),
                          method=settings.sms_gateway_method, body=settings.sms_gateway_body,
                          token=settings.sms_gateway_token)
