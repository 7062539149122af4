"""The syslog receiver: MikroTik routers' remote log over UDP into the log tables.

An asyncio ``DatagramProtocol`` (receive buffer raised to 32 MB by default: about 80,000 small
datagrams, a few seconds of a busy network while the writer catches up) only queues datagrams with
their source and arrival time; every ``batch_size`` datagrams or ``flush_ms`` a batch goes to one
writer thread, which parses it (``collectors.logparse``), maps the source to a device (by
``Device.host``, and by the frame's hostname against the device's identity or name when several
devices share an address) and usernames to customers (``Customer.username``), both cached, and
inserts it with ``store.bulk.bulk_insert`` in one transaction. Unparsed lines land as RouterLog.
``Device.syslog_seen_at`` says (refreshed once a minute) that a device's syslog arrives.

Inside a running loop: ``rx = SyslogReceiver(sessions, ReceiverConfig(port=514)); await rx.start()``
... ``await rx.stop()``. On its own thread: ``with serve_syslog(sessions, port=0) as rx: rx.port``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import socket
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from billing.models import Customer
from collectors import logparse
from collectors.models import Device
from store.base import Base
from store.bulk import bulk_insert
from store.types import utcnow

LOG = logging.getLogger(__name__)
Datagram = tuple[bytes, str, float]
CHUNK = 500
DRAIN = 512
MAX_DATAGRAM = 65535
HEARD_EVERY_S = 60.0


@dataclass(frozen=True)
class ReceiverConfig:
    """Where to listen and how to batch."""

    host: str = "127.0.0.1"
    port: int = 514
    batch_size: int = 2000
    flush_ms: float = 100.0
    rcvbuf: int = 32 << 20
    cache_ttl_s: float = 60.0


class Resolver:
    """Source address / hostname -> device id and username -> customer id, cached (writer thread)."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self.hosts: dict[str, list[int]] = {}
        self.names: dict[str, int] = {}
        self.customers: dict[str, int | None] = {}
        self.heard: dict[int, float] = {}
        self.loaded_at = -1e9
        self.customers_at = time.monotonic()

    def refresh(self, session: Session, *, force: bool = False) -> None:
        """Reload the device map when stale (or on an unknown source, at most every few seconds)."""
        age = time.monotonic() - self.loaded_at
        if age < self.ttl_s and not (force and age > 5.0):
            return
        self.hosts, self.names = defaultdict(list), {}
        for dev_id, host, name, identity in session.execute(
                select(Device.id, Device.host, Device.name, Device.identity)):
            self.hosts[host].append(dev_id)
            self.names.setdefault(name, dev_id)
            if identity:
                self.names.setdefault(identity.replace(" ", "_"), dev_id)
        self.loaded_at = time.monotonic()
        if time.monotonic() - self.customers_at > self.ttl_s:
            self.customers, self.customers_at = {}, time.monotonic()

    def device(self, ip: str, hostname: str | None) -> int | None:
        """The device a line came from: its address when unique, else its hostname (None: unsure)."""
        ids = self.hosts.get(ip, [])
        if len(ids) == 1:
            return ids[0]
        named = self.names.get(hostname or "")
        return named if named is not None and (not ids or named in ids) else None

    def mark_heard(self, session: Session, tables: Mapping[type[Base], list[dict[str, Any]]]) -> None:
        """Note on the devices heard from that their syslog arrives (once a minute per device)."""
        now = time.monotonic()
        heard = {r["device_id"] for rows in tables.values() for r in rows if r["device_id"] is not None}
        due = [d for d in heard if now - self.heard.get(d, -1e9) >= HEARD_EVERY_S]
        if due:
            session.execute(update(Device).where(Device.id.in_(due)).values(syslog_seen_at=utcnow()))
            self.heard.update(dict.fromkeys(due, now))

    def load_customers(self, session: Session, usernames: Iterable[str]) -> None:
        """Look up the usernames not cached yet (misses are cached too)."""
        missing = sorted({u for u in usernames if u not in self.customers})
        for start in range(0, len(missing), CHUNK):
            part = missing[start:start + CHUNK]
            found = {name: cid for name, cid in session.execute(
                select(Customer.username, Customer.id).where(Customer.username.in_(part)))}
            for name in part:
                self.customers[name] = found.get(name)


def build_rows(batch: list[Datagram], resolver: Resolver, session: Session
               ) -> dict[type[Base], list[dict[str, Any]]]:
    """Parse a batch and resolve it into rows per log table."""
    frames = [(logparse.split_frame(data), ip, at) for data, ip, at in batch]
    entries = [logparse.parse_message(f.message) for f, _, _ in frames]
    users = [logparse.username_of(e) for e in entries]
    resolver.refresh(session)
    if any(ip not in resolver.hosts for _, ip, _ in frames):
        resolver.refresh(session, force=True)
    resolver.load_customers(session, (u for u in users if u))
    rows: dict[type[Base], list[dict[str, Any]]] = defaultdict(list)
    customers, device = resolver.customers, resolver.device
    for (frame, ip, at), entry, user in zip(frames, entries, users, strict=True):
        ctx = logparse.LogContext(
            at=datetime.fromtimestamp(at, UTC), device_id=device(ip, frame.hostname),
            customer_id=customers.get(user) if user else None, source_ip=ip)
        model, row = logparse.to_row(entry, frame.topics, frame.message, ctx)
        rows[model].append(row)
    return rows


