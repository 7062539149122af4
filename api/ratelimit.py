"""Per-client request limits with the `limits` library: memory by default, Redis when configured."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateState:
    """One limit after a hit: allowed or not, the limit, what is left and when the window resets."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    def headers(self, *, now: float | None = None) -> dict[str, str]:
        """``X-RateLimit-*`` always; ``Retry-After`` when refused."""
        out = {"X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": str(self.remaining)}
        if not self.allowed:
            wait = self.reset_at - (time.time() if now is None else now)
            out["Retry-After"] = str(max(1, math.ceil(wait)))
        return out


def tighter(a: RateState | None, b: RateState) -> RateState:
    """The state to report when two limits apply: a refusal, else the one with less left."""
    if a is None:
        return b
    if a.allowed != b.allowed:
        return a if not a.allowed else b
    return a if a.remaining <= b.remaining else b


def make_storage(redis_url: str | None, *, prefix: str = "ispnoc") -> Storage:
    """Redis counters (shared by every worker) when a URL is set, else in-process memory."""
    if redis_url:
        storage = storage_from_string(redis_url, key_prefix=prefix)
        if not isinstance(storage, Storage):
            raise ValueError(f"not a synchronous rate-limit storage URL: {redis_url!r}")
        return storage
    return MemoryStorage()


class LocalWindows:
    """In-process fixed windows with the semantics of ``limits``' MemoryStorage (a window opens at a
    key's first hit and lasts its expiry), minus that storage's expiry timer thread per burst."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def incr(self, key: str, expiry: float, *, now: float) -> tuple[int, float]:
        """Count a hit; the key's count in its current window and when that window ends."""
        with self._lock:
            reset_at, count = self._windows.get(key, (0.0, 0))
            if reset_at <= now:
                if len(self._windows) > 10_000:
                    self._prune(now)
                reset_at, count = now + expiry, 0
            self._windows[key] = (reset_at, count + 1)
        return count + 1, reset_at

    def _prune(self, now: float) -> None:
        for key in [k for k, (reset_at, _) in self._windows.items() if reset_at <= now]:
            del self._windows[key]


class RateLimiter:
    """Counts hits per key in fixed one-minute windows."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._local = LocalWindows() if isinstance(storage, MemoryStorage) else None
        self._items: dict[int, RateLimitItem] = {}

    def _item(self, per_minute: int) -> RateLimitItem:
        if per_minute not in self._items:
            self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        return self._items[per_minute]

    def _count(self, item: RateLimitItem, key: str) -> tuple[int, float]:
        """One hit: the window's count and reset time (two storage calls for Redis)."""
        if self._local is not None:
            return self._local.incr(key, item.get_expiry(), now=time.time())
        full = item.key_for(key)
        count = self.storage.incr(full, item.get_expiry())
        return count, self.storage.get_expiry(full)

    def hit(self, key: str, per_minute: int) -> RateState:
        """Count one request for ``key``; fails open (allowed) if the counter store is down."""
        item = self._item(per_minute)
        try:
            count, reset_at = self._count(item, key)
        except Exception:  # the counter store (Redis) is down: serve rather than refuse everyone
            log.warning("rate-limit storage unavailable; request allowed", exc_info=True)
            return RateState(True, per_minute, per_minute, time.time() + 60)
        return RateState(count <= per_minute, per_minute, max(0, per_minute - count), reset_at)
