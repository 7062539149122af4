"""The API request log, written off the request path: a queue and a thread inserting in batches."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from api.models import ApiClient, ApiRequestLog
from store.db import session_scope
from store.paging import Page, paginate

log = logging.getLogger(__name__)
BATCH = 200
TOUCH = update(ApiClient).where(ApiClient.id == bindparam("pk")).values(last_used_at=bindparam("at"))
LINGER = 0.25  # seconds a batch waits for more rows after its first: one commit per burst, not per request


@dataclass(frozen=True)
class LogEntry:
    """One finished request."""

    client_id: int | None
    user_id: int | None
    method: str
    path: str
    status: int
    latency_ms: float
    created_at: datetime


def last_used(entries: list[LogEntry]) -> dict[int, datetime]:
    """The newest request time per client in a batch."""
    out: dict[int, datetime] = {}
    for entry in entries:
        if entry.client_id is not None:
            out[entry.client_id] = max(out.get(entry.client_id, entry.created_at), entry.created_at)
    return out


def write_batch(session: Session, entries: list[LogEntry]) -> None:
    """Insert a batch of log rows and move the clients' last-used times forward."""
    if not entries:
        return
    session.execute(insert(ApiRequestLog), [asdict(e) for e in entries])
    moved = [{"pk": client_id, "at": at} for client_id, at in last_used(entries).items()]
    if moved:  # one Core executemany for the whole batch
        session.connection().execute(TOUCH, moved)


def list_request_logs(session: Session, *, client_id: int | None = None, page: int = 1,
                      per_page: int = 20) -> Page[ApiRequestLog]:
    """Logged requests, newest first, optionally for one client."""
    stmt = select(ApiRequestLog).order_by(ApiRequestLog.id.desc())
    if client_id is not None:
        stmt = stmt.where(ApiRequestLog.client_id == client_id)
    return paginate(session, stmt, page=page, per_page=per_page)


class RequestLogWriter:
    """Takes entries from request handlers without blocking; a daemon thread writes them in batches."""

    def __init__(self, sessions: sessionmaker[Session], *, maxsize: int = 10_000) -> None:
        self._sessions = sessions
        self._queue: queue.Queue[LogEntry | None] = queue.Queue(maxsize=maxsize)
        self._thread: threading.Thread | None = None
        self._barriers: list[threading.Event] = []
        self._wake = threading.Event()
        self._stopping = False
        self.dropped = 0

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="api-request-log", daemon=True)
            self._thread.start()

    def put(self, entry: LogEntry) -> None:
        """Queue an entry; when the queue is full the entry is counted and dropped, never waited on."""
        try:
            self._queue.put_nowait(entry)
        except queue.Full:
            self.dropped += 1

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued so far is written (tests, shutdown)."""
        if self._thread is None or not self._thread.is_alive():
            self._drain(block=False)
            return
        done = threading.Event()
        self._barriers.append(done)
        self._queue.put(None)
        self._wake.set()
        done.wait(timeout)

    def stop(self) -> None:
        """Write what is left and end the thread."""
        self._stopping = True
        self.flush()

    def _drain(self, *, block: bool) -> bool:
        """Write one batch; True when a flush marker was seen. A blocking drain lets a short burst
        gather first (LINGER, cut short by ``flush``): one commit per burst rather than per request."""
        item = self._next(timeout=0.5 if block else None)
        if block and isinstance(item, LogEntry) and self._queue.qsize() < BATCH:
            self._wake.wait(LINGER)
            self._wake.clear()
        batch: list[LogEntry] = []
        while isinstance(item, LogEntry):
            batch.append(item)
            if len(batch) >= BATCH:
                break
            item = self._next(timeout=None)
        self._write(batch)
        return item is None

    def _next(self, *, timeout: float | None) -> LogEntry | bool | None:
        """The next queued item (None is a flush marker); False when there is none."""
        try:
            return self._queue.get(timeout=timeout) if timeout else self._queue.get_nowait()
        except queue.Empty:
            return False

    def _write(self, batch: list[LogEntry]) -> None:
        if not batch:
            return
        try:
            with session_scope(self._sessions) as session:
                write_batch(session, batch)
        except Exception:
            log.exception("could not write %d API request log rows", len(batch))

    def _run(self) -> None:
        while True:
            if self._drain(block=True):
                while self._barriers:
                    self._barriers.pop().set()
                if self._stopping:
                    return


def purge_request_logs(session: Session, *, before: datetime) -> int:
    """Drop request log rows older than ``before`` (retention); returns rows removed."""
    result = session.execute(delete(ApiRequestLog).where(ApiRequestLog.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
