"""Pure parsing of RouterOS API replies (librouteros reply dicts) into typed results.

librouteros already turns ``true``/``false``/``yes``/``no`` into booleans and decimal strings into
ints; every parser here also takes the raw strings, so a value reads the same whichever way it came.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors.enums import SessionKind

Reply = Mapping[str, object]

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001, "us": 0.000001}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|us|w|d|h|m|s)")
_CLOCK = re.compile(r"^(?:(\d+)d)?\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)$")
_SKEW = timedelta(hours=1)
BOOT_SLACK_S = 30
_MONTHS = {m: n for n, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


@dataclass(frozen=True)
class Resource:
    """``/system/resource``: what the router runs and how loaded it is."""

    version: str | None
    uptime_s: int | None
    cpu_load: float | None
    board: str | None
    free_memory: int | None
    total_memory: int | None


@dataclass(frozen=True)
class InterfaceCounters:
    """One ``/interface`` row: its byte counters and state."""

    name: str
    type: str | None
    running: bool | None
    dynamic: bool
    rx_bytes: int
    tx_bytes: int


@dataclass(frozen=True)
class ActiveSession:
    """One live PPP or hotspot session; bytes as the router counts them (in = from the subscriber)."""

    kind: SessionKind
    ref: str
    username: str
    address: str | None
    caller_id: str | None
    uptime_s: int
    bytes_in: int | None
    bytes_out: int | None


@dataclass(frozen=True)
class Pool:
    """One ``/ip/pool`` row with how many addresses its ranges hold."""

    name: str
    ranges: str
    size: int


@dataclass(frozen=True)
class LogEntry:
    """One ``/log`` row: its ``.id`` as a number (ids only grow within a boot), time and text."""

    ref: int
    at: datetime
    topics: str
    message: str


def parse_duration(value: object) -> int:
    """RouterOS duration (``1w2d3h4m5s``, ``500ms``, ``1d02:03:04``, ``00:05:10``) in whole seconds."""
    text = str(value if value is not None else "").strip().lower()
    if not text or text in ("none", "never"):
        return 0
    clock = _CLOCK.match(text)
    if clock is not None:
        days, hours, minutes, seconds = clock.groups()
        return int(int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds))
    head, _, tail = text.partition(" ")
    if tail and _CLOCK.match(tail):
        return parse_duration(head) + parse_duration(tail)
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a RouterOS duration: {text!r}")
    return int(sum(float(n) * _UNITS[u] for n, u in parts))


def parse_int(value: object, default: int = 0) -> int:
    """A counter or number as RouterOS sends it (``1234``, ``"1234"``, ``""``); ``default`` if absent."""
    if isinstance(value, bool) or value is None or value == "":
        return default
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        return default


def parse_bool(value: object) -> bool | None:
    """``true``/``yes``/True as True; None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes")


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def parse_resource(row: Reply) -> Resource:
    """``/system/resource`` (``version`` keeps the number only: ``6.49.10 (stable)`` -> ``6.49.10``)."""
    version = _text(row.get("version"))
    cpu = row.get("cpu-load")
    return Resource(
        version=version.split(" ")[0] if version else None,
        uptime_s=parse_duration(row["uptime"]) if row.get("uptime") not in (None, "") else None,
        cpu_load=float(parse_int(cpu)) if cpu not in (None, "") else None,
        board=_text(row.get("board-name")),
        free_memory=parse_int(row.get("free-memory")) if "free-memory" in row else None,
        total_memory=parse_int(row.get("total-memory")) if "total-memory" in row else None,
    )


def parse_identity(rows: Iterable[Reply]) -> str | None:
    """``/system/identity``: the router's name."""
    for row in rows:
        return _text(row.get("name"))
    return None


def parse_interfaces(rows: Iterable[Reply]) -> list[InterfaceCounters]:
    """``/interface`` rows with their counters."""
    return [
        InterfaceCounters(
            name=str(row["name"]), type=_text(row.get("type")), running=parse_bool(row.get("running")),
            dynamic=bool(parse_bool(row.get("dynamic"))), rx_bytes=parse_int(row.get("rx-byte")),
            tx_bytes=parse_int(row.get("tx-byte")),
        )
        for row in rows if row.get("name")
    ]


def parse_ppp_active(rows: Iterable[Reply], counters: Mapping[str, InterfaceCounters]) -> list[ActiveSession]:
    """``/ppp/active``; the bytes come from the session's dynamic ``<pppoe-NAME>`` interface."""
    out = []
    for row in rows:
        name = str(row.get("name") or "")
        service = str(row.get("service") or "pppoe")
        iface = counters.get(f"<{service}-{name}>")
        out.append(ActiveSession(
            kind=SessionKind.PPP, ref=str(row.get(".id", "")), username=name,
            address=_text(row.get("address")), caller_id=_text(row.get("caller-id")),
            uptime_s=parse_duration(row.get("uptime")),
            bytes_in=iface.rx_bytes if iface else None, bytes_out=iface.tx_bytes if iface else None,
        ))
    return [s for s in out if s.username]


def parse_hotspot_active(rows: Iterable[Reply]) -> list[ActiveSession]:
    """``/ip/hotspot/active`` with its own byte counters."""
    return [
        ActiveSession(
            kind=SessionKind.HOTSPOT, ref=str(row.get(".id", "")), username=str(row["user"]),
            address=_text(row.get("address")), caller_id=_text(row.get("mac-address")),
            uptime_s=parse_duration(row.get("uptime")),
            bytes_in=parse_int(row.get("bytes-in")), bytes_out=parse_int(row.get("bytes-out")),
        )
        for row in rows if row.get("user")
    ]


