"""A small SNMP v2c client over pysnmp's asyncio API, and pure helpers decoding what it returns.

Messages are built and parsed with pysnmp's protocol API over one UDP socket per event loop (no
SnmpEngine: its community tables are rescanned whenever one is added, and with a community per
device that cost grew with the fleet); numeric OIDs only; tables are read with GETBULK, every
subtree of a device in the same request (one column each, the repetitions sized to fill the
request), and at most ``in_flight`` requests are outstanding to one agent address.
A walk returns ``{oid tuple: raw pyasn1 value}``; the ``as_*`` helpers turn values into Python.
Timeouts, SNMP errors and unreachable agents become ``collectors.base.CollectError``.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import socket
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collectors.base import CollectError
from collectors.snmp_wire import V2C, decode_response, encode_request

with warnings.catch_warnings():  # pysmi, imported by pysnmp, warns about its own deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyasn1.type.univ import Null
    from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

Oid = tuple[int, ...]
Walk = dict[Oid, Any]
"""A walked subtree: full numeric OID -> the raw value the agent sent (pyasn1 object)."""

_ABSENT = (NoSuchObject, NoSuchInstance, EndOfMibView, Null)
Address = tuple[str, int]


def oid(text: str) -> Oid:
    """``1.3.6.1.2.1.1.3.0`` (a leading dot allowed) as a tuple of ints."""
    return tuple(int(part) for part in text.strip(".").split("."))


def dotted(value: Oid) -> str:
    """A tuple OID back as dotted text."""
    return ".".join(map(str, value))


def column(walk: Mapping[Oid, Any], col: Oid) -> dict[Oid, Any]:
    """The rows of one table column: index (the OID after ``col``) -> value."""
    n = len(col)
    return {k[n:]: v for k, v in walk.items() if k[:n] == col and len(k) > n}


def is_absent(value: Any) -> bool:
    """True for noSuchObject / noSuchInstance / endOfMibView / NULL (no value at all)."""
    return value is None or isinstance(value, _ABSENT)


def as_int(value: Any) -> int | None:
    """Integer32, Gauge32, Counter32/64, TimeTicks as int; absent or non-numeric as None."""
    if is_absent(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_bytes(value: Any) -> bytes | None:
    """The octets of an OCTET STRING (or IpAddress); None when absent."""
    if is_absent(value):
        return None
    as_octets = getattr(value, "asOctets", None)
    return bytes(as_octets()) if as_octets is not None else str(value).encode()


def as_text(value: Any) -> str | None:
    """An OCTET STRING as text (UTF-8, Latin-1 fallback), trailing NULs and spaces dropped."""
    raw = as_bytes(value)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.rstrip("\x00 ").strip() or None


def as_hex(value: Any) -> str | None:
    """An OCTET STRING as upper-case hex (``48575443...``)."""
    raw = as_bytes(value)
    return raw.hex().upper() if raw else None


def mac_of(raw: bytes | str | None) -> str | None:
    """A MAC as ``aa:bb:cc:dd:ee:ff`` from 6 octets or from text in any common notation."""
    if raw is None:
        return None
    if isinstance(raw, bytes) and len(raw) == 6:
        return ":".join(f"{b:02x}" for b in raw)
    text = raw.decode("latin-1") if isinstance(raw, bytes) else raw
    digits = "".join(c for c in text.lower() if c in "0123456789abcdef")
    if len(digits) != 12 or len(text.strip()) > 17:
        return None
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def as_mac(value: Any) -> str | None:
    """A MacAddress column (6 octets) or a MAC printed as text, normalised."""
    return mac_of(as_bytes(value))


def as_ip(value: Any) -> str | None:
    """An IpAddress (4 octets) as dotted quad."""
    raw = as_bytes(value)
    if raw is None:
        return None
    return ".".join(map(str, raw)) if len(raw) == 4 else as_text(value)


def index_mac(index: Oid) -> str | None:
    """The MAC at the end of a table index (six sub-identifiers)."""
    if len(index) < 6 or any(not 0 <= b <= 255 for b in index[-6:]):
        return None
    return mac_of(bytes(index[-6:]))


def index_string(index: Oid) -> str:
    """A length-prefixed OCTET STRING index (``len.b1.b2...``) as text."""
    return bytes(index[1 : 1 + index[0]]).decode("latin-1")


def counter_delta(previous: int | None, current: int | None) -> int | None:
    """How much a counter grew; None when unknown or when it went backwards (a reboot)."""
    if previous is None or current is None or current < previous:
        return None
    return current - previous


@dataclass(frozen=True)
class SnmpOptions:
    """Per-request behaviour: timeout (seconds), retries, GETBULK max-repetitions, how many
    var-binds one GETBULK asks for at most (pysnmp-based agents such as snmpsim cap a reply at 64),
    and how many requests may be outstanding to one agent address at once."""

    timeout_s: float = 2.0
    retries: int = 1
    max_repetitions: int = 64
    max_varbinds: int = 64
    in_flight: int = 8


class _Udp(asyncio.DatagramProtocol):
    """The client's one UDP socket: replies are matched to waiting requests by request id."""

    def __init__(self) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.waiting: dict[int, tuple[Address, asyncio.Future[Any]]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        decoded = decode_response(data)
        if decoded is None:
            return
        entry = self.waiting.get(decoded[0])
        if entry is not None and entry[0] == (addr[0], addr[1]) and not entry[1].done():
            entry[1].set_result(decoded[1])

    def error_received(self, exc: Exception) -> None:
        """ICMP port unreachable and the like: the request times out as for silence."""


class SnmpSession:
    """One agent as reached with one community; counts the values it received.

    Messages are built and parsed with pysnmp's protocol API (numeric OIDs, no MIB, no engine
    tables) and sent on the client's socket. Every request first takes a slot of the agent's
    ``gate`` (shared by all sessions to the same address), so a slow agent sees a short queue
    instead of a flood it would answer too late.
    """

    def __init__(self, client: SnmpClient, address: Address, community: str, gate: asyncio.Semaphore) -> None:
        self.client, self.address, self.community, self.gate = client, address, community, gate
        self.options = client.options
        self.where = f"{address[0]}:{address[1]}"
        self.values = 0

    def close(self) -> None:
        """Nothing to release (kept so callers can end a session explicitly)."""

    async def _request(self, oids: Sequence[Oid], repetitions: int | None) -> Sequence[Any]:
        """Send one request (resent ``retries`` times on silence) and return its var-binds."""
        udp = await self.client.socket()
        request_id = self.client.next_id()
        data = encode_request(self.community, request_id, oids, repetitions)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        udp.waiting[request_id] = (self.address, future)
        try:
            async with self.gate:
                for _ in range(self.options.retries + 1):
                    if udp.transport is None:
                        raise CollectError(f"SNMP {self.where}: client socket closed")
                    udp.transport.sendto(data, self.address)
                    done, _ = await asyncio.wait([future], timeout=self.options.timeout_s)
                    if done:
                        return self._checked(future.result())
        finally:
            udp.waiting.pop(request_id, None)
            future.cancel()
        raise CollectError(f"SNMP {self.where}: No SNMP response received before timeout")

    async def get(self, oids: Sequence[Oid]) -> Walk:
        """GET the given OIDs in one request; absent ones are left out of the result."""
        binds = await self._request(oids, None)
        found = {tuple(name): value for name, value in binds if not is_absent(value)}
        self.values += len(found)
        return found

    async def bulk(self, last: Any, repetitions: int | None = None) -> Sequence[Any]:
        """One GETBULK from ``last`` (one OID or several, the reply row by row)."""
        starts = [last] if last and isinstance(last[0], int) else list(last)
        return await self._request(starts, repetitions or self.options.max_repetitions)

    async def walk(self, root: Oid) -> Walk:
        """Every OID under ``root`` (GETBULK until the reply leaves the subtree)."""
        return await self.walk_all([root])
    async def walk_all(self, roots: Iterable[Oid], rows: int | None = None) -> Walk:
        """Walk several subtrees at once: each GETBULK carries every unfinished subtree, with as
        many repetitions as fit in ``max_varbinds``; one merged result, subtree by subtree.

        ``rows``: how many values each subtree is expected to hold (a table's rows, when the roots
        are its columns); the first request then asks for one more, so a table of that size ends
        in one request without fetching what lies beyond it.
        """
        cursors = [_Cursor(root) for root in dict.fromkeys(roots)]
        active, first = list(cursors), rows
        while active:
            batch = active[: self.options.max_varbinds]
            reps = max(1, min(self.options.max_repetitions, self.options.max_varbinds // len(batch)))
            if first is not None:
                reps, first = max(1, min(reps, first + 1)), None
            progressed = _advance(batch, await self.bulk([c.last for c in batch], reps))
            active = [c for c in active if not c.done]
            if not progressed:
                break
        merged: Walk = {}
        for cursor in cursors:
            merged.update(cursor.found)
        self.values += len(merged)
        return merged

    def _checked(self, pdu: Any) -> Sequence[Any]:
        status = int(V2C.apiPDU.get_error_status(pdu))
        if status:
            name = V2C.apiPDU.get_error_status(pdu).prettyPrint()
            raise CollectError(f"SNMP {self.where}: {name} at {int(V2C.apiPDU.get_error_index(pdu))}")
        return V2C.apiPDU.get_varbinds(pdu)  # type: ignore[no-any-return]


class _Cursor:
    """One subtree being walked: where it stands, what it found, whether it left the subtree."""

    def __init__(self, root: Oid) -> None:
        self.root, self.last, self.done = root, root, False
        self.found: Walk = {}

    def take(self, name: Any, value: Any) -> bool:
        """Keep one var-bind of this subtree's column of a reply; False once it left the subtree."""
        key = tuple(name)
        if key[: len(self.root)] != self.root or isinstance(value, EndOfMibView) or key <= self.last:
            self.done = True
            return False
        self.found[key] = value
        self.last = key
        return True


def _advance(batch: Sequence[_Cursor], binds: Sequence[Any]) -> bool:
    """Hand a multi-OID GETBULK reply (row by row, one column per cursor) to the cursors; whether
    any of them moved. A reply without rows finishes them all."""
    if not binds:
        for cursor in batch:
            cursor.done = True
        return False
    width, progressed = len(batch), False
    for i, (name, value) in enumerate(binds):
        cursor = batch[i % width]
        if not cursor.done and cursor.take(name, value):
            progressed = True
    return progressed


class SnmpClient:
    """One UDP socket per event loop, request ids, per-agent gates, and sessions to agents."""

    def __init__(self, options: SnmpOptions | None = None) -> None:
        self.options = options or SnmpOptions()
        self._udp: _Udp | None = None
        self._opening: asyncio.Task[_Udp] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._addresses: dict[tuple[str, int], Address] = {}
        self._gates: dict[Address, asyncio.Semaphore] = {}
        self._guard: asyncio.Task[None] | None = None
        self._ids = itertools.count(random.randrange(1, 2**30))

    def next_id(self) -> int:
        """A fresh request id (31 bits)."""
        return next(self._ids) % (2**31 - 1) + 1

    async def socket(self) -> _Udp:
        """The running loop's socket (opened once on first use; a new loop gets a new one)."""
        loop = asyncio.get_running_loop()
        if self._opening is None or self._loop is not loop:
            self.close()
            self._loop, self._opening = loop, loop.create_task(self._open(loop))
        return await asyncio.shield(self._opening)

    async def _open(self, loop: asyncio.AbstractEventLoop) -> _Udp:
        _, udp = await loop.create_datagram_endpoint(_Udp, local_addr=("0.0.0.0", 0))
        sock = udp.transport.get_extra_info("socket") if udp.transport else None
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 2**20)
        self._udp, self._guard = udp, loop.create_task(_close_when_cancelled(self))
        return udp

    async def session(self, host: str, port: int | None, community: str) -> SnmpSession:
        """A session to ``host:port`` (161 by default) with a v2c community."""
        await self.socket()
        wanted = (host, port or 161)
        address = self._addresses.get(wanted)
        if address is None:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, wanted[1], family=socket.AF_INET, type=socket.SOCK_DGRAM)
            except OSError as exc:
                raise CollectError(f"SNMP {host}:{wanted[1]}: {exc}") from exc
            address = self._addresses[wanted] = (str(infos[0][4][0]), int(infos[0][4][1]))
        gate = self._gates.setdefault(address, asyncio.Semaphore(self.options.in_flight))
        return SnmpSession(self, address, community, gate)

    def close(self) -> None:
        """Close the socket (a later request opens a new one)."""
        if self._guard is not None and not self._guard.done():
            self._guard.cancel()
        if self._udp is not None and self._udp.transport is not None:
            self._udp.transport.close()
        self._udp = self._loop = self._guard = self._opening = None
        self._addresses.clear()
        self._gates.clear()

_LOCAL = threading.local()


def shared_client() -> SnmpClient:
    """This thread's client: collectors built without one share its socket (one per loop). Per
    thread, since the scheduler runs families' cycles at once, each in a loop of its own thread,
    and a socket must never be closed under another loop's requests."""
    client: SnmpClient | None = getattr(_LOCAL, "client", None)
    if client is None:
        client = _LOCAL.client = SnmpClient()
    return client


async def _close_when_cancelled(client: SnmpClient) -> None:
    """Lives as long as the loop runs; ``asyncio.run`` cancels it at the end, closing the socket."""
    try:
        await asyncio.Event().wait()
    finally:
        if client._guard is asyncio.current_task():
            client._guard = None
            client.close()
