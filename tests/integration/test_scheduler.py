"""The scheduler end to end on a real store (SQLite, or PostgreSQL with ISPNOC_TEST_DATABASE_URL):
jobs fire at short intervals (collect over real sockets, SMS delivery, a suspension applied on the
simulated router, bill generation), the job store persists schedules, a long cycle never runs twice
at once (nor while another process holds its lock), and pruning deletes only old rows."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, func, select
from sqlalchemy.orm import Session, sessionmaker

from api import sms as sms_service
from api.models_outbox import SmsMessage, SmsStatus
from billing import locks
from billing.enums import CustomerStatus
from billing.models import Bill, Customer, SuspensionRun
from collectors import base
from collectors.enums import DeviceKind, SourceKind, Vendor
from collectors.mikrotik_enforcer import MikrotikEnforcer, RouterAccess
from collectors.models import CollectionRun, DeviceSample, RouterLog, SubscriberSession
from device_fixtures.routeros.server import RouterOSFleet, serve_routeros
from device_fixtures.routeros.state import RouterState, SubscriberKind
from device_fixtures.routeros.subscribers import build_router
from ispnoc.settings import Settings
from scheduler import JobContext, SchedulerConfig, build_scheduler, jobs
from scheduler.retention import prune
from store.db import session_scope
from store.types import utcnow
from tests import factories as f
from tests.integration.collectors.lineservers import LineServers, serve_lines
from tests.integration.collectors.test_cycle import HERE as CYCLE_TESTS
from tests.integration.collectors.test_cycle import add_devices, plain


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def count(sessions: sessionmaker[Session], model: Any, *where: Any) -> int:
    with session_scope(sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.fixture
def table(committed: Engine) -> Iterator[str]:
    """A job-store table of this test's own, dropped at the end."""
    name = f"jobs_{uuid.uuid4().hex[:8]}"
    yield name
    Table(name, MetaData()).drop(committed, checkfirst=True)


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[LineServers]:
    monkeypatch.setitem(base.FAMILIES, SourceKind.STATUS, f"{CYCLE_TESTS}:LineCollector")
    with serve_lines(3) as servers:
        yield servers


@pytest.fixture
def router() -> Iterator[tuple[RouterState, RouterOSFleet]]:
    state = build_router("rtr-sched", 6, seed=5)
    with serve_routeros([state]) as fleet:
        yield state, fleet


def context(engine: Engine, sessions: sessionmaker[Session], fleet: RouterOSFleet | None = None,
            **settings: Any) -> JobContext:
    access = (RouterAccess(host="127.0.0.1", port=fleet.port, username="admin", password="admin")
              if fleet else None)
    return JobContext(settings=Settings(**settings), engine=engine, sessions=sessions, reveal=plain,
                      enforcer=lambda: MikrotikEnforcer(lambda _id: access))


QUIET: dict[str, Any] = {"suspension_cron": "", "bills_cron": "", "retention_cron": "", "delivery_s": 0}


def config(table: str, **kw: Any) -> SchedulerConfig:
    values: dict[str, Any] = QUIET | {"jobs_table": table} | kw
    return SchedulerConfig(**values)


def overdue_customer(sessions: sessionmaker[Session], state: RouterState, fleet: RouterOSFleet) -> int:
    (router_id,) = add_devices(sessions, [fleet.port], prefix="rtr", kind=DeviceKind.ROUTER,
                               vendor=Vendor.MIKROTIK, details={})
    username = next(s.name for s in state.subscribers.values()
                    if s.session is not None and s.kind is SubscriberKind.PPPOE)
    with session_scope(sessions) as session:
        cust = f.customer(session, f.operator(session), f.package(session), router_id=router_id,
                          username=username)
        f.bill(session, cust, due=date.today() - timedelta(days=60))
        sms_service.queue(session, sms_service.SmsRequest(phones=["+8801712345678"], message="hello"),
                          initial=10, now=utcnow())
        return cust.id


