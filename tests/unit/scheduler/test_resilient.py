"""The scheduler loop outlives its job store, and a job that raises is logged, counted and runs again
at its next time (APScheduler on a memory job store: no database, no sockets)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from apscheduler.job import Job
from apscheduler.jobstores.memory import MemoryJobStore
from prometheus_client import REGISTRY
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from scheduler.metrics import LOOP
from scheduler.resilient import CountingJobStore, ResilientScheduler

LOCKED = OperationalError("UPDATE scheduler_jobs", {}, sqlite3.OperationalError("database is locked"))


def failures(job: str) -> float:
    """``ispnoc_job_failures_total{job=...}`` as the default registry has it now."""
    return REGISTRY.get_sample_value("ispnoc_job_failures_total", {"job": job}) or 0.0


def wait_until(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


class FlakyStore(MemoryJobStore):  # type: ignore[misc]
    """A memory job store whose next ``fail`` job updates raise, as a locked database does."""

    def __init__(self, fail: int) -> None:
        super().__init__()
        self.fail = fail
        self.updated = 0

    def update_job(self, job: Job) -> None:
        if self.fail > 0:
            self.fail -= 1
            raise LOCKED
        super().update_job(job)
        self.updated += 1


@pytest.fixture
def running() -> Iterator[Callable[[FlakyStore], ResilientScheduler]]:
    """Start a scheduler on a store; every one started is shut down at the end."""
    started: list[ResilientScheduler] = []

    def start(store: FlakyStore) -> ResilientScheduler:
        sched = ResilientScheduler(retry_s=0.05, jobstores={"default": store},
                                   job_defaults={"coalesce": True, "max_instances": 1})
        sched.start()
        started.append(sched)
        return sched

    yield start
    for sched in started:
        sched.shutdown()


def test_a_job_that_raises_is_logged_counted_and_runs_at_its_next_time(
    running: Callable[[FlakyStore], ResilientScheduler], caplog: pytest.LogCaptureFixture,
) -> None:
    runs: list[int] = []

    def flaky() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise ValueError("a bug in the job")

    before = failures("flaky")
    sched = running(FlakyStore(fail=0))
    sched.add_job(flaky, "interval", seconds=0.05, id="flaky")
    assert wait_until(lambda: len(runs) >= 3), "the job runs again after it raised"
    assert failures("flaky") == before + 1
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], ValueError)]
    assert logged and logged[0].levelno == logging.ERROR and "flaky" in logged[0].getMessage()


def test_the_loop_survives_job_store_errors(
    running: Callable[[FlakyStore], ResilientScheduler], caplog: pytest.LogCaptureFixture,
) -> None:
    store = FlakyStore(fail=3)
    before = failures(LOOP)
    ticks: list[int] = []
    sched = running(store)
    sched.add_job(lambda: ticks.append(1), "interval", seconds=0.05, id="tick")
    assert wait_until(lambda: store.updated >= 3), "the loop goes on once the store answers again"
    assert sched.alive and ticks
    assert failures(LOOP) == before + 3
    logged = [r for r in caplog.records if r.name == "scheduler.resilient"]
    assert len(logged) == 3 and all(r.exc_info and r.exc_info[1] is LOCKED for r in logged)


def test_a_failed_due_job_lookup_is_counted_as_the_loops() -> None:
    engine = create_engine("sqlite://")
    store = CountingJobStore(engine=engine, tablename="never_created")
    before = failures(LOOP)
    try:
        with pytest.raises(OperationalError, match="no such table"):
            store.get_due_jobs(datetime.now(UTC))
    finally:
        engine.dispose()
    assert failures(LOOP) == before + 1