class _Protocol(asyncio.DatagramProtocol):
    """Takes the datagram asyncio read, then drains what else is already queued on the socket: the
    selector transport reads one datagram per loop turn, far too few for a burst."""

    def __init__(self, receiver: SyslogReceiver, sock: socket.socket) -> None:
        self.receiver = receiver
        self.sock = sock

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        accept = self.receiver.accept
        accept(data, str(addr[0]))
        recvfrom = self.sock.recvfrom
        for _ in range(DRAIN):
            try:
                data, addr = recvfrom(MAX_DATAGRAM)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.error_received(exc)
                return
            accept(data, str(addr[0]))

    def error_received(self, exc: Exception) -> None:
        LOG.warning("syslog socket error: %s", exc)


class SyslogReceiver:
    """UDP syslog in, log rows out; counters ``received``, ``stored`` and ``failed`` (lines)."""

    def __init__(self, sessions: sessionmaker[Session], config: ReceiverConfig | None = None) -> None:
        self.sessions = sessions
        self.config = config or ReceiverConfig()
        self.received = self.stored = self.failed = 0
        self.port = 0
        self._pending: list[Datagram] = []
        self._queue: queue.Queue[list[Datagram] | None] = queue.Queue()
        self._done = threading.Condition()
        self._resolver = Resolver(self.config.cache_ttl_s)
        self._transport: asyncio.DatagramTransport | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._writer: threading.Thread | None = None

    def _socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.config.rcvbuf)
        force = getattr(socket, "SO_RCVBUFFORCE", None)
        if force is not None and sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) < self.config.rcvbuf:
            try:
                sock.setsockopt(socket.SOL_SOCKET, force, self.config.rcvbuf)
            except OSError:
                pass  # not privileged: the kernel's rmem_max caps the buffer
        sock.bind((self.config.host, self.config.port))
        return sock

    async def start(self) -> int:
        """Bind and start receiving on the running loop; returns the port."""
        loop = asyncio.get_running_loop()
        sock = self._socket()
        self.port = sock.getsockname()[1]
        self._writer = threading.Thread(target=self._write_loop, name="syslog-writer", daemon=True)
        self._writer.start()
        self._transport, _ = await loop.create_datagram_endpoint(lambda: _Protocol(self, sock), sock=sock)
        self._timer = loop.call_later(self.config.flush_ms / 1000, self._tick)
        return self.port

    async def stop(self) -> None:
        """Stop receiving, write what was received, stop the writer."""
        if self._timer is not None:
            self._timer.cancel()
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self.flush()
        self._queue.put(None)
        if self._writer is not None:
            await asyncio.to_thread(self._writer.join)
            self._writer = None

    def accept(self, data: bytes, source_ip: str) -> None:
        """One datagram (the protocol's callback)."""
        self.received += 1
        self._pending.append((data, source_ip, time.time()))
        if len(self._pending) >= self.config.batch_size:
            self.flush()

    def flush(self) -> None:
        """Hand what is pending to the writer (on the receiver's loop only)."""
        if self._pending:
            batch, self._pending = self._pending, []
            self._queue.put(batch)

    def _tick(self) -> None:
        self.flush()
        self._timer = asyncio.get_running_loop().call_later(self.config.flush_ms / 1000, self._tick)

    def _write_loop(self) -> None:
        while (batch := self._queue.get()) is not None:
            self._write(batch)

    def _write(self, batch: list[Datagram], attempts: int = 3) -> None:
        for attempt in range(attempts):
            try:
                with self.sessions.begin() as session:
                    conn = session.connection()
                    tables = build_rows(batch, self._resolver, session)
                    for model, rows in tables.items():
                        bulk_insert(conn, model, rows)
                    self._resolver.mark_heard(session, tables)
                self._count(stored=len(batch))
                return
            except Exception:
                LOG.exception("syslog batch of %d lines not stored (attempt %d)", len(batch), attempt + 1)
                time.sleep(0.2 * (attempt + 1))
        self._count(failed=len(batch))

    def _count(self, *, stored: int = 0, failed: int = 0) -> None:
        with self._done:
            self.stored += stored
            self.failed += failed
            self._done.notify_all()

    def wait_written(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` lines are stored or failed (from another thread); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._done:
            while self.stored + self.failed < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True


@contextmanager
def serve_syslog(sessions: sessionmaker[Session], host: str = "127.0.0.1", port: int = 0,
                 **config: Any) -> Iterator[SyslogReceiver]:
    """A receiver on a loop of its own (a background thread) for the duration of the block."""
    receiver = SyslogReceiver(sessions, replace(ReceiverConfig(), host=host, port=port, **config))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="syslog-loop", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(receiver.start(), loop).result(timeout=10)
        yield receiver
    finally:
        try:
            asyncio.run_coroutine_threadsafe(receiver.stop(), loop).result(timeout=60)
            asyncio.run_coroutine_threadsafe(loop.shutdown_default_executor(), loop).result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            loop.close()