def test_jobs_fire_at_their_intervals(
    committed: Engine, session_factory: sessionmaker[Session], table: str, lines: LineServers,
    router: tuple[RouterState, RouterOSFleet],
) -> None:
    state, fleet = router
    add_devices(session_factory, [ep.port for ep in lines.endpoints])
    cust_id = overdue_customer(session_factory, state, fleet)
    sched = build_scheduler(
        config(table, collect_s={SourceKind.STATUS: 0.3}, delivery_s=0.3, suspension_cron="* * * * * *",
               bills_cron="* * * * * *"),
        context(committed, session_factory, fleet, collect_timeout_s={"status": 2.0}))
    with sched:
        assert {j.id for j in sched.jobs()} == {"collect:status", "deliver:webhooks", "deliver:sms",
                                                 "suspension", "bills"}
        assert wait_until(lambda: count(session_factory, CollectionRun) >= 2)
        sent = SmsMessage.status == SmsStatus.SENT
        assert wait_until(lambda: count(session_factory, SmsMessage, sent) == 1)
        by_scheduler = SuspensionRun.trigger == "scheduler"
        assert wait_until(lambda: count(session_factory, SuspensionRun, by_scheduler) >= 1)
        assert wait_until(lambda: count(session_factory, Bill) == 2)
    with session_scope(session_factory) as session:
        cust = session.get(Customer, cust_id)
        assert cust is not None and cust.status is CustomerStatus.SUSPENDED
        run = session.scalars(select(CollectionRun)).first()
        assert run is not None and (run.devices, run.failed, run.values) == (3, 0, 9)
    with state.lock:
        (secret,) = [dict(r) for r in state.menus["/ppp/secret"] if r.get("name") == cust.username]
    assert secret["profile"] == "suspended"
    assert count(session_factory, Bill) == 2, "bill generation runs every second but bills a period once"


def stored(engine: Engine, table: str) -> dict[str, float]:
    jobs_table = Table(table, MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        return {row.id: row.next_run_time for row in conn.execute(select(jobs_table))}


def test_the_job_store_keeps_schedules_across_restarts(
    committed: Engine, session_factory: sessionmaker[Session], table: str,
) -> None:
    first = config(table, collect_s={SourceKind.STATUS: 3600, SourceKind.MIKROTIK: 3600},
                   bills_cron="0 1 1 * *")
    with build_scheduler(first, context(committed, session_factory)):
        pass
    before = stored(committed, table)
    assert set(before) == {"collect:status", "collect:mikrotik", "bills"}
    time.sleep(0.05)
    with build_scheduler(first, context(committed, session_factory)):
        pass
    assert stored(committed, table) == before, "unchanged schedules keep their next run time"
    second = config(table, collect_s={SourceKind.STATUS: 1800})
    with build_scheduler(second, context(committed, session_factory)) as sched:
        assert [j.id for j in sched.jobs()] == ["collect:status"]
    after = stored(committed, table)
    assert set(after) == {"collect:status"} and after["collect:status"] < before["collect:status"]


def test_a_long_cycle_never_runs_twice_at_once(
    committed: Engine, session_factory: sessionmaker[Session], table: str, lines: LineServers,
) -> None:
    lines.endpoints[0].delay_s = 0.8
    add_devices(session_factory, [lines.endpoints[0].port])
    with build_scheduler(config(table, collect_s={SourceKind.STATUS: 0.2}),
                         context(committed, session_factory)):
        time.sleep(2.0)
    with session_scope(session_factory) as session:
        runs = [(r.started_at, r.finished_at) for r in session.scalars(
            select(CollectionRun).order_by(CollectionRun.started_at))]
    assert 1 <= len(runs) <= 3
    assert all(prev[1] and prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(runs)), runs
    assert lines.peak == 1


def test_a_cycle_held_by_another_process_is_skipped(
    committed: Engine, session_factory: sessionmaker[Session], table: str, lines: LineServers,
) -> None:
    add_devices(session_factory, [lines.endpoints[0].port])
    holder = locks.acquire(session_factory, "collect:status", now=utcnow())
    ctx = context(committed, session_factory)
    with build_scheduler(config(table, collect_s={SourceKind.STATUS: 0.2}), ctx):
        time.sleep(0.8)
        assert jobs.collect("status") is None
        assert count(session_factory, CollectionRun) == 0
        locks.release(session_factory, "collect:status", holder)
        assert wait_until(lambda: count(session_factory, CollectionRun) >= 1)
    with pytest.raises(RuntimeError, match="no scheduler context"):
        jobs.collect("status")


def test_pruning_deletes_only_old_rows(session_factory: sessionmaker[Session]) -> None:
    now = utcnow()
    old, new = now - timedelta(days=91), now - timedelta(days=89)
    (dev,) = add_devices(session_factory, [1], details={})
    with session_scope(session_factory) as session:
        session.add_all(DeviceSample(device_id=dev, at=at, metric="cpu", value=1.0)
                        for at in [old] * 5 + [new] * 2)
        session.add_all(RouterLog(device_id=dev, at=at, message="x") for at in (old, new))
        session.add_all(SubscriberSession(device_id=dev, kind="ppp", router_ref="*1", username="u",
                                          started_at=old, last_seen_at=old, ended_at=ended)
                        for ended in (old, None, new))
    removed = prune(session_factory, now=now, days=90, batch=2)
    assert {k: v for k, v in removed.items() if v} == {"device_samples": 5, "router_logs": 1,
                                                       "subscriber_sessions": 1}
    assert count(session_factory, DeviceSample) == 2 and count(session_factory, RouterLog) == 1
    assert count(session_factory, SubscriberSession) == 2, "an open session is never pruned"
    assert prune(session_factory, now=now, days=0) == {}
