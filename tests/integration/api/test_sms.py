"""SMS: send and broadcast routes as the document shows, E.164 phones, credits, history, and the
delivery job through the HTTP gateway to a real local provider."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from api.delivery import RetryPolicy, deliver_sms
from api.models_outbox import SmsMessage, SmsStatus
from api.sms import HttpSmsGateway, LoggingGateway, gateway_from, mask, segments
from tests.factories import NOW
from tests.integration.api.conftest import Api, make_settings
from tests.integration.api.receiver import Receiver, serve

SEND = {"phone": "01712345678",
        "message": "Your monthly invoice of 1,200 BDT has been generated. Please pay before April 20."}
PHONES = ["01712345678", "01898765432", "01611223344"]


def test_v1_send_history_and_balance(api: Api) -> None:
    token = api.auth(api.token("v1", "billing"))
    r = api.http.post("/api/v1/sms/send", json=SEND, headers=token)
    assert r.status_code == 200, r.text
    sent = r.json()["data"]
    assert sent["status"] == "queued" and sent["phone"] == "+8801712345678"
    assert sent["message_id"].startswith("sms_") and set(sent) == {"message_id", "status", "phone"}
    history = api.http.get("/api/v1/sms/history", headers=token).json()
    assert history["meta"]["total"] == 1
    assert history["data"][0] | {"created_at": None} == {
        "message_id": sent["message_id"], "phone": "+8801712345678", "message": SEND["message"],
        "status": "queued", "credits": 1, "attempts": 0, "error": None, "broadcast_id": None,
        "created_at": None, "sent_at": None}
    assert api.http.get("/api/v1/sms/balance", headers=token).json() == {"data": {"balance": 4999}}


def test_v2_send_reports_credits(api: Api) -> None:
    token = api.auth(api.token("v2", "admin"))
    assert api.http.get("/api/v2/sms/balance", headers=token).json()["data"]["balance"] == 5000
    first = api.http.post("/api/v2/sms/send", json=SEND, headers=token).json()["data"]
    assert (first["credits_used"], first["credits_remaining"]) == (1, 4999)
    long = api.http.post("/api/v2/sms/send", json={"phone": "+8801898765432", "message": "ব" * 71},
                         headers=token).json()["data"]
    assert (long["credits_used"], long["credits_remaining"]) == (2, 4997)


def test_invalid_phones_are_422_naming_the_field(api: Api) -> None:
    token = api.auth(api.token("v2", "admin"))
    r = api.http.post("/api/v2/sms/send", json={"phone": "12", "message": "hi"}, headers=token)
    assert r.status_code == 422 and "phone" in r.json()["error"]["details"]
    bad = {"phones": ["01712345678", "not a phone"], "message": "x"}
    r = api.http.post("/api/v2/sms/broadcast", json=bad, headers=token)
    assert r.status_code == 422 and "phones.1" in r.json()["error"]["details"]
    with api.db() as s:
        assert s.scalars(select(SmsMessage)).all() == []


def test_broadcast_queues_each_phone_once_and_is_rate_limited(api: Api) -> None:
    token = api.auth(api.token("v2", "admin"))
    body = {"phones": [*PHONES, "+8801712345678"], "message": "Scheduled maintenance tonight."}
    r = api.http.post("/api/v2/sms/broadcast", json=body, headers=token)
    assert r.status_code == 202, r.text
    data = r.json()["data"]
    assert (data["recipients"], data["credits_used"], data["credits_remaining"]) == (3, 3, 4997)
    with api.db() as s:
        phones = sorted(m.phone for m in s.scalars(select(SmsMessage)))
    assert phones == ["+8801611223344", "+8801712345678", "+8801898765432"]
    codes = [api.http.post("/api/v2/sms/broadcast", json=body, headers=token).status_code for _ in range(10)]
    assert codes[:9] == [202] * 9 and codes[9] == 429


def test_not_enough_credits_queues_nothing(api: Api) -> None:
    api.http.app.state.runtime.settings.sms_initial_credits = 2  # type: ignore[attr-defined]
    token = api.auth(api.token("v2", "admin"))
    r = api.http.post("/api/v2/sms/broadcast", json={"phones": PHONES, "message": "x"}, headers=token)
    assert r.status_code == 422 and "credits" in r.json()["error"]["details"]
    assert api.http.get("/api/v2/sms/balance", headers=token).json()["data"]["balance"] == 2


def _queue(api: Api, phone: str = "01712345678") -> None:
    token = api.auth(api.token("v2", "admin"))
    assert api.http.post("/api/v2/sms/send", json={"phone": phone, "message": 'Paid "1,500" BDT'},
                         headers=token).status_code == 200


def test_http_gateway_delivers_to_a_real_provider(api: Api) -> None:
    _queue(api)
    with serve(Receiver(reply={"data": {"message_id": "prov-77"}})) as rx, httpx.Client(timeout=5) as client:
        settings = make_settings(sms_gateway_url=rx.url + "/send", sms_gateway_token=SecretStr("tok-123"))
        report = deliver_sms(api.sessions, now=NOW, gateway=gateway_from(settings, client))
    assert report.delivered == 1
    [got] = rx.requests
    assert got.method == "POST" and got.path == "/send" and got.headers["Authorization"] == "Bearer tok-123"
    assert json.loads(got.body) == {"to": "+8801712345678", "text": 'Paid "1,500" BDT'}
    with api.db() as s:
        msg = s.scalars(select(SmsMessage)).one()
        assert (msg.status, msg.provider_id, msg.sent_at) == (SmsStatus.SENT, "prov-77", NOW)


def test_http_get_gateway_fills_the_url() -> None:
    with serve(Receiver(reply={"id": 5})) as rx, httpx.Client(timeout=5) as client:
        gateway = HttpSmsGateway(url=rx.url + "/api?to={phone}&msg={message}", client=client, method="GET")
        assert gateway.send("+8801712345678", "a b&c") == "5"
    assert rx.requests[0].path == "/api?to=%2B8801712345678&msg=a%20b%26c"


def test_failing_provider_retries_then_fails_and_refunds(api: Api) -> None:
    _queue(api)
    policy = RetryPolicy(base=timedelta(minutes=1), max_attempts=2)
    with serve(Receiver(status=500)) as rx, httpx.Client(timeout=5) as client:
        gateway = HttpSmsGateway(url=rx.url, client=client)
        first = deliver_sms(api.sessions, now=NOW, gateway=gateway, policy=policy)
        second = deliver_sms(api.sessions, now=NOW + timedelta(minutes=1), gateway=gateway, policy=policy)
    assert (first.retrying, second.failed, len(rx.requests)) == (1, 1, 2)
    with api.db() as s:
        msg = s.scalars(select(SmsMessage)).one()
        assert (msg.status, msg.attempts, msg.error) == (SmsStatus.FAILED, 2, "gateway answered HTTP 500")
    token = api.auth(api.token("v2", "admin"))
    assert api.http.get("/api/v2/sms/balance", headers=token).json()["data"]["balance"] == 5000


def test_unreachable_provider_keeps_the_text_queued(api: Api) -> None:
    _queue(api)
    with serve() as rx:
        url = rx.url
    with httpx.Client(timeout=2) as client:
        report = deliver_sms(api.sessions, now=NOW, gateway=HttpSmsGateway(url=url, client=client))
    assert report.retrying == 1
    with api.db() as s:
        msg = s.scalars(select(SmsMessage)).one()
        assert msg.status is SmsStatus.QUEUED and msg.next_attempt_at == NOW + timedelta(minutes=2)


def test_logging_gateway_masks_the_phone(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    _queue(api)
    with caplog.at_level(logging.INFO, logger="api.sms"):
        assert deliver_sms(api.sessions, now=NOW, gateway=gateway_from(make_settings())).delivered == 1
    assert "+8801712345678" not in caplog.text and mask("+8801712345678") in caplog.text
    assert isinstance(gateway_from(make_settings()), LoggingGateway)


def test_segments() -> None:
    assert [segments("a" * 160), segments("a" * 161), segments("ব" * 70), segments("ব" * 71)] == [1, 2, 1, 2]
