"""Webhooks: CRUD over v2 as the document shows, and delivery to a real HTTP receiver on 127.0.0.1
that checks the HMAC signature itself; a receiver that is down gets the event once it is back up.
Receivers on 127.0.0.1 need private addresses allowed: the ``lan`` fixture does that explicitly."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import event, select

from api.delivery import RetryPolicy, WebhookOptions, deliver_webhooks, fan_out
from api.models_outbox import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from billing.events import emit
from billing.models import OutboxEvent
from scheduler import jobs
from scheduler.jobs import JobContext, install, uninstall
from scheduler.runs import ClosingEnforcer
from tests.factories import NOW
from tests.integration.api.conftest import Api, make_settings
from tests.integration.api.receiver import Receiver, serve
from tests.integration.api.world import World

DOC_BODY = {"url": "https://your-server.example/webhooks/ispbills",
            "events": ["customer.created", "payment.received", "bill.generated"], "active": True}
PAYMENT = {"customer_id": 1234, "amount": "500.00", "currency": "BDT", "method": "bkash",
           "transaction_id": "TXN-9876", "operator_id": None}


@pytest.fixture
def lan(api: Api) -> WebhookOptions:
    """Receivers on 127.0.0.1: the app and the delivery runs allow private addresses (off by default)."""
    api.http.app.state.runtime.settings.webhook_allow_private = True  # type: ignore[attr-defined]
    return WebhookOptions(allow_private=True)


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


def test_delivery_is_signed_and_documented(api: Api, lan: WebhookOptions) -> None:
    with serve() as rx, httpx.Client(timeout=5) as client:
        made = _create(api, api.token("v2", "admin"), url=rx.url + "/hook")
        _emit(api, "payment.received", PAYMENT)
        _emit(api, "customer.suspended", {"customer_id": 1})  # not subscribed
        report = deliver_webhooks(api.sessions, now=NOW, client=client, options=lan)
    assert (report.fanned_out, report.delivered, report.retrying) == (1, 1, 0)
    [got] = rx.requests
    doc = _check_signed(got.body, got.headers, str(made["secret"]))
    assert doc == {"event": "payment.received", "timestamp": "2026-05-15T12:00:00Z", "data": PAYMENT}
    assert got.path == "/hook" and got.headers["X-Webhook-Event-Id"].startswith("evt_")
    assert 0 <= int(got.headers["X-Webhook-Timestamp"]) - int(NOW.timestamp()) <= 5  # NOW + the run so far
    with api.db() as s:
        assert all(e.dispatched_at is not None for e in s.scalars(select(OutboxEvent)))
        [delivery] = s.scalars(select(WebhookDelivery)).all()
        assert delivery.status is DeliveryStatus.DELIVERED and delivery.last_status_code == 200


def test_receiver_down_then_up_gets_the_event(api: Api, lan: WebhookOptions) -> None:
    with serve() as rx:
        port = rx.port
    made = _create(api, api.token("v2", "admin"), url=f"http://127.0.0.1:{port}/in")
    _emit(api, "customer.created", {"customer_id": 7})
    with httpx.Client(timeout=2) as client:
        down = deliver_webhooks(api.sessions, now=NOW, client=client, options=lan)
        assert (down.delivered, down.retrying) == (0, 1)
        early = deliver_webhooks(api.sessions, now=NOW + timedelta(seconds=30), client=client, options=lan)
        assert early.retrying == 0 and early.delivered == 0  # back-off: not due yet
        with serve(Receiver(port=port)) as rx:
            up = deliver_webhooks(api.sessions, now=NOW + timedelta(minutes=3), client=client, options=lan)
    assert up.delivered == 1 and len(rx.requests) == 1
    assert _check_signed(rx.requests[0].body, rx.requests[0].headers, str(made["secret"]))["data"] == {
        "customer_id": 7}
    with api.db() as s:
        log = s.scalars(select(WebhookAttempt).order_by(WebhookAttempt.attempt)).all()
        assert [(a.attempt, a.status_code) for a in log] == [(1, None), (2, 200)] and log[0].error


def test_failing_receiver_backs_off_then_fails_and_logs(api: Api, lan: WebhookOptions) -> None:
    policy = RetryPolicy(base=timedelta(minutes=1), cap=timedelta(minutes=3), max_attempts=4)
    options = replace(lan, policy=policy)
    with serve(Receiver(status=503)) as rx, httpx.Client(timeout=5) as client:
        made = _create(api, api.token("v2", "admin"), url=rx.url)
        _emit(api, "bill.generated", {"bill_id": 1})
        at, results = NOW, []
        for _ in range(4):
            report = deliver_webhooks(api.sessions, now=at, client=client, options=options)
            results.append((report.retrying, report.failed))
            with api.db() as s:
                at = s.scalars(select(WebhookDelivery)).one().next_attempt_at
    assert results == [(1, 0), (1, 0), (1, 0), (0, 1)] and len(rx.requests) == 4
    r = api.http.get(f"/api/v2/webhooks/{made['id']}/deliveries", headers=api.auth(api.token()))
    [d] = r.json()["data"]
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("failed", 4, 503)
    assert d["last_error"] == "HTTP 503"
    assert policy.delay(1) == timedelta(minutes=1) and policy.delay(5) == timedelta(minutes=3)


def test_only_active_and_in_scope_endpoints_get_events(api: Api, world: World, lan: WebhookOptions) -> None:
    with serve() as rx, httpx.Client(timeout=5) as client:
        token = api.token("v2", "admin")
        _create(api, token, url=rx.url + "/off", active=False)
        _create(api, token, url=rx.url + "/a", operator_id=world.a.operator)
        _create(api, token, url=rx.url + "/all")
        _emit(api, "payment.received", PAYMENT | {"operator_id": world.b.operator})
        deliver_webhooks(api.sessions, now=NOW, client=client, options=lan)
    assert [r.path for r in rx.requests] == ["/all"]


def _deliveries_to(rx: Receiver, path: str) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in rx.requests if r.path == path]


def test_a_scoped_webhook_gets_every_payment_of_its_operator_and_no_other(
    api: Api, world: World, lan: WebhookOptions,
) -> None:
    admin = api.token("v2", "admin")
    with serve() as rx, httpx.Client(timeout=5) as client:
        for path, op in (("/a", world.a.operator), ("/b", world.b.operator), ("/all", None)):
            _create(api, admin, url=rx.url + path, events=["payment.received", "customer.suspended"],
                    operator_id=op)
        billing = api.auth(api.token("v2", "billing"))
        for cid in (*world.a.customers, world.b.customers[0]):
            r = api.http.post("/api/v2/billing/payments", json={"customer_id": cid, "amount": 100},
                              headers=billing)
            assert r.status_code == 201, r.text
        _emit(api, "customer.suspended", {"customer_id": world.b.customers[1], "reason": "overdue"})
        report = deliver_webhooks(api.sessions, now=NOW, client=client, options=lan)
    assert report.delivered == 8 and not report.errors
    got_a = [(d["event"], d["data"]["customer_id"]) for d in _deliveries_to(rx, "/a")]  # type: ignore[index]
    got_b = [(d["event"], d["data"]["customer_id"]) for d in _deliveries_to(rx, "/b")]  # type: ignore[index]
    assert sorted(got_a) == sorted(("payment.received", c) for c in world.a.customers)
    assert sorted(got_b) == [("customer.suspended", world.b.customers[1]),
                             ("payment.received", world.b.customers[0])]
    assert len(_deliveries_to(rx, "/all")) == 4


def test_operators_are_resolved_in_one_query_per_batch(api: Api, world: World, lan: WebhookOptions) -> None:
    _create(api, api.token("v2", "admin"), url="http://127.0.0.1:9/a", operator_id=world.a.operator)
    for n in range(12):
        _emit(api, "payment.received", {"customer_id": world.a.customers[n % 2], "amount": str(n)})
    seen: list[str] = []
    engine = api.sessions.kw["bind"]

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        with api.db() as s:
            assert fan_out(s, now=NOW, batch=100) == 12
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([q for q in seen if "FROM customers" in q]) == 1


def test_a_webhook_gets_only_events_from_after_it_was_created(api: Api, lan: WebhookOptions) -> None:
    _emit(api, "customer.created", {"customer_id": 1})  # before the endpoint existed
    api.now[0] = NOW + timedelta(minutes=1)
    with serve() as rx, httpx.Client(timeout=5) as client:
        _create(api, api.token("v2", "admin"), url=rx.url, events=["customer.created"])
        with api.db() as s:
            emit(s, "customer.created", {"customer_id": 2}, now=NOW + timedelta(minutes=2))
        report = deliver_webhooks(api.sessions, now=NOW + timedelta(minutes=2), client=client, options=lan)
    assert report.fanned_out == 1
    assert [json.loads(r.body)["data"] for r in rx.requests] == [{"customer_id": 2}]


PRIVATE = ["http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data",
           "http://10.20.30.40/hook", "http://192.168.1.1/hook", "http://[::1]/hook", "http://224.0.0.1/hook",
           "http://0.0.0.0/hook", "http://100.64.0.1/hook", "http://[::ffff:127.0.0.1]/hook",
           "http://172.16.0.1/hook", "http://[fe80::1]/hook", "http://240.0.0.1/hook",
           "http://[2002:7f00:1::]/hook", "http://[64:ff9b::a00:1]/hook", "http://[fd00::5]/hook"]


@pytest.mark.parametrize("url", PRIVATE)
def test_urls_on_non_public_addresses_are_refused_unless_allowed(api: Api, url: str) -> None:
    token = api.token("v2", "admin")
    r = api.http.post("/api/v2/webhooks", json=DOC_BODY | {"url": url}, headers=api.auth(token))
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "ISPNOC_WEBHOOK_ALLOW_PRIVATE" in r.json()["error"]["details"]["url"][0]
    public = _create(api, token, url="https://8.8.8.8/hook")
    r = api.http.put(f"/api/v2/webhooks/{public['id']}", json={"url": url}, headers=api.auth(token))
    assert r.status_code == 422 and list(r.json()["error"]["details"]) == ["url"]
    api.http.app.state.runtime.settings.webhook_allow_private = True  # type: ignore[attr-defined]
    assert _create(api, token, url=url)["url"]
    r = api.http.put(f"/api/v2/webhooks/{public['id']}", json={"url": url}, headers=api.auth(token))
    assert r.status_code == 200, r.text


def test_delivery_checks_the_address_again_and_does_not_send(
    api: Api, monkeypatch: pytest.MonkeyPatch,
) -> None:
    dns = {"hooks.example.net": "8.8.4.4"}

    def resolve(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (dns[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    _create(api, api.token("v2", "admin"), url="https://hooks.example.net/in")
    dns["hooks.example.net"] = "10.0.0.7"  # the name moved into the ISP's network
    _emit(api, "payment.received", PAYMENT)
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        report = deliver_webhooks(api.sessions, now=NOW, client=client)
    assert sent == [] and report.retrying == 1
    with api.db() as s:
        delivery = s.scalars(select(WebhookDelivery)).one()
        assert delivery.status is DeliveryStatus.PENDING and delivery.last_status_code is None
        assert delivery.last_error and delivery.last_error.startswith("not sent: ")
        assert "hooks.example.net is not a public address" in delivery.last_error


def _readme_receiver() -> Callable[..., bool]:
    text = (Path(__file__).parents[3] / "README.md").read_text()
    section = text[text.index("## Webhooks"):]
    code = section[section.index("```python") + len("```python"):]
    namespace: dict[str, object] = {}
    exec(code[:code.index("```")], namespace)
    found = namespace["verified"]
    assert callable(found)
    return found


def test_a_retry_keeps_its_id_and_the_v2_signature_covers_the_timestamp(
    api: Api, lan: WebhookOptions,
) -> None:
    with serve(Receiver(script=[500])) as rx, httpx.Client(timeout=5) as client:
        made = _create(api, api.token("v2", "admin"), url=rx.url)
        _emit(api, "payment.received", PAYMENT)
        first = deliver_webhooks(api.sessions, now=NOW, client=client, options=lan)
        again = deliver_webhooks(api.sessions, now=NOW + timedelta(minutes=3), client=client, options=lan)
    assert (first.retrying, again.delivered) == (1, 1)
    one, two = rx.requests
    assert one.body == two.body and one.headers["X-Webhook-Id"] == two.headers["X-Webhook-Id"]
    assert one.headers["X-Webhook-Id"].startswith("evt_")
    assert (one.headers["X-Webhook-Attempt"], two.headers["X-Webhook-Attempt"]) == ("1", "2")
    secret, stamps = str(made["secret"]), [int(r.headers["X-Webhook-Timestamp"]) for r in (one, two)]
    assert stamps[1] - stamps[0] >= 180
    for got, stamp in zip((one, two), stamps, strict=True):
        signed = f"{stamp}.".encode() + got.body
        assert got.headers["X-Signature-V2"] == hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        _check_signed(got.body, got.headers, secret)
    verified = _readme_receiver()
    assert verified(secret, two.headers, two.body, now=stamps[1] + 60)
    assert verified(secret, one.headers, one.body, now=stamps[0] + 299)
    assert not verified(secret, one.headers, one.body, now=stamps[0] + 301)  # replayed after 5 minutes
    assert not verified(secret, two.headers, two.body + b" ", now=stamps[1])
    assert not verified(secret, two.headers | {"X-Webhook-Timestamp": str(stamps[1] + 1)}, two.body,
                        now=stamps[1])


def test_a_redirect_is_a_failed_attempt_and_not_followed(api: Api, lan: WebhookOptions) -> None:
    with serve() as target, serve(Receiver(status=302)) as rx, \
            httpx.Client(timeout=5, follow_redirects=True) as client:
        rx.headers["Location"] = target.url + "/elsewhere"
        made = _create(api, api.token("v2", "admin"), url=rx.url + "/hook")
        _emit(api, "payment.received", PAYMENT)
        report = deliver_webhooks(api.sessions, now=NOW, client=client, options=lan)
    assert (report.delivered, report.retrying) == (0, 1)
    assert [r.path for r in rx.requests] == ["/hook"] and target.requests == []
    r = api.http.get(f"/api/v2/webhooks/{made['id']}/deliveries", headers=api.auth(api.token()))
    [d] = r.json()["data"]
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("pending", 1, 302)
    assert d["last_error"] == (f"HTTP 302 redirect to {target.url}/elsewhere not followed "
                               "(webhooks never follow)")


def _no_enforcer() -> ClosingEnforcer:
    raise AssertionError("the webhook job never enforces")


@pytest.mark.parametrize("allowed", [False, True])
def test_the_scheduler_job_takes_allow_private_from_its_settings(api: Api, lan: WebhookOptions,
                                                                  allowed: bool) -> None:
    ctx = JobContext(settings=make_settings(webhook_allow_private=allowed), engine=api.sessions.kw["bind"],
                     sessions=api.sessions, reveal=lambda s: s or "", enforcer=_no_enforcer,
                     clock=lambda: NOW)
    with serve() as rx:
        _create(api, api.token("v2", "admin"), url=rx.url)
        _emit(api, "payment.received", PAYMENT)
        install(ctx)
        try:
            report = jobs.webhooks()
        finally:
            uninstall(ctx)
    assert (len(rx.requests), report.delivered) == ((1, 1) if allowed else (0, 0))
    assert allowed or "not a public address" in report.errors[0]
