"""Which RouterEnforcer a run uses: the MikroTik one, reaching each customer's router as the device
inventory (the ``devices`` table) describes it; and the API's push of one payment's reactivation."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from billing.enforcement import apply_pending
from billing.enums import EnforcementStyle
from collectors.enums import DeviceKind
from collectors.mikrotik_enforcer import MikrotikEnforcer, RouterAccess
from collectors.models import Device
from ispnoc.settings import Settings
from ispnoc.vault import reveal
from ispnoc.wiring import Store
from store.db import session_scope

API_PORT = 8728
PUSH_TIMEOUT = 5.0  # seconds a payment's push waits for a router before leaving it to the next run


def payment_page(settings: Settings) -> tuple[str, int] | None:
    """The payment page as (IP address, port) for the routers' redirect rule, if one is configured."""
    if not settings.payment_page_url:
        return None
    url = urlsplit(settings.payment_page_url)
    host = url.hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError as exc:
        raise ValueError(f"ISPNOC_PAYMENT_PAGE_URL needs an IP address host, not {host!r}") from exc
    return host, url.port or (443 if url.scheme == "https" else 80)


@dataclass
class RouterDirectory:
    """Router access by device id (what ``customers.router_id`` points at), read when first asked."""

    settings: Settings
    sessions: sessionmaker[Session]
    timeout: float = 10.0
    _cache: dict[int, RouterAccess | None] = field(default_factory=dict)
    _page: tuple[str, int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._page = payment_page(self.settings)  # a bad setting fails the run at its start

    def __call__(self, router_id: int) -> RouterAccess | None:
        if router_id not in self._cache:
            with session_scope(self.sessions) as session:
                device = session.get(Device, router_id)
                self._cache[router_id] = self._access(device) if device is not None else None
        return self._cache[router_id]

    def _access(self, r: Device) -> RouterAccess | None:
        if r.kind != DeviceKind.ROUTER or not r.enabled:
            return None
        s = self.settings
        return RouterAccess(
            host=r.host, port=r.api_port or API_PORT, username=r.username or "admin",
            password=reveal(s, r.password_enc), style=EnforcementStyle(r.enforcement or s.enforcement_style),
            address_list=s.address_list_name, suspended_profile=s.suspended_profile, timeout=self.timeout,
            payment_page=self._page,
        )


def enforcer_for(settings: Settings, sessions: sessionmaker[Session], *,
                 timeout: float = 10.0) -> MikrotikEnforcer:
    """A MikroTik enforcer over the device inventory (one run's connections: close it afterwards)."""
    directory = RouterDirectory(settings, sessions, timeout)
    return MikrotikEnforcer(directory, comment=settings.enforcement_comment)


def mikrotik_enforcer(store: Store) -> MikrotikEnforcer:
    """The enforcer for real runs."""
    return enforcer_for(store.settings, store.sessions)


@dataclass(frozen=True)
class PushNow:
    """Puts some customers' pending changes on their routers at once, in a transaction of its own."""

    settings: Settings
    sessions: sessionmaker[Session]
    timeout: float = PUSH_TIMEOUT

    def __call__(self, customer_ids: Sequence[int], now: datetime) -> None:
        enforcer = enforcer_for(self.settings, self.sessions, timeout=self.timeout)
        try:
            with session_scope(self.sessions) as session:
                apply_pending(session, enforcer, now=now, customer_ids=customer_ids)
        finally:
            enforcer.close()


def wire_push(app: FastAPI, settings: Settings, *, timeout: float = PUSH_TIMEOUT) -> FastAPI:
    """Let the app's payment and action routes push their customers to the routers after commit."""
    runtime = app.state.runtime
    runtime.pusher = PushNow(settings, runtime.sessions, timeout)
    return app
