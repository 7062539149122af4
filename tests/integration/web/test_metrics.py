"""``/metrics``: the Prometheus text format, latency by route template, the store's numbers at scrape time."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from api.models_outbox import DeliveryStatus, SmsMessage, SmsStatus, WebhookDelivery, WebhookEndpoint
from billing.models import OutboxEvent
from scheduler.metrics import LOOP, count_failure, declare
from store.db import session_scope
from tests.factories import NOW
from tests.integration.web.conftest import Dashboard
from tests.integration.web.seed import ADMIN

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(dash: Dashboard, **headers: str) -> Samples:
    r = dash.http.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def queue_outbound(dash: Dashboard) -> None:
    with session_scope(dash.sessions) as session:
        event = session.scalars(select(OutboxEvent).limit(1)).one()
        hook = WebhookEndpoint(url="https://hooks.example/x", events=["*"], active=True, secret="s",
                               created_at=NOW, updated_at=NOW)
        session.add(hook)
        session.flush()
        session.add(WebhookDelivery(uid="d-1", endpoint_id=hook.id, event_id=event.id, event=event.event,
                                    status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=NOW,
                                    created_at=NOW))
        session.add_all(SmsMessage(message_id=f"m-{n}", phone="+8801712345678", message="pay", credits=1,
                                   status=status, attempts=0, next_attempt_at=NOW, created_at=NOW)
                        for n, status in enumerate((SmsStatus.QUEUED, SmsStatus.QUEUED, SmsStatus.SENT)))


def test_store_numbers(dash: Dashboard) -> None:
    queue_outbound(dash)
    with session_scope(dash.sessions) as session:
        events = session.scalar(select(func.count()).where(OutboxEvent.dispatched_at.is_(None)))
    got = scrape(dash)
    assert got[("ispnoc_store_up", ())] == 1
    assert got[("ispnoc_collection_last_duration_seconds", (("family", "mikrotik"),))] == 2.5
    assert got[("ispnoc_collection_last_failed_devices", (("family", "mikrotik"),))] == 0
    assert got[("ispnoc_collection_cycles_last_hour", (("family", "mikrotik"),))] == 1
    assert got[("ispnoc_devices", (("kind", "router"), ("status", "up")))] == 1
    assert got[("ispnoc_devices", (("kind", "radio"), ("status", "down")))] == 1
    assert got[("ispnoc_suspension_actions_total", (("action", "suspend"), ("via", "run")))] == 1
    assert got[("ispnoc_suspension_last_run", (("count", "suspended"),))] == 3
    assert got[("ispnoc_webhook_outbox_depth", ())] == 1
    assert got[("ispnoc_sms_outbox_depth", ())] == 2
    assert got[("ispnoc_events_outbox_depth", ())] == events


def test_a_dashboard_suspension_counts_at_the_next_scrape(dash: Dashboard) -> None:
    dash.login(ADMIN)
    cid = dash.ids.customer_id
    dash.http.post(f"/customers/{cid}/suspend", data={"csrf_token": dash.csrf(f"/customers/{cid}")})
    got = scrape(dash)
    assert got[("ispnoc_suspension_actions_total", (("action", "suspend"), ("via", "direct")))] == 1
    assert got[("ispnoc_enforcement_pending", ())] == 1


def test_latency_is_counted_by_route_template(dash: Dashboard) -> None:
    for _ in range(3):
        dash.http.get(f"/api/v2/customers/{dash.ids.customer_id}")  # 401 without a token, still timed
    dash.http.get("/no/such/page")
    got = scrape(dash)
    route = (("method", "GET"), ("route", "/api/v2/customers/{customer_id}"))
    assert got[("ispnoc_http_request_duration_seconds_count", route)] == 3
    unmatched = (("method", "GET"), ("route", "<unmatched>"))
    assert got[("ispnoc_http_request_duration_seconds_count", unmatched)] == 1
    assert not [k for k in got if "/api/v2/customers/1" in str(k)]


def test_an_optional_bearer_token(dash: Dashboard) -> None:
    dash.http.app.state.metrics.token = "scrape-me"  # type: ignore[attr-defined]
    assert dash.http.get("/metrics").status_code == 401
    assert dash.http.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert ("ispnoc_store_up", ()) in scrape(dash, Authorization="Bearer scrape-me")


def test_old_cycles_leave_the_last_hour(dash: Dashboard) -> None:
    dash.http.app.state.runtime.clock = lambda: NOW + timedelta(hours=2)  # type: ignore[attr-defined]
    got = scrape(dash)
    assert ("ispnoc_collection_cycles_last_hour", (("family", "mikrotik"),)) not in got
    assert got[("ispnoc_collection_last_duration_seconds", (("family", "mikrotik"),))] == 2.5


def test_the_schedulers_job_failures_are_scraped_with_the_app(dash: Dashboard) -> None:
    declare(["deliver:webhooks"])
    before = scrape(dash)
    key = ("ispnoc_job_failures_total", (("job", "deliver:webhooks"),))
    assert ("ispnoc_job_failures_total", (("job", LOOP),)) in before
    count_failure("deliver:webhooks")
    assert scrape(dash)[key] == before[key] + 1
