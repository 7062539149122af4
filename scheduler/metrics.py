"""The scheduler's own Prometheus metrics, kept in this process on prometheus-client's default
registry (the API's ``/metrics`` shows every ``ispnoc_*`` metric there, so a scheduler running
inside ``ispnoc serve`` is scraped with the API)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter

LOOP = "scheduler"
"""The ``job`` label of the scheduler loop's own job-store failures."""

JOB_FAILURES = Counter(
    "ispnoc_job_failures", "Scheduled job runs that raised, by job id (job=\"scheduler\": the "
    "scheduler loop failed to reach its job store).", ["job"])


def count_failure(job: str) -> None:
    """Count one failure of ``job`` (a job id, or ``LOOP``)."""
    JOB_FAILURES.labels(job=job).inc()


def declare(jobs: Iterable[str]) -> None:
    """Show ``jobs`` and the loop at 0 failures from the start (so rates work from the first scrape)."""
    for job in (*jobs, LOOP):
        JOB_FAILURES.labels(job=job)
