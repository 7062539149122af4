"""The outbox delivery jobs: webhooks (fan-out of outbox events to the endpoints in scope, signed POSTs
with back-off and a delivery log) and SMS (queued messages through the gateway). No HTTP call (nor
DNS lookup) runs inside a transaction."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from api import sms
from api.models_outbox import (
    DeliveryStatus,
    SmsMessage,
    SmsStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from api.schemas.common import iso_z
from api.sms import SmsError
from api.webhooks import refusal, sign, sign_v2, unseal
from billing.models import Customer, OutboxEvent
from store.db import session_scope

log = logging.getLogger(__name__)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off: ``base`` doubled per attempt up to ``cap``; failed after ``max_attempts``.
    The defaults retry 10 times over about 16 hours (2, 4, 8 ... 256 minutes, then 8 hours)."""

    base: timedelta = timedelta(minutes=2)
    cap: timedelta = timedelta(hours=8)
    max_attempts: int = 10
    lease: timedelta = timedelta(minutes=5)

    def delay(self, attempt: int) -> timedelta:
        """The wait after failed attempt number ``attempt`` (1-based)."""
        return min(self.base * int(2 ** (attempt - 1)), self.cap)


RETRY = RetryPolicy()


@dataclass(frozen=True)
class WebhookOptions:
    """How a webhook run works: claims per run, the secrets' key, the back-off, private addresses allowed."""

    batch: int = 100
    key: SecretStr | None = None
    policy: RetryPolicy = RETRY
    allow_private: bool = False


WEBHOOK_DEFAULTS = WebhookOptions()


@dataclass
class DeliveryReport:
    """What one run did."""

    fanned_out: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """One claimed delivery, with everything needed to POST it outside a transaction."""

    delivery_id: int
    uid: str
    url: str
    secret: str
    event: str
    body: bytes
    attempt: int


@dataclass(frozen=True)
class Outcome:
    """What one POST gave: the status code or the error, and how long it took."""

    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def subscribed(endpoint: WebhookEndpoint, event: OutboxEvent, operator_id: int | None) -> bool:
    """Subscribed to this event, existing when it happened, and in scope (``operator_id`` is the event's)."""
    if event.event not in endpoint.events or event.created_at < endpoint.created_at:
        return False
    return endpoint.operator_id is None or endpoint.operator_id == operator_id


def operators_of(session: Session, events: Sequence[OutboxEvent]) -> dict[int, int | None]:
    """Each event's operator: its payload's ``operator_id``, else its customer's (one query for the batch)."""
    asked = {ev.payload.get("customer_id") for ev in events if ev.payload.get("operator_id") is None}
    ids = [cid for cid in asked if isinstance(cid, int)]
    stmt = select(Customer.id, Customer.operator_id).where(Customer.id.in_(ids))
    owners: dict[int, int] = {cid: op for cid, op in session.execute(stmt)} if ids else {}
    return {ev.id: _operator(ev.payload, owners) for ev in events}


def _operator(payload: dict[str, Any], owners: dict[int, int]) -> int | None:
    given = payload.get("operator_id")
    if isinstance(given, int):
        return given
    customer = payload.get("customer_id")
    return owners.get(customer) if isinstance(customer, int) else None


def fan_out(session: Session, *, now: datetime, batch: int) -> int:
    """One delivery row per active subscribed endpoint for each undispatched event; marks them."""
    events = session.scalars(select(OutboxEvent).where(OutboxEvent.dispatched_at.is_(None))
                             .order_by(OutboxEvent.id).limit(batch)).all()
    if not events:
        return 0
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))).all()
    scoped = any(ep.operator_id is not None for ep in endpoints)
    operators = operators_of(session, events) if scoped else {}
    rows = [{"uid": f"evt_{uuid.uuid4().hex}", "endpoint_id": ep.id, "event_id": ev.id, "event": ev.event,
             "status": DeliveryStatus.PENDING, "attempts": 0, "next_attempt_at": now, "created_at": now}
            for ev in events for ep in endpoints if subscribed(ep, ev, operators.get(ev.id))]
    if rows:
        session.execute(insert(WebhookDelivery), rows)
    session.execute(update(OutboxEvent).where(OutboxEvent.id.in_([ev.id for ev in events]))
                    .values(dispatched_at=now))
    return len(rows)


