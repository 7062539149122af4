"""The scheduler (floor 3): APScheduler jobs for the collect cycles, the suspension run, bill
generation, webhook and SMS delivery and retention, kept in a job store in the same database.

``build_scheduler(SchedulerConfig.from_settings(settings), JobContext(...))`` gives a
``NocScheduler``; ``start()`` it, ``shutdown()`` it. Job functions live in ``scheduler.jobs``.
"""

from scheduler.config import SchedulerConfig, SchedulerSettings
from scheduler.jobs import JobContext
from scheduler.service import NocScheduler, build_scheduler

__all__ = ["JobContext", "NocScheduler", "SchedulerConfig", "SchedulerSettings", "build_scheduler"]
