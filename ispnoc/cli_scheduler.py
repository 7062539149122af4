"""`ispnoc scheduler`: the scheduler alone until Ctrl-C (SIGINT or SIGTERM stop it cleanly), and
how the scheduler is built from the settings (also used by ``ispnoc serve``)."""

from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from rich.console import Console
from rich.table import Table

from ispnoc.enforcers import mikrotik_enforcer
from ispnoc.vault import reveal
from ispnoc.wiring import Store, open_store
from scheduler import JobContext, NocScheduler, SchedulerConfig, build_scheduler

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def job_context(store: Store) -> JobContext:
    """What the jobs need from an opened store: its secrets' reveal and the MikroTik enforcer."""
    return JobContext(settings=store.settings, engine=store.engine, sessions=store.sessions,
                      reveal=functools.partial(reveal, store.settings),
                      enforcer=functools.partial(mikrotik_enforcer, store))


def scheduler_for(store: Store) -> NocScheduler:
    """The scheduler the settings describe, on ``store`` (not started)."""
    return build_scheduler(SchedulerConfig.from_settings(store.settings), job_context(store))


def jobs_table(sched: NocScheduler) -> Table:
    """The scheduled jobs: id, schedule and next run."""
    table = Table("job", "schedule", "next run", title="ispnoc scheduler")
    for job in sched.jobs():
        when = job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else "paused"
        table.add_row(job.id, str(job.trigger), when)
    return table


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT/SIGTERM for the block, then put the previous handlers back."""
    def handler(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_scheduler() -> None:
    """Run the scheduled jobs (collect cycles, suspension, bills, delivery, retention) until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    console = Console(stderr=True)
    sched = scheduler_for(open_store())
    stop = threading.Event()
    with stop_on_signals(stop):
        sched.start()
        try:
            console.print(jobs_table(sched))
            console.print("scheduler running; Ctrl-C stops it", highlight=False)
            while not stop.wait(0.5):
                pass
        finally:
            console.print("stopping: waiting for running jobs", highlight=False)
            sched.shutdown(wait=True)
