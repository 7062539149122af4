"""``/metrics`` in the Prometheus text format.

Request latency is an in-process histogram by route template (each process counts its own requests).
Everything else is read from the store at scrape time, so any process answers for the whole system:
collection cycles per family, devices by kind and status, suspensions and reactivations, pending
router changes, and the depth of the event, webhook and SMS outboxes. The ``ispnoc_*`` metrics this
process keeps on prometheus-client's default registry are added (the scheduler's job failures, when it
runs here). With ``metrics_token`` set in the settings the endpoint wants
``Authorization: Bearer <token>``; unset, it is open (internal network).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response
from starlette.types import Scope

from api.models_outbox import DeliveryStatus, SmsMessage, SmsStatus, WebhookDelivery
from api.runtime import Runtime
from billing.enforcement import pending_filter
from billing.models import OutboxEvent, SuspensionLog, SuspensionRun
from collectors.models import CollectionRun, Device

log = logging.getLogger(__name__)
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RECENT = timedelta(hours=1)
UNMATCHED = "<unmatched>"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/api/v2/customers/{customer_id}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def _gauge(name: str, doc: str, labels: list[str], rows: Iterable[tuple[Any, ...]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
    for *keys, value in rows:
        family.add_metric([str(k) for k in keys], float(value or 0))
    return family


def _last_cycles(session: Session) -> Iterator[Metric]:
    """Each family's last finished cycle: its duration, devices and failed devices."""
    last = (select(func.max(CollectionRun.id)).where(CollectionRun.finished_at.is_not(None))
            .group_by(CollectionRun.family))
    runs = session.scalars(select(CollectionRun).where(CollectionRun.id.in_(last))).all()
    yield _gauge("ispnoc_collection_last_duration_seconds", "Duration of the family's last cycle.",
                 ["family"], [(r.family, (r.finished_at - r.started_at).total_seconds())
                              for r in runs if r.finished_at])
    yield _gauge("ispnoc_collection_last_failed_devices", "Devices that failed in the family's last cycle.",
                 ["family"], [(r.family, r.failed) for r in runs])
    yield _gauge("ispnoc_collection_last_devices", "Devices polled in the family's last cycle.",
                 ["family"], [(r.family, r.devices) for r in runs])
    yield _gauge("ispnoc_collection_last_finished_timestamp_seconds", "When the family's last cycle ended.",
                 ["family"], [(r.family, r.finished_at.timestamp()) for r in runs if r.finished_at])


def _recent_cycles(session: Session, now: datetime) -> Iterator[Metric]:
    """Cycles and failed devices per family over the last hour."""
    rows = session.execute(select(CollectionRun.family, func.count(), func.sum(CollectionRun.failed))
                           .where(CollectionRun.started_at >= now - RECENT)
                           .group_by(CollectionRun.family)).all()
    yield _gauge("ispnoc_collection_cycles_last_hour", "Collect cycles started in the last hour.",
                 ["family"], [(f, n) for f, n, _ in rows])
    yield _gauge("ispnoc_collection_failed_devices_last_hour",
                 "Device failures summed over the cycles of the last hour.", ["family"],
                 [(f, failed) for f, _, failed in rows])


def _devices(session: Session) -> Iterator[Metric]:
    rows = session.execute(select(Device.kind, Device.status, func.count()).where(Device.enabled.is_(True))
                           .group_by(Device.kind, Device.status)).all()
    yield _gauge("ispnoc_devices", "Enabled devices by kind and last polled status.", ["kind", "status"],
                 [tuple(r) for r in rows])


