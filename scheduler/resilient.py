"""APScheduler 3 made to outlive its job store.

``BaseScheduler._process_jobs`` guards only ``get_due_jobs``: an error from ``update_job``,
``remove_job`` or ``get_next_run_time`` (SQLite "database is locked", a lost PostgreSQL connection)
escapes the loop and ends the scheduler thread for good, while the process (and the API in it) goes
on. Here that error is logged with its traceback, counted as ``job="scheduler"`` and the round is
retried after ``retry_s``; a job left due by the failed update is then simply submitted again.
Failed job runs (APScheduler logs them with their traceback) are counted under their job id.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, JobExecutionEvent
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.metrics import LOOP, count_failure

log = logging.getLogger(__name__)


def _count_job_error(event: JobExecutionEvent) -> None:
    count_failure(event.job_id)


class ResilientScheduler(BackgroundScheduler):  # type: ignore[misc]  # apscheduler 3 is untyped
    """A background scheduler whose loop thread never dies of a job-store error."""

    def __init__(self, *, retry_s: float, **options: Any) -> None:
        super().__init__(jobstore_retry_interval=retry_s, **options)
        self.add_listener(_count_job_error, EVENT_JOB_ERROR)

    def _process_jobs(self) -> float | None:
        """One round of the loop; on an error, the seconds until the round is tried again."""
        try:
            wait: float | None = super()._process_jobs()
        except Exception:
            retry: float = self.jobstore_retry_interval
            log.exception("the scheduler loop failed to reach its job store; retrying in %.1f s", retry)
            count_failure(LOOP)
            return retry
        return wait

    @property
    def alive(self) -> bool:
        """Whether the loop thread is running."""
        thread = getattr(self, "_thread", None)
        return thread is not None and thread.is_alive()


class CountingJobStore(SQLAlchemyJobStore):  # type: ignore[misc]  # apscheduler 3 is untyped
    """The SQLAlchemy job store, counting failed due-job lookups (APScheduler logs and retries those)."""

    def get_due_jobs(self, now: datetime) -> list[Job]:
        """The jobs due at ``now``; a failure is counted as the loop's and raised on."""
        try:
            due: list[Job] = super().get_due_jobs(now)
        except Exception:
            count_failure(LOOP)
            raise
        return due
