"""What a simulated RouterOS router knows: identity, API users, menus, subscribers, its clock.

``commands`` counts the API commands served (``/ppp/secret/set``..., ``/login`` per session).
Every change goes through ``RouterState.lock`` (the API server and the tick thread share it).
``tick(now)`` moves the router's clock to ``now`` (epoch seconds) and lets subscribers connect,
disconnect and move traffic (see sessions.py); ``advance(seconds)`` is the same by a step.
A reboot (``faults.reboot()``) is noticed on the next tick or request: sessions, counters,
uptime and the memory log start again.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from device_fixtures import syslog
from device_fixtures.faults import Faults
from device_fixtures.routeros.menus import Menu, Row, make_menus

LOG_LINES = 1000
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


class SubscriberKind(StrEnum):
    """How a subscriber reaches the router."""

    PPPOE = "pppoe"
    HOTSPOT = "hotspot"


@dataclass
class Subscriber:
    """A customer's device: what it logs in with, and its live session if any."""

    name: str
    password: str
    kind: SubscriberKind
    profile: str
    mac: str
    address: str = ""
    rate_bps: int = 2_000_000
    session: Row | None = None
    interface: Row | None = None
    queue: Row | None = None
    connected_at: float = 0.0
    bytes_in: int = 0
    bytes_out: int = 0


@dataclass
class RouterState:
    """One router. ``credentials`` are its API users; menus hold rows keyed by ``.id``."""

    name: str
    credentials: dict[str, str] = field(default_factory=lambda: {"admin": "admin"})
    version: str = "6.49.10"
    board: str = "CCR1036-8G-2S+"
    seed: int = 0
    suspended_profile: str = "suspended"
    suspended_pool: str = "suspended-pool"
    syslog_target: syslog.SyslogTarget | None = None
    faults: Faults = field(default_factory=Faults)
    menus: dict[str, Menu] = field(default_factory=make_menus)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    clock: float = field(default_factory=time.time)
    booted_at: float = 0.0
    boots_seen: int = 0
    mean_session_s: float = 4 * 3600.0
    mean_offline_s: float = 600.0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    leases: dict[str, set[int]] = field(default_factory=dict, repr=False)
    commands: Counter[str] = field(default_factory=Counter, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.rng.seed(f"{self.seed}:{self.name}")
        if not self.booted_at:
            self.booted_at = self.clock
        self.boots_seen = self.faults.boots
        self._hook_active_menus()
        identity = self.menus["/system/identity"]
        if not identity.rows:
            identity.insert({"name": self.name})
        self.menus["/system/resource"].rows.clear()
        self.menus["/system/resource"].insert({})
        self.refresh_resource()

    def _hook_active_menus(self) -> None:
        from device_fixtures.routeros.sessions import on_active_removed

        for path in ("/ppp/active", "/ip/hotspot/active"):
            self.menus[path].on_remove = lambda row: on_active_removed(self, row)

    @property
    def identity(self) -> str:
        """``/system/identity`` name (what the router calls itself in logs)."""
        return next(iter(self.menus["/system/identity"])).get("name", self.name)

    @property
    def version_tuple(self) -> tuple[int, ...]:
        """``6.49.10`` as (6, 49, 10)."""
        return tuple(int(p) for p in self.version.split(" ")[0].split(".") if p.isdigit())

    def menu(self, path: str) -> Menu:
        """A menu by path."""
        return self.menus[path]

    def tick(self, now: float) -> None:
        """Move the clock to ``now`` and let sessions change and traffic flow meanwhile."""
        from device_fixtures.routeros.sessions import run_tick

        with self.lock:
            self.check_reboot()
            elapsed = max(0.0, now - self.clock)
            self.clock = max(self.clock, now)
            run_tick(self, elapsed)
            self.refresh_resource()

    def advance(self, seconds: float) -> None:
        """``tick`` by a step (what a scenario's ticker calls)."""
        self.tick(self.clock + seconds)

    def check_reboot(self) -> bool:
        """Apply a reboot asked for through ``faults.reboot()``; True when one happened now."""
        from device_fixtures.routeros.sessions import drop_all

        with self.lock:
            if self.faults.boots == self.boots_seen:
                return False
            self.boots_seen = self.faults.boots
            drop_all(self)
            self.booted_at = self.clock
            for row in self.menus["/interface"]:
                row.update({"rx-byte": "0", "tx-byte": "0", "rx-packet": "0", "tx-packet": "0"})
            self.menus["/log"].rows.clear()
            self.log(syslog.SYSTEM, "router rebooted")
            self.refresh_resource()
            return True

    def refresh_resource(self) -> None:
        """``/system/resource``: uptime from the boot, a wandering CPU load and free memory."""
        total = 1024 * 1024 * 1024
        free = total - (self.rng.randrange(200, 600) << 20)
        row = next(iter(self.menus["/system/resource"].rows.values()))
        row.clear()
        row.update({
            "uptime": duration(self.clock - self.booted_at), "version": f"{self.version} (stable)",
            "build-time": "Jan/02/2026 10:00:00", "free-memory": str(free),
            "total-memory": str(total), "cpu": "tilegx", "cpu-count": "36", "cpu-frequency": "1200",
            "cpu-load": str(self.rng.randrange(1, 30)), "free-hdd-space": str(900 << 20),
            "total-hdd-space": str(1024 << 20), "architecture-name": "tile", "board-name": self.board,
            "platform": "MikroTik",
        })

    def log(self, topics: str, message: str) -> None:
        """Append to ``/log`` (bounded like the memory buffer) and send to the syslog target."""
        menu = self.menus["/log"]
        menu.insert({"time": log_time(self.clock, self.version_tuple), "topics": topics, "message": message})
        while len(menu.rows) > LOG_LINES:
            del menu.rows[next(iter(menu.rows))]
        if self.syslog_target is not None:
            syslog.send(self.syslog_target, self.clock, self.identity, topics, message)

    def check_login(self, user: str, password: str) -> bool:
        """Whether an API user and password are right (always wrong under the fault knob)."""
        if self.faults.wrong_credentials:
            return False
        return user in self.credentials and self.credentials[user] == password


def duration(seconds: float) -> str:
    """RouterOS duration text: ``1w2d3h4m5s``, ``0s`` for nothing."""
    left = int(max(0, seconds))
    parts = []
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count}{unit}")
    return "".join(parts) or "0s"


def log_time(epoch: float, version: tuple[int, ...]) -> str:
    """A ``/log`` time: ``jan/02/2026 03:04:05`` on RouterOS 6, ``2026-01-02 03:04:05`` on 7."""
    when = datetime.fromtimestamp(epoch, tz=UTC)
    if version[:1] >= (7,):
        return f"{when:%Y-%m-%d %H:%M:%S}"
    return f"{MONTHS[when.month - 1]}/{when:%d/%Y %H:%M:%S}"