def _suspensions(session: Session) -> Iterator[Metric]:
    """Suspensions and reactivations ever logged (by a run or directly), and the last run."""
    rows = session.execute(select(SuspensionLog.action, SuspensionLog.run_id.is_(None), func.count())
                           .group_by(SuspensionLog.action, SuspensionLog.run_id.is_(None))).all()
    actions = CounterMetricFamily("ispnoc_suspension_actions", "Customers suspended or reactivated.",
                                  labels=["action", "via"])
    for action, direct, n in rows:
        actions.add_metric([str(action), "direct" if direct else "run"], float(n))
    yield actions
    run = session.scalars(select(SuspensionRun).order_by(SuspensionRun.started_at.desc()).limit(1)).first()
    if run is not None:
        yield _gauge("ispnoc_suspension_last_run", "Counts of the last suspension run.", ["count"],
                     [(k, getattr(run, k)) for k in ("suspended", "reactivated", "applied", "failed")])
        yield _gauge("ispnoc_suspension_last_run_timestamp_seconds", "When the last suspension run started.",
                     [], [(run.started_at.timestamp(),)])
    pending = session.scalar(select(func.count()).where(pending_filter())) or 0
    yield _gauge("ispnoc_enforcement_pending", "Customers whose router state differs from the store's.",
                 [], [(pending,)])


def _outboxes(session: Session) -> Iterator[Metric]:
    events = session.scalar(select(func.count()).where(OutboxEvent.dispatched_at.is_(None))) or 0
    hooks = session.scalar(select(func.count()).where(WebhookDelivery.status == DeliveryStatus.PENDING)) or 0
    sms = session.scalar(select(func.count()).where(SmsMessage.status == SmsStatus.QUEUED)) or 0
    yield _gauge("ispnoc_events_outbox_depth", "Domain events not yet dispatched.", [], [(events,)])
    yield _gauge("ispnoc_webhook_outbox_depth", "Webhook deliveries waiting to be sent.", [], [(hooks,)])
    yield _gauge("ispnoc_sms_outbox_depth", "SMS messages queued for the gateway.", [], [(sms,)])


class StoreCollector(Collector):
    """Reads the store at each scrape; ``ispnoc_store_up`` says whether that worked."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def collect(self) -> Iterable[Metric]:
        families: list[Metric] = []
        try:
            with self.runtime.sessions() as session:
                families.extend(_last_cycles(session))
                families.extend(_recent_cycles(session, self.runtime.clock()))
                families.extend(_devices(session))
                families.extend(_suspensions(session))
                families.extend(_outboxes(session))
        except Exception:
            log.exception("reading the store for /metrics failed")
            return [_gauge("ispnoc_store_up", "Whether the store could be read.", [], [(0,)])]
        return [*families, _gauge("ispnoc_store_up", "Whether the store could be read.", [], [(1,)])]


class InProcessCollector(Collector):
    """The ``ispnoc_*`` metrics this process keeps on the default registry (the scheduler's)."""

    def collect(self) -> Iterable[Metric]:
        return [family for family in REGISTRY.collect() if family.name.startswith("ispnoc_")]


class Metrics:
    """One app's metrics: its own registry, the latency histogram, the store and process collectors."""

    def __init__(self, runtime: Runtime, token: str | None = None) -> None:
        self.registry = CollectorRegistry()
        self.token = token or None
        self.latency = Histogram("ispnoc_http_request_duration_seconds", "Request latency by route.",
                                 ["method", "route"], buckets=BUCKETS, registry=self.registry)
        self.registry.register(StoreCollector(runtime))
        self.registry.register(InProcessCollector())

    def observe(self, scope: Scope, seconds: float) -> None:
        """Count one finished request under its route template."""
        self.latency.labels(str(scope.get("method", "")), route_template(scope)).observe(seconds)

    def allowed(self, request: Request) -> bool:
        """True when no token is configured, or the request carries it as a bearer token."""
        if self.token is None:
            return True
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {self.token}".encode())


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    """The Prometheus exposition (text format 0.0.4)."""
    found: Metrics = request.app.state.metrics
    if not found.allowed(request):
        return PlainTextResponse("unauthorized\n", status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return Response(generate_latest(found.registry), media_type=CONTENT_TYPE)