def body_of(event: OutboxEvent) -> bytes:
    """The documented payload ``{event, timestamp, data}`` as compact JSON bytes."""
    doc = {"event": event.event, "timestamp": iso_z(event.created_at), "data": event.payload}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def claim(session: Session, *, now: datetime, batch: int, key: SecretStr | None,
          policy: RetryPolicy = RETRY) -> list[Job]:
    """Due pending deliveries, each leased (pushed ``policy.lease`` ahead) so no other run takes it."""
    stmt = (select(WebhookDelivery, OutboxEvent).join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.status == DeliveryStatus.PENDING, WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(batch))
    jobs: list[Job] = []
    for delivery, event in session.execute(stmt):
        taken = session.execute(update(WebhookDelivery).where(
            WebhookDelivery.id == delivery.id, WebhookDelivery.next_attempt_at == delivery.next_attempt_at,
        ).values(next_attempt_at=now + policy.lease).execution_options(synchronize_session=False))
        if getattr(taken, "rowcount", 0) == 1:
            secret = unseal(delivery.endpoint.secret, key)
            jobs.append(Job(delivery.id, delivery.uid, delivery.endpoint.url, secret, event.event,
                            body_of(event), delivery.attempts + 1))
    return jobs


def headers_for(job: Job, *, at: datetime) -> dict[str, str]:
    """One attempt's headers: an id kept across retries, the attempt number, its unix time, two signatures."""
    stamp = str(int(at.timestamp()))
    return {"Content-Type": "application/json", "User-Agent": "ispnoc-webhooks/1",
            "X-Webhook-Event": job.event, "X-Webhook-Id": job.uid, "X-Webhook-Event-Id": job.uid,
            "X-Webhook-Attempt": str(job.attempt), "X-Webhook-Timestamp": stamp,
            "X-Signature": sign(job.body, job.secret), "X-Signature-V2": sign_v2(stamp, job.body, job.secret)}


def send(client: httpx.Client, job: Job, *, at: datetime, allow_private: bool) -> Outcome:
    """Check the URL's address again (DNS may have changed since it was saved), then POST."""
    reason = None if allow_private else refusal(job.url)
    if reason is not None:
        return Outcome(None, f"not sent: {reason}"[:500], 0.0)
    return post(client, job, at=at)


def post(client: httpx.Client, job: Job, *, at: datetime) -> Outcome:
    """POST one signed delivery, never following a redirect; a network error is an outcome, never raised."""
    started = time.perf_counter()
    try:
        response = client.post(job.url, content=job.body, headers=headers_for(job, at=at),
                               follow_redirects=False)
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
    return Outcome(response.status_code, _error(response), _ms(started))


def _error(response: httpx.Response) -> str | None:
    if response.is_success:
        return None
    if 300 <= response.status_code < 400:
        where = response.headers.get("Location", "nowhere")
        return f"HTTP {response.status_code} redirect to {where} not followed (webhooks never follow)"[:500]
    return f"HTTP {response.status_code}"


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def record(session: Session, job: Job, outcome: Outcome, *, now: datetime,
           policy: RetryPolicy = RETRY) -> DeliveryStatus:
    """Log the attempt and move the delivery on: delivered, retried later, or failed for good."""
    session.add(WebhookAttempt(delivery_id=job.delivery_id, attempt=job.attempt, created_at=now,
                               status_code=outcome.status_code, error=outcome.error,
                               duration_ms=outcome.duration_ms))
    values: dict[str, Any] = {"attempts": job.attempt, "last_status_code": outcome.status_code,
                              "last_error": outcome.error}
    if outcome.ok:
        values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    elif job.attempt >= policy.max_attempts:
        values |= {"status": DeliveryStatus.FAILED}
    else:
        values |= {"status": DeliveryStatus.PENDING, "next_attempt_at": now + policy.delay(job.attempt)}
    session.execute(update(WebhookDelivery).where(WebhookDelivery.id == job.delivery_id).values(**values))
    return DeliveryStatus(values["status"])


