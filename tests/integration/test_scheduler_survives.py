"""The scheduler survives its database (SQLite, or PostgreSQL with ISPNOC_TEST_DATABASE_URL): writes
blocked past the timeouts, or (PostgreSQL) the scheduler's connections killed mid-query, fail a job
and the scheduler loop's own job-store writes; both are logged and counted, the loop thread lives on,
and once the database is back the next webhook is delivered to a real receiver and the failed job
runs again. A run that raises gives its RunLock back, at once or (store down) at its next start."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, Table, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from api.models_outbox import WebhookEndpoint
from billing.events import emit
from billing.models import RunLock
from collectors.enums import SourceKind
from collectors.models import CollectionRun
from scheduler import build_scheduler, jobs
from scheduler.metrics import LOOP
from store.db import make_engine, make_session_factory, session_scope
from store.types import utcnow
from tests.integration.api.receiver import serve
from tests.integration.test_scheduler import config, context, count, wait_until
from tests.unit.scheduler.test_resilient import failures

SHORT_MS = 200
"""The scheduler engine's busy timeout (SQLite) or lock timeout (PostgreSQL) in this test."""
COLLECT = "collect:status"


@pytest.fixture
def table(committed: Engine) -> Iterator[str]:
    """A job-store table of this test's own, dropped at the end."""
    name = f"jobs_{uuid.uuid4().hex[:8]}"
    yield name
    Table(name, MetaData()).drop(committed, checkfirst=True)


def _short_busy_timeout(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.execute(f"PRAGMA busy_timeout={SHORT_MS}")


def impatient_engine(committed: Engine, app: str, lock_timeout_ms: int = SHORT_MS) -> Engine:
    """An engine of the scheduler's own on the test database that gives up waiting for locks soon;
    on PostgreSQL its connections are named ``app`` (0 = wait for locks as long as it takes)."""
    url = committed.url.render_as_string(hide_password=False)
    if committed.dialect.name == "sqlite":
        engine = make_engine(url)
        event.listen(engine, "connect", _short_busy_timeout)  # after make_engine's 30 s default
        return engine
    with committed.connect() as conn:
        schema = conn.scalar(text("SELECT current_schema()"))
    options = f"-csearch_path={schema} -clock_timeout={lock_timeout_ms}"
    return make_engine(url, connect_args={"options": options, "application_name": app})


@contextmanager
def writes_blocked(committed: Engine, tables: Sequence[str]) -> Iterator[None]:
    """No other connection writes ``tables`` (on SQLite, the whole database) until the block ends."""
    with committed.connect() as conn:
        if committed.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
        else:
            conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()


def kill_waiting(committed: Engine, app: str) -> None:
    """Terminate the backends of ``app`` that wait for a lock (connection lost mid-query)."""
    with committed.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = :app AND wait_event_type = 'Lock'"), {"app": app})


def hook(sessions: sessionmaker[Session], url: str) -> None:
    """A webhook endpoint at ``url`` for payments."""
    now = utcnow()
    with session_scope(sessions) as session:
        session.add(WebhookEndpoint(url=url, events=["payment.received"], active=True, secret="whsec_t",
                                    created_at=now, updated_at=now))


def pay(sessions: sessionmaker[Session], customer_id: int) -> None:
    """A payment event in the outbox, as the API emits it."""
    with session_scope(sessions) as session:
        emit(session, "payment.received", {"customer_id": customer_id, "amount": "500.00"}, now=utcnow())


def more_failures(before: dict[str, float], poke: Callable[[], None]) -> bool:
    """Poke the outage, then whether every job in ``before`` has failed since."""
    poke()
    return all(failures(job) > n for job, n in before.items())


@pytest.mark.parametrize("outage", ["writes blocked", "connections killed"])
def test_the_scheduler_survives_a_database_outage(
    committed: Engine, session_factory: sessionmaker[Session], table: str, outage: str,
) -> None:
    killed = outage == "connections killed"
    if killed and committed.dialect.name != "postgresql":
        pytest.skip("connections are killed on PostgreSQL only")
    app = f"ispnoc-test-{uuid.uuid4().hex[:8]}"
    engine = impatient_engine(committed, app, lock_timeout_ms=0 if killed else SHORT_MS)
    sessions = make_session_factory(engine)
    before = {COLLECT: failures(COLLECT), LOOP: failures(LOOP)}
    poke = (lambda: kill_waiting(committed, app)) if killed else (lambda: None)
    with serve() as rx:
        hook(session_factory, rx.url + "/hook")
        pay(session_factory, 1)
        sched = build_scheduler(config(table, collect_s={SourceKind.STATUS: 0.2}, delivery_s=0.2,
                                       retry_s=0.2),
                                context(engine, sessions, webhook_allow_private=True))
        with sched:
            assert wait_until(lambda: len(rx.requests) == 1), "delivering before the outage"
            with writes_blocked(committed, [table, "run_locks"]):
                assert wait_until(lambda: more_failures(before, poke), timeout=20), {
                    job: failures(job) - n for job, n in before.items()}
            runs = count(session_factory, CollectionRun)
            pay(session_factory, 2)
            assert wait_until(lambda: len(rx.requests) == 2, timeout=10), "delivering after the outage"
            assert wait_until(lambda: count(session_factory, CollectionRun) > runs), "the job ran again"
            assert sched.scheduler.alive
    engine.dispose()
    assert [r.path for r in rx.requests] == ["/hook", "/hook"]
    assert count(session_factory, RunLock) == 0, "no run left its lock behind"


def test_a_failed_run_gives_its_lock_back_even_when_the_store_is_down(
    committed: Engine, session_factory: sessionmaker[Session],
) -> None:
    engine = impatient_engine(committed, f"ispnoc-test-{uuid.uuid4().hex[:8]}")
    ctx = context(engine, make_session_factory(engine))
    try:
        with pytest.raises(RuntimeError, match="run failed"), jobs.exclusive(ctx, "bills") as mine:
            assert mine
            raise RuntimeError("the run failed")
        assert count(session_factory, RunLock) == 0
        with ExitStack() as outage:
            with pytest.raises(OperationalError), jobs.exclusive(ctx, "bills"):
                outage.enter_context(writes_blocked(committed, ["run_locks"]))
                raise RuntimeError("the run failed")
        assert count(session_factory, RunLock) == 1 and set(ctx.unreleased) == {"bills"}
        with jobs.exclusive(ctx, "bills") as mine:
            assert mine, "the next start gives the stale lock back and takes it"
        assert count(session_factory, RunLock) == 0 and ctx.unreleased == {}
    finally:
        engine.dispose()
