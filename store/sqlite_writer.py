"""One writer at a time on a SQLite database within this process, handed on in turn.

SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps and
retries (1, 2, 5 ... up to 100 ms between tries), so under a burst a waiting writer often sleeps long
after the lock is free and the slowest wait many times the work. Here a connection takes a lock of
this process before its first write (``BEGIN IMMEDIATE``, or the write itself) and gives it back as
its transaction ends, so waiting threads are woken the moment it is free. Other processes on the
same file still queue on the busy timeout.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Connection, Engine, event

WAIT_S = 30.0  # as long as the busy timeout: then "database is locked", as SQLite itself would say
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "BEGIN IMMEDIATE", "BEGIN EXCLUSIVE")
HELD = "ispnoc_writer"

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(engine: Engine) -> threading.Lock:
    key = str(engine.url.database)
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def take(connection: Connection) -> None:
    """Wait for this process's write turn on the connection's database (once per transaction)."""
    info = connection.connection.info
    if HELD in info:
        return
    lock = _lock_for(connection.engine)
    wait = _busy_timeout(connection)
    if not lock.acquire(timeout=wait):
        raise sqlite3.OperationalError(f"database is locked (no write turn in {wait:g} s)")
    info[HELD] = lock


def _busy_timeout(connection: Connection) -> float:
    """This connection's busy timeout in seconds (its own setting; WAIT_S if it has none)."""
    info = connection.connection.info
    if "ispnoc_busy_s" not in info:
        row = connection.connection.dbapi_connection.execute("PRAGMA busy_timeout").fetchone()  # type: ignore[union-attr]
        info["ispnoc_busy_s"] = (row[0] / 1000) if row and row[0] else WAIT_S
    return float(info["ispnoc_busy_s"])


def _give_back(info: dict[Any, Any]) -> None:
    lock: threading.Lock | None = info.pop(HELD, None)
    if lock is not None:
        lock.release()


def _before_execute(connection: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    dbapi = connection.connection.dbapi_connection
    if not getattr(dbapi, "in_transaction", True) and statement.lstrip()[:16].upper().startswith(WRITES):
        take(connection)


def _end(connection: Connection, finish: str) -> None:
    """Commit or roll back the driver's transaction now, then hand the turn on (SQLAlchemy's own
    commit or rollback, which follows this event, then finds nothing left to do)."""
    info = connection.connection.info
    if HELD not in info:
        return
    try:
        getattr(connection.connection.dbapi_connection, finish)()
    finally:
        _give_back(info)


def _commit(connection: Connection) -> None:
    _end(connection, "commit")


def _rollback(connection: Connection) -> None:
    _end(connection, "rollback")


def _pool_end(_dbapi: Any, record: Any, *_args: Any) -> None:
    """A connection going back to the pool, closed or invalidated never keeps the turn."""
    if record is not None:
        _give_back(record.info)


def install(engine: Engine) -> None:
    """Queue this engine's writers in turn (SQLite engines only)."""
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _rollback)
    for name in ("reset", "close", "invalidate"):
        event.listen(engine.pool, name, _pool_end)
