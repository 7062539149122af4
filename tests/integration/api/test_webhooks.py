"""Webhooks: CRUD over v2 as the document shows, and delivery to a real HTTP receiver on 127.0.0.1
that checks the HMAC signature itself; a receiver that is down gets the event once it is back up."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select

from api.delivery import RetryPolicy, deliver_webhooks
from api.models_outbox import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from billing.events import emit
from billing.models import OutboxEvent
from tests.factories import NOW
from tests.integration.api.conftest import Api
from tests.integration.api.receiver import Receiver, serve
from tests.integration.api.world import World

DOC_BODY = {"url": "https://your-server.example/webhooks/ispbills",
            "events": ["customer.created", "payment.received", "bill.generated"], "active": True}
PAYMENT = {"customer_id": 1234, "amount": "500.00", "currency": "BDT", "method": "bkash",
           "transaction_id": "TXN-9876", "operator_id": None}


def _create(api: Api, token: str, **body: object) -> dict[str, object]:
    r = api.http.post("/api/v2/webhooks", json=DOC_BODY | body, headers=api.auth(token))
    assert r.status_code == 201, r.text
    data: dict[str, object] = r.json()["data"]
    return data


def test_crud_as_documented(api: Api) -> None:
    token = api.token("v2", "admin")
    made = _create(api, token)
    assert str(made["secret"]).startswith("whsec_") and made["events"] == sorted(DOC_BODY["events"])  # type: ignore[call-overload]
    listed = api.http.get("/api/v2/webhooks", headers=api.auth(token)).json()
    assert listed["meta"]["total"] == 1 and "secret" not in listed["data"][0]
    r = api.http.put(f"/api/v2/webhooks/{made['id']}", json={"active": False, "events": ["customer.expired"]},
                     headers=api.auth(token))
    assert r.status_code == 200 and r.json()["data"]["active"] is False
    assert r.json()["data"]["events"] == ["customer.expired"] and "secret" not in r.json()["data"]
    assert api.http.delete(f"/api/v2/webhooks/{made['id']}", headers=api.auth(token)).status_code == 204
    assert api.http.get("/api/v2/webhooks", headers=api.auth(token)).json()["meta"]["total"] == 0
    assert api.http.delete(f"/api/v2/webhooks/{made['id']}", headers=api.auth(token)).status_code == 404


def test_validation_and_access(api: Api) -> None:
    token = api.token("v2", "admin")
    r = api.http.post("/api/v2/webhooks", json=DOC_BODY | {"events": ["customer.eaten"]},
                      headers=api.auth(token))
    assert r.status_code == 422 and "events.0" in r.json()["error"]["details"]
    r = api.http.post("/api/v2/webhooks", json=DOC_BODY | {"url": "ftp://x"}, headers=api.auth(token))
    assert r.status_code == 422 and "url" in r.json()["error"]["details"]
    noc = api.auth(api.token("v2", "noc"))
    assert api.http.post("/api/v2/webhooks", json=DOC_BODY, headers=noc).status_code == 403
    assert api.http.get("/api/v2/webhooks", headers=api.auth(api.token("v1", "admin"))).status_code == 401


def test_scoped_admin_sees_only_its_own(api: Api, world: World) -> None:
    mine = api.token("v2", "admin", operator_id=world.a.operator)
    other = _create(api, api.token("v2", "admin"), operator_id=world.b.operator)
    made = _create(api, mine, operator_id=world.b.operator)  # the scope wins over the body
    assert made["operator_id"] == world.a.operator
    listed = api.http.get("/api/v2/webhooks", headers=api.auth(mine)).json()["data"]
    assert [w["id"] for w in listed] == [made["id"]]
    assert api.http.put(f"/api/v2/webhooks/{other['id']}", json={"active": False},
                        headers=api.auth(mine)).status_code == 404


def test_secret_is_sealed_at_rest_when_a_key_is_set(api: Api) -> None:
    key = Fernet.generate_key().decode()
    api.http.app.state.runtime.settings.credentials_key = SecretStr(key)  # type: ignore[attr-defined]
    made = _create(api, api.token("v2", "admin"))
    with api.db() as s:
        stored = s.get(WebhookEndpoint, made["id"])
        assert stored is not None and str(made["secret"]) not in stored.secret
        opened = Fernet(key.encode()).decrypt(stored.secret.removeprefix("fernet:").encode()).decode()
        assert opened == made["secret"]


def _emit(api: Api, event: str, data: dict[str, object]) -> None:
    with api.db() as s:
        emit(s, event, data, now=NOW)


def _check_signed(request_body: bytes, headers: dict[str, str], secret: str) -> dict[str, object]:
    expected = hmac.new(secret.encode(), request_body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, headers["X-Signature"])
    doc: dict[str, object] = json.loads(request_body)
    return doc


def test_delivery_is_signed_and_documented(api: Api) -> None:
    with serve() as rx, httpx.Client(timeout=5) as client:
        made = _create(api, api.token("v2", "admin"), url=rx.url + "/hook")
        _emit(api, "payment.received", PAYMENT)
        _emit(api, "customer.suspended", {"customer_id": 1})  # not subscribed
        report = deliver_webhooks(api.sessions, now=NOW, client=client)
    assert (report.fanned_out, report.delivered, report.retrying) == (1, 1, 0)
    [got] = rx.requests
    doc = _check_signed(got.body, got.headers, str(made["secret"]))
    assert doc == {"event": "payment.received", "timestamp": "2026-05-15T12:00:00Z", "data": PAYMENT}
    assert got.path == "/hook" and got.headers["X-Webhook-Event-Id"].startswith("evt_")
    assert got.headers["X-Webhook-Timestamp"] == str(int(NOW.timestamp()))
    with api.db() as s:
        assert all(e.dispatched_at is not None for e in s.scalars(select(OutboxEvent)))
        [delivery] = s.scalars(select(WebhookDelivery)).all()
        assert delivery.status is DeliveryStatus.DELIVERED and delivery.last_status_code == 200


def test_receiver_down_then_up_gets_the_event(api: Api) -> None:
    with serve() as rx:
        port = rx.port
    made = _create(api, api.token("v2", "admin"), url=f"http://127.0.0.1:{port}/in")
    _emit(api, "customer.created", {"customer_id": 7})
    with httpx.Client(timeout=2) as client:
        down = deliver_webhooks(api.sessions, now=NOW, client=client)
        assert (down.delivered, down.retrying) == (0, 1)
        early = deliver_webhooks(api.sessions, now=NOW + timedelta(seconds=30), client=client)
        assert early.retrying == 0 and early.delivered == 0  # back-off: not due yet
        with serve(Receiver(port=port)) as rx:
            up = deliver_webhooks(api.sessions, now=NOW + timedelta(minutes=3), client=client)
    assert up.delivered == 1 and len(rx.requests) == 1
    assert _check_signed(rx.requests[0].body, rx.requests[0].headers, str(made["secret"]))["data"] == {
        "customer_id": 7}
    with api.db() as s:
        log = s.scalars(select(WebhookAttempt).order_by(WebhookAttempt.attempt)).all()
        assert [(a.attempt, a.status_code) for a in log] == [(1, None), (2, 200)] and log[0].error


def test_failing_receiver_backs_off_then_fails_and_logs(api: Api) -> None:
    policy = RetryPolicy(base=timedelta(minutes=1), cap=timedelta(minutes=3), max_attempts=4)
    with serve(Receiver(status=503)) as rx, httpx.Client(timeout=5) as client:
        made = _create(api, api.token("v2", "admin"), url=rx.url)
        _emit(api, "bill.generated", {"bill_id": 1})
        at, results = NOW, []
        for _ in range(4):
            report = deliver_webhooks(api.sessions, now=at, client=client, policy=policy)
            results.append((report.retrying, report.failed))
            with api.db() as s:
                at = s.scalars(select(WebhookDelivery)).one().next_attempt_at
    assert results == [(1, 0), (1, 0), (1, 0), (0, 1)] and len(rx.requests) == 4
    r = api.http.get(f"/api/v2/webhooks/{made['id']}/deliveries", headers=api.auth(api.token()))
    [d] = r.json()["data"]
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("failed", 4, 503)
    assert d["last_error"] == "HTTP 503"
    assert policy.delay(1) == timedelta(minutes=1) and policy.delay(5) == timedelta(minutes=3)


def test_only_active_and_in_scope_endpoints_get_events(api: Api, world: World) -> None:
    with serve() as rx, httpx.Client(timeout=5) as client:
        token = api.token("v2", "admin")
        _create(api, token, url=rx.url + "/off", active=False)
        _create(api, token, url=rx.url + "/a", operator_id=world.a.operator)
        _create(api, token, url=rx.url + "/all")
        _emit(api, "payment.received", PAYMENT | {"operator_id": world.b.operator})
        deliver_webhooks(api.sessions, now=NOW, client=client)
    assert [r.path for r in rx.requests] == ["/all"]
