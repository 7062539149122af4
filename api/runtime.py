"""What one app instance holds: settings, sessions, the clock, the rate limiter, the log writer, and
the seam that pushes a customer's changed service to the routers once a request has committed."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import BackgroundTasks, Depends, Request
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from api.config import RATES, ApiSettings, RateTable
from api.ratelimit import RateLimiter
from api.requestlog import RequestLogWriter
from api.schemas.common import Id
from store.types import utcnow

log = logging.getLogger(__name__)
Pusher = Callable[[Sequence[int], datetime], None]


@dataclass
class Runtime:
    """Shared per-app state, reached from requests as ``request.app.state.runtime``.

    ``secret`` signs tokens and cookies: ``ISPNOC_SECRET_KEY``, or the key the store keeps for itself.
    ``pusher`` (wired by ispnoc; None leaves changes to the next suspension run) applies the
    given customers' pending router changes and records the outcome in a transaction of its own.
    """

    settings: ApiSettings
    sessions: sessionmaker[Session]
    limiter: RateLimiter
    request_log: RequestLogWriter
    secret: SecretStr
    rates: RateTable = RATES
    clock: Callable[[], datetime] = field(default=utcnow)
    pusher: Pusher | None = None

    @property
    def key(self) -> str:
        """The signing key in clear (for the token functions; never log it)."""
        return self.secret.get_secret_value()

    def enforce_now(self, customer_ids: Iterable[int]) -> None:
        """Push these customers to their routers now; a failure stays pending for the next run."""
        ids = sorted(set(customer_ids))
        if self.pusher is None or not ids:
            return
        try:
            self.pusher(ids, self.clock())
        except Exception:  # a background task has no caller to tell: the next run retries
            log.exception("pushing customers %s to their routers failed", ids)


@dataclass
class Push:
    """A request's router pushes, run as background tasks: after its transaction commits."""

    runtime: Runtime
    tasks: BackgroundTasks

    def after_commit(self, *customer_ids: int | None) -> None:
        ids = [cid for cid in customer_ids if cid is not None]
        if ids and self.runtime.pusher is not None:
            self.tasks.add_task(self.runtime.enforce_now, ids)


async def get_push(request: Request, tasks: BackgroundTasks) -> Push:
    return Push(request.app.state.runtime, tasks)


PushDep = Annotated[Push, Depends(get_push)]


async def push_path_customer(customer_id: Id, push: PushDep) -> None:
    """A route dependency: push the path's customer after the request commits."""
    push.after_commit(customer_id)
