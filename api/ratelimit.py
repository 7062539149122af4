"""Per-client request limits with the `limits` library: memory by default, Redis when configured."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

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


class RateLimiter:
    """Counts hits per key in fixed one-minute windows."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._limiter = FixedWindowRateLimiter(storage)
        self._items: dict[int, RateLimitItem] = {}

    def _item(self, per_minute: int) -> RateLimitItem:
        if per_minute not in self._items:
            self._items[per_minute] = RateLimitItemPerMinute(per_minute)
        return self._items[per_minute]

    def hit(self, key: str, per_minute: int) -> RateState:
        """Count one request for ``key``; fails open (allowed) if the counter store is down."""
        item = self._item(per_minute)
        try:
            allowed = self._limiter.hit(item, key)
            stats = self._limiter.get_window_stats(item, key)
        except Exception:  # the counter store (Redis) is down: serve rather than refuse everyone
            log.warning("rate-limit storage unavailable; request allowed", exc_info=True)
            return RateState(True, per_minute, per_minute, time.time() + 60)
        return RateState(allowed, per_minute, max(0, stats.remaining), stats.reset_time)
