"""What one app instance holds: settings, sessions, the clock, the rate limiter and the log writer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from api.config import RATES, ApiSettings, RateTable
from api.ratelimit import RateLimiter
from api.requestlog import RequestLogWriter
from store.types import utcnow


@dataclass
class Runtime:
    """Shared per-app state, reached from requests as ``request.app.state.runtime``."""

    settings: ApiSettings
    sessions: sessionmaker[Session]
    limiter: RateLimiter
    request_log: RequestLogWriter
    rates: RateTable = RATES
    clock: Callable[[], datetime] = field(default=utcnow)

    @property
    def key(self) -> str:
        return self.settings.secret_key.get_secret_value()