def _range_bounds(part: str) -> tuple[int, int]:
    part = part.strip()
    if "/" in part:
        net = ipaddress.ip_network(part, strict=False)
        return int(net.network_address), int(net.broadcast_address)
    first, _, last = part.partition("-")
    low = int(ipaddress.ip_address(first.strip()))
    return low, int(ipaddress.ip_address(last.strip())) if last else low


def pool_bounds(ranges: str) -> list[tuple[int, int]]:
    """``10.0.0.2-10.0.0.254,10.1.0.0/24`` as inclusive integer bounds (bad parts skipped)."""
    out = []
    for part in ranges.split(","):
        if part.strip():
            try:
                out.append(_range_bounds(part))
            except ValueError:
                continue
    return out


def parse_pools(rows: Iterable[Reply]) -> list[Pool]:
    """``/ip/pool`` rows with their sizes."""
    out = []
    for row in rows:
        ranges = str(row.get("ranges") or "")
        size = sum(high - low + 1 for low, high in pool_bounds(ranges))
        out.append(Pool(name=str(row.get("name", "")), ranges=ranges, size=size))
    return [p for p in out if p.name]


def count_used(pools: Iterable[Pool], addresses: Iterable[str | None]) -> dict[str, int]:
    """How many of ``addresses`` fall in each pool (the count when ``/ip/pool/used`` is absent)."""
    bounds = {p.name: pool_bounds(p.ranges) for p in pools}
    used = dict.fromkeys(bounds, 0)
    for address in addresses:
        try:
            value = int(ipaddress.ip_address(address or ""))
        except ValueError:
            continue
        for name, spans in bounds.items():
            if any(low <= value <= high for low, high in spans):
                used[name] += 1
                break
    return used


def parse_pool_used(rows: Iterable[Reply]) -> dict[str, int]:
    """``/ip/pool/used``: addresses in use per pool."""
    used: dict[str, int] = {}
    for row in rows:
        pool = str(row.get("pool") or "")
        if pool:
            used[pool] = used.get(pool, 0) + 1
    return used


def parse_log_time(text: str, now: datetime) -> datetime:
    """A ``/log`` time in UTC: ``2026-01-02 03:04:05`` (v7), ``jan/02/2026 03:04:05``,
    ``jan/02 03:04:05`` (this year, or last if that is ahead) or ``03:04:05`` (today, or yesterday)."""
    text = text.strip()
    date_part, _, clock = text.rpartition(" ")
    hh, mm, ss = (int(p) for p in clock.split(":"))
    if not date_part:
        today = now.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        return today - timedelta(days=1) if today > now + _SKEW else today
    if "-" in date_part:
        year, month, day = (int(p) for p in date_part.split("-"))
    else:
        pieces = date_part.lower().split("/")
        month, day = _MONTHS[pieces[0]], int(pieces[1])
        if len(pieces) < 3:
            this_year = datetime(now.year, month, day, hh, mm, ss, tzinfo=UTC)
            return this_year if this_year <= now + _SKEW else this_year.replace(year=now.year - 1)
        year = int(pieces[2])
    return datetime(year, month, day, hh, mm, ss, tzinfo=UTC)


def log_ref(value: object) -> int:
    """A ``.id`` (``*1A``) as a number."""
    text = str(value or "").lstrip("*")
    try:
        return int(text, 16)
    except ValueError:
        return 0


def parse_log(rows: Iterable[Reply], now: datetime) -> list[LogEntry]:
    """``/log`` rows in id order (unreadable times fall back to ``now``)."""
    out = []
    for row in rows:
        try:
            at = parse_log_time(str(row.get("time", "")), now)
        except (ValueError, KeyError):
            at = now
        out.append(LogEntry(ref=log_ref(row.get(".id")), at=at, topics=str(row.get("topics") or ""),
                            message=str(row.get("message") or "")))
    return sorted(out, key=lambda e: e.ref)


def log_cursor(stored: object, logs: tuple[LogEntry, ...] | None, rebooted: bool) -> int:
    """The last ``/log`` id stored (-1: none); ids start again after a reboot."""
    last = stored if isinstance(stored, int) else -1
    newest = max((e.ref for e in logs or ()), default=-1)
    return -1 if logs is not None and (rebooted or newest < last) else last


def rebooted(last_uptime: int | None, uptime: int | None, last_boot: object, boot: datetime | None) -> bool:
    """Uptime went back, or the boot time (poll time minus uptime) moved on: the router restarted."""
    if uptime is None:
        return False
    if last_uptime is not None and uptime < last_uptime:
        return True
    if isinstance(last_boot, str) and boot is not None:
        return (boot - datetime.fromisoformat(last_boot)).total_seconds() > BOOT_SLACK_S
    return False


def counter_delta(previous: int | None, current: int) -> int:
    """Bytes moved between two readings of a counter; a counter that went back has restarted."""
    if previous is None:
        return 0
    return current - previous if current >= previous else current


def rate_bps(previous: int | None, current: int, seconds: float, *, reset: bool = False) -> float | None:
    """Bits per second between two readings; after a reset the counter counts from zero."""
    if previous is None or seconds <= 0:
        return None
    moved = current if reset or current < previous else current - previous
    return moved * 8 / seconds
