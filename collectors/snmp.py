"""A small SNMP v2c client over pysnmp's asyncio API, and pure helpers decoding what it returns.

One ``SnmpEngine`` per event loop is reused by every request; MIB lookups stay off (numeric OIDs
only); a table is read with GETBULK, one subtree per walk, several subtrees of a device at once.
A walk returns ``{oid tuple: raw pyasn1 value}``; the ``as_*`` helpers turn values into Python.
Timeouts, SNMP errors and unreachable agents become ``collectors.base.CollectError``.
"""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collectors.base import CollectError

with warnings.catch_warnings():  # pysmi, imported by pysnmp, warns about its own deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from pyasn1.type.univ import Null
    from pysnmp.entity.rfc3413 import cmdgen
    from pysnmp.hlapi.v3arch.asyncio import CommunityData, SnmpEngine, UdpTransportTarget
    from pysnmp.hlapi.v3arch.asyncio.lcd import CommandGeneratorLcdConfigurator
    from pysnmp.proto.rfc1902 import ObjectName
    from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

Oid = tuple[int, ...]
Walk = dict[Oid, Any]
"""A walked subtree: full numeric OID -> the raw value the agent sent (pyasn1 object)."""

_ABSENT = (NoSuchObject, NoSuchInstance, EndOfMibView, Null)
_LCD = CommandGeneratorLcdConfigurator()
_BULK = cmdgen.BulkCommandGenerator()
_GET = cmdgen.GetCommandGenerator()
Reply = tuple[Any, Any, Any, Sequence[Any]]


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
    """Per-request behaviour: timeout (seconds), retries, and GETBULK max-repetitions."""

    timeout_s: float = 2.0
    retries: int = 1
    max_repetitions: int = 40


class SnmpSession:
    """One agent as reached with one community; counts the values it received.

    Requests go to pysnmp's command generators directly with numeric var-binds: no MIB
    resolution on the way out (the high-level ``*_cmd`` functions resolve every request's OIDs).
    """

    def __init__(self, engine: SnmpEngine, addr_name: str, options: SnmpOptions, where: str) -> None:
        self.engine, self.addr_name, self.options, self.where = engine, addr_name, options, where
        self.values = 0

    async def get(self, oids: Sequence[Oid]) -> Walk:
        """GET the given OIDs; absent ones are left out of the result."""
        future = self._future()
        _GET.send_varbinds(self.engine, self.addr_name, None, b"",
                           [(ObjectName(o), Null("")) for o in oids], _done, future)
        binds = self._checked(await future)
        found = {tuple(name): value for name, value in binds if not is_absent(value)}
        self.values += len(found)
        return found

    async def bulk(self, last: Oid) -> Sequence[Any]:
        """One GETBULK from ``last`` (max-repetitions from the options)."""
        future = self._future()
        _BULK.send_varbinds(self.engine, self.addr_name, None, b"", 0, self.options.max_repetitions,
                            [(ObjectName(last), Null(""))], _done, future)
        return self._checked(await future)

    async def walk(self, root: Oid) -> Walk:
        """Every OID under ``root`` (GETBULK until the reply leaves the subtree)."""
        found: Walk = {}
        n, last, more = len(root), root, True
        while more:
            binds = await self.bulk(last)
            more = bool(binds)
            for name, value in binds:
                key = tuple(name)
                if key[:n] != root or isinstance(value, EndOfMibView) or key <= last:
                    more = False
                    break
                found[key] = value
                last = key
        self.values += len(found)
        return found

    async def walk_all(self, roots: Iterable[Oid]) -> Walk:
        """Walk several subtrees concurrently; one merged result."""
        merged: Walk = {}
        for part in await asyncio.gather(*(self.walk(r) for r in roots)):
            merged.update(part)
        return merged

    @staticmethod
    def _future() -> asyncio.Future[Reply]:
        return asyncio.get_running_loop().create_future()

    def _checked(self, reply: Reply) -> Sequence[Any]:
        error_indication, error_status, error_index, binds = reply
        if error_indication:
            raise CollectError(f"SNMP {self.where}: {error_indication}")
        if error_status and int(error_status) != 0:
            raise CollectError(f"SNMP {self.where}: {error_status.prettyPrint()} at {int(error_index)}")
        return binds


def _done(engine: SnmpEngine, handle: int, error_indication: Any, error_status: Any, error_index: Any,
          binds: Sequence[Any], future: asyncio.Future[Reply]) -> None:
    """Command generator callback: hand the reply to the waiting request."""
    if not future.done():
        future.set_result((error_indication, error_status, error_index, binds))


class SnmpClient:
    """The SNMP engine of the running event loop, and sessions to agents through it."""

    def __init__(self, options: SnmpOptions | None = None) -> None:
        self.options = options or SnmpOptions()
        self._engine: SnmpEngine | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._targets: dict[tuple[str, int], UdpTransportTarget] = {}
        self._guard: asyncio.Task[None] | None = None

    def _engine_here(self) -> SnmpEngine:
        loop = asyncio.get_running_loop()
        if self._engine is None or self._loop is not loop:
            self.close()
            self._engine, self._loop = SnmpEngine(), loop
            self._guard = loop.create_task(_close_when_cancelled(self._engine))
        return self._engine

    async def session(self, host: str, port: int | None, community: str) -> SnmpSession:
        """A session to ``host:port`` (161 by default) with a v2c community."""
        engine = self._engine_here()
        address = (host, port or 161)
        target = self._targets.get(address)
        if target is None:
            try:
                target = await UdpTransportTarget.create(
                    address, timeout=self.options.timeout_s, retries=self.options.retries)
            except Exception as exc:  # pysnmp raises its own PySnmpError for unresolvable names
                raise CollectError(f"SNMP {host}:{address[1]}: {exc}") from exc
            self._targets[address] = target
        addr_name, _ = _LCD.configure(engine, CommunityData(community, mpModel=1), target, b"")
        return SnmpSession(engine, addr_name, self.options, f"{host}:{address[1]}")

    def close(self) -> None:
        """Close the engine's sockets (a later request opens a new engine)."""
        if self._guard is not None and not self._guard.done():
            self._guard.cancel()
        if self._engine is not None:
            _close(self._engine)
        self._engine = self._loop = self._guard = None
        self._targets.clear()


_LOCAL = threading.local()


def shared_client() -> SnmpClient:
    """This thread's client: collectors built without one share its engine (one per loop). Per
    thread, since the scheduler runs families' cycles at once, each in a loop of its own thread,
    and an engine must never be closed under another loop's requests."""
    client: SnmpClient | None = getattr(_LOCAL, "client", None)
    if client is None:
        client = _LOCAL.client = SnmpClient()
    return client


async def _close_when_cancelled(engine: SnmpEngine) -> None:
    """Lives as long as the loop runs; ``asyncio.run`` cancels it at the end, closing the engine."""
    try:
        await asyncio.Event().wait()
    finally:
        _close(engine)


def _close(engine: SnmpEngine) -> None:
    dispatcher = engine.transport_dispatcher
    if dispatcher is not None:
        try:
            engine.close_dispatcher()
        except RuntimeError:  # its loop is already closed: the sockets went with it
            pass
