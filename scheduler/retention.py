"""Retention: history older than N days (samples, logs, optics, closed sessions, finished runs)
deleted in batches, each batch its own short transaction so writers are never held up for long."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from api.models import ApiRequestLog
from collectors.models import (
    AccessLog,
    CollectionRun,
    DeviceSample,
    HotspotLog,
    OnuOpticsSample,
    PppAuthLog,
    RouterLog,
    SubscriberSession,
)
from store.db import session_scope

BATCH = 5000
PRUNED: tuple[tuple[Any, InstrumentedAttribute[Any]], ...] = (
    (DeviceSample, DeviceSample.at),
    (OnuOpticsSample, OnuOpticsSample.at),
    (RouterLog, RouterLog.at),
    (HotspotLog, HotspotLog.at),
    (PppAuthLog, PppAuthLog.at),
    (AccessLog, AccessLog.at),
    (SubscriberSession, SubscriberSession.ended_at),
    (CollectionRun, CollectionRun.started_at),
    (ApiRequestLog, ApiRequestLog.created_at),
)
"""Each pruned table with the time that ages its rows (a session only once it has ended)."""


def _prune_table(sessions: sessionmaker[Session], model: Any, column: InstrumentedAttribute[Any],
                 cutoff: datetime, batch: int) -> int:
    total = 0
    while True:
        with session_scope(sessions) as session:
            ids = list(session.scalars(select(model.id).where(column < cutoff).order_by(model.id)
                                       .limit(batch)))
            if ids:
                session.execute(delete(model).where(model.id.in_(ids))
                                .execution_options(synchronize_session=False))
        total += len(ids)
        if len(ids) < batch:
            return total


def prune(sessions: sessionmaker[Session], *, now: datetime, days: int, batch: int = BATCH) -> dict[str, int]:
    """Delete rows older than ``days`` (0 or less keeps everything); rows deleted per table."""
    if days <= 0:
        return {}
    cutoff = now - timedelta(days=days)
    return {model.__tablename__: _prune_table(sessions, model, column, cutoff, batch)
            for model, column in PRUNED}
