"""The scheduler process: APScheduler 3 with its jobs in a SQLAlchemy job store (its own table in
the same database), a thread pool for the jobs, and the syslog receiver when configured.

A job runs at most once at a time (``max_instances=1``, missed starts coalesced), and the jobs
that must not overlap take a RunLock row too, so a second scheduler process never runs them twice.
On start, stored jobs whose schedule is unchanged keep their next run time (a monthly run missed
while the process was down still fires, within its grace); changed ones are replaced and jobs no
longer configured are removed.

The scheduler survives its store: a job that raises is logged with its traceback, counted in
``ispnoc_job_failures_total{job=...}`` and runs again at its next time; a job-store error in the
scheduler loop itself is logged, counted (``job="scheduler"``) and retried after ``retry_s``
(see ``scheduler.resilient``).
"""

from __future__ import annotations

import importlib.util
import logging
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from scheduler.config import SchedulerConfig
from scheduler.jobs import JobContext, install, uninstall
from scheduler.metrics import declare
from scheduler.resilient import CountingJobStore, ResilientScheduler

log = logging.getLogger(__name__)
JOBS = "scheduler.jobs"
CRON_FIELDS = ("second", "minute", "hour", "day", "month", "day_of_week")
DAY_S = 86400


@dataclass(frozen=True)
class JobSpec:
    """One configured job: its id, the function reference, plain arguments and when it runs."""

    id: str
    func: str
    trigger: BaseTrigger
    args: tuple[str, ...] = ()
    grace_s: int = 60


def cron(expression: str, timezone: str) -> CronTrigger:
    """A trigger from 5 crontab fields, or 6 with seconds first (for short test schedules)."""
    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    if len(fields) == 6:
        return CronTrigger(timezone=timezone, **dict(zip(CRON_FIELDS, fields, strict=True)))
    raise ValueError(f"a cron expression needs 5 or 6 fields: {expression!r}")


def _every(seconds: float) -> IntervalTrigger:
    return IntervalTrigger(seconds=seconds)


def job_specs(config: SchedulerConfig) -> list[JobSpec]:
    """Every job the config turns on."""
    specs = [JobSpec(f"collect:{family.value}", f"{JOBS}:collect", _every(s), (family.value,),
                     max(1, int(s)))
             for family, s in config.collect_s.items() if s > 0]
    if config.delivery_s > 0:
        specs += [JobSpec("deliver:webhooks", f"{JOBS}:webhooks", _every(config.delivery_s)),
                  JobSpec("deliver:sms", f"{JOBS}:sms", _every(config.delivery_s))]
    crons = (("suspension", config.suspension_cron, 600), ("bills", config.bills_cron, DAY_S),
             ("retention", config.retention_cron, DAY_S))
    specs += [JobSpec(name, f"{JOBS}:{name}", cron(expr, config.timezone), grace_s=grace)
              for name, expr, grace in crons if expr.strip()]
    return specs


def _unchanged(job: Job, spec: JobSpec) -> bool:
    return (job.func_ref == spec.func and tuple(job.args) == spec.args
            and str(job.trigger) == str(spec.trigger)
            and str(getattr(job.trigger, "timezone", "")) == str(getattr(spec.trigger, "timezone", "")))


class NocScheduler:
    """The configured jobs on a background scheduler; ``start()`` and ``shutdown()`` it."""

    def __init__(self, config: SchedulerConfig, context: JobContext) -> None:
        self.config = config
        self.context = context
        self.scheduler = ResilientScheduler(
            jobstores={"default": CountingJobStore(engine=context.engine, tablename=config.jobs_table)},
            executors={"default": ThreadPoolExecutor(config.workers)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=config.timezone, retry_s=config.retry_s,
        )
        self._extras = ExitStack()

    def _sync(self) -> None:
        specs = {spec.id: spec for spec in job_specs(self.config)}
        declare(specs)
        for job in self.scheduler.get_jobs():
            if job.id not in specs:
                self.scheduler.remove_job(job.id)
        for spec in specs.values():
            existing = self.scheduler.get_job(spec.id)
            if existing is not None and _unchanged(existing, spec):
                continue
            self.scheduler.add_job(spec.func, trigger=spec.trigger, args=spec.args, id=spec.id,
                                   name=spec.id, replace_existing=True, misfire_grace_time=spec.grace_s)

    def start(self) -> None:
        """Install the job context, bring the stored jobs in line with the config, and run."""
        install(self.context)
        try:
            self.scheduler.start(paused=True)
            self._sync()
            self._start_syslog()
            self.scheduler.resume()
        except BaseException:
            self.shutdown(wait=False)
            raise

    def _start_syslog(self) -> None:
        if self.config.syslog is None or importlib.util.find_spec("collectors.syslog") is None:
            return
        module: Any = importlib.import_module("collectors.syslog")
        host, port = self.config.syslog
        self._extras.enter_context(module.serve_syslog(self.context.sessions, host=host, port=port))
        log.info("syslog receiver on %s:%d", host, port)

    def shutdown(self, wait: bool = True) -> None:
        """Stop firing, wait for running jobs (when ``wait``), stop the receiver, free the context."""
        try:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=wait)
        finally:
            self._extras.close()
            uninstall(self.context)

    def jobs(self) -> list[Job]:
        """The jobs in the store, soonest first."""
        return sorted(self.scheduler.get_jobs(), key=lambda j: (j.next_run_time is None, j.next_run_time))

    def __enter__(self) -> NocScheduler:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.shutdown()


def build_scheduler(config: SchedulerConfig, context: JobContext) -> NocScheduler:
    """A scheduler for ``config`` whose jobs run against ``context`` (not started yet)."""
    return NocScheduler(config, context)
