"""A named run lock as a row, so two runs never overlap (SQLite has no advisory locks; on
PostgreSQL the primary key makes the insert just as exclusive). An expired lock is taken over."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from billing.errors import RunInProgress
from billing.models import RunLock
from store.db import session_scope

DEFAULT_TTL = timedelta(minutes=30)


def acquire(
    sessions: sessionmaker[Session], name: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> str:
    """Take the lock ``name`` (committed at once) and return the holder id; RunInProgress if held."""
    holder = uuid.uuid4().hex
    try:
        with session_scope(sessions) as session:
            session.execute(delete(RunLock).where(RunLock.name == name, RunLock.expires_at < now))
            session.add(RunLock(name=name, holder=holder, expires_at=now + ttl))
            session.flush()
    except IntegrityError as exc:
        raise RunInProgress(f"another {name} run is in progress", field="lock") from exc
    return holder


def release(sessions: sessionmaker[Session], name: str, holder: str) -> None:
    """Give the lock back (only if still ours)."""
    with session_scope(sessions) as session:
        session.execute(delete(RunLock).where(RunLock.name == name, RunLock.holder == holder))