def deliver_webhooks(session_factory: sessionmaker[Session], *, now: datetime, client: httpx.Client,
                     options: WebhookOptions = WEBHOOK_DEFAULTS) -> DeliveryReport:
    """Fan new outbox events out, then POST every due delivery once (at ``now`` + the run's time so far)."""
    report, started = DeliveryReport(), time.monotonic()
    with session_scope(session_factory) as session:
        report.fanned_out = fan_out(session, now=now, batch=options.batch)
    with session_scope(session_factory) as session:
        jobs = claim(session, now=now, batch=options.batch, key=options.key, policy=options.policy)
    for job in jobs:
        at = now + timedelta(seconds=time.monotonic() - started)
        outcome = send(client, job, at=at, allow_private=options.allow_private)
        with session_scope(session_factory) as session:
            status = record(session, job, outcome, now=at, policy=options.policy)
        _count(report, status, job, outcome)
    return report


def _count(report: DeliveryReport, status: DeliveryStatus, job: Job, outcome: Outcome) -> None:
    if status is DeliveryStatus.DELIVERED:
        report.delivered += 1
        return
    report.errors.append(f"{job.uid} attempt {job.attempt}: {outcome.error}")
    if status is DeliveryStatus.FAILED:
        report.failed += 1
        log.warning("webhook %s to endpoint failed for good after %d attempts", job.uid, job.attempt)
    else:
        report.retrying += 1


@dataclass(frozen=True)
class SmsJob:
    """One claimed queued text."""

    id: int
    phone: str
    message: str
    attempt: int


def claim_sms(session: Session, *, now: datetime, batch: int, policy: RetryPolicy = RETRY) -> list[SmsJob]:
    """Due queued messages, each leased so a parallel run skips it."""
    stmt = (select(SmsMessage).where(SmsMessage.status == SmsStatus.QUEUED, SmsMessage.next_attempt_at <= now)
            .order_by(SmsMessage.next_attempt_at, SmsMessage.id).limit(batch))
    jobs: list[SmsJob] = []
    for msg in session.scalars(stmt).all():
        taken = session.execute(update(SmsMessage).where(
            SmsMessage.id == msg.id, SmsMessage.next_attempt_at == msg.next_attempt_at,
        ).values(next_attempt_at=now + policy.lease).execution_options(synchronize_session=False))
        if getattr(taken, "rowcount", 0) == 1:
            jobs.append(SmsJob(msg.id, msg.phone, msg.message, msg.attempts + 1))
    return jobs


def record_sms(session: Session, job: SmsJob, result: str | SmsError, *, now: datetime,
               policy: RetryPolicy = RETRY) -> SmsStatus:
    """Sent (with the provider id), retried later, or failed for good (its credits given back)."""
    values: dict[str, Any] = {"attempts": job.attempt}
    if isinstance(result, str):
        values |= {"status": SmsStatus.SENT, "provider_id": result, "sent_at": now, "error": None}
    elif job.attempt >= policy.max_attempts:
        values |= {"status": SmsStatus.FAILED, "error": str(result)[:500]}
        msg = session.get(SmsMessage, job.id)
        if msg is not None:
            sms.refund(session, msg.operator_id, msg.credits, now=now)
    else:
        values |= {"error": str(result)[:500], "next_attempt_at": now + policy.delay(job.attempt)}
    session.execute(update(SmsMessage).where(SmsMessage.id == job.id).values(**values))
    return SmsStatus(values.get("status", SmsStatus.QUEUED))


def deliver_sms(session_factory: sessionmaker[Session], *, now: datetime, gateway: sms.SmsGateway,
                batch: int = 100, policy: RetryPolicy = RETRY) -> DeliveryReport:
    """Send every due queued text once through ``gateway``."""
    report = DeliveryReport()
    with session_scope(session_factory) as session:
        jobs = claim_sms(session, now=now, batch=batch, policy=policy)
    for job in jobs:
        try:
            result: str | SmsError = gateway.send(job.phone, job.message)
        except SmsError as exc:
            result = exc
        with session_scope(session_factory) as session:
            status = record_sms(session, job, result, now=now, policy=policy)
        if status is SmsStatus.SENT:
            report.delivered += 1
        else:
            report.errors.append(f"sms {job.id} attempt {job.attempt}: {result}")
            report.failed += status is SmsStatus.FAILED
            report.retrying += status is SmsStatus.QUEUED
    return report
