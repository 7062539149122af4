"""What the live demo does on its own while it runs: once the collectors have seen the network, an
auto-suspension run cuts the overdue customers off on the simulated routers; a little later one
of them pays through the v2 API (as a payment gateway's integration would) and is reactivated on
the router within seconds. Each step is read back from the router itself, not from the store."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import librouteros
from librouteros.query import Key
from sqlalchemy import func, select

from billing.ledger import outstanding
from billing.models import Customer, SuspensionLog
from collectors.models import CollectionRun, Device
from ispnoc.vault import reveal
from ispnoc.wiring import Store
from store.db import session_scope

Say = Callable[[str], None]


@dataclass(frozen=True)
class RouterView:
    """A customer's account as the router itself shows it."""

    router: str
    username: str
    profile: str | None
    online: bool


def router_view(store: Store, customer_id: int) -> RouterView | None:
    """Read the customer's PPP secret or hotspot user (and live session) off their router."""
    with session_scope(store.sessions) as session:
        customer = session.get(Customer, customer_id)
        device = session.get(Device, customer.router_id) if customer and customer.router_id else None
        if customer is None or device is None or not customer.username:
            return None
        hotspot = customer.connection_type.value == "hotspot"
        username, host, port = customer.username, device.host, device.api_port or 8728
        user, name = device.username or "admin", device.name
        password = reveal(store.settings, device.password_enc)
    api = librouteros.connect(host, user, password, port=port, timeout=5)
    try:
        accounts = api.path("ip", "hotspot", "user") if hotspot else api.path("ppp", "secret")
        rows = list(accounts.select("profile").where(Key("name") == username))
        active = api.path("ip", "hotspot", "active") if hotspot else api.path("ppp", "active")
        key = Key("user") if hotspot else Key("name")
        online = bool(list(active.select(".id").where(key == username)))
    finally:
        api.close()
    return RouterView(name, username, str(rows[0].get("profile")) if rows else None, online)


def collected(store: Store) -> int:
    """How many collection cycles have finished so far."""
    with session_scope(store.sessions) as session:
        return int(session.scalar(select(func.count(CollectionRun.id))
                                  .where(CollectionRun.finished_at.is_not(None))) or 0)


def suspended_for_debt(store: Store, limit: int = 5) -> list[tuple[int, str, Decimal]]:
    """Customers the runs suspended for an overdue bill and still suspended: id, name, amount owed."""
    with session_scope(store.sessions) as session:
        ids = session.scalars(select(SuspensionLog.customer_id).where(SuspensionLog.reason == "overdue")
                              .order_by(SuspensionLog.id)).all()
        out: list[tuple[int, str, Decimal]] = []
        for customer_id in dict.fromkeys(ids):
            customer = session.get(Customer, customer_id)
            if customer is not None and customer.status.value == "suspended" and customer.router_id:
                out.append((customer_id, customer.name, outstanding(session, customer_id)))
            if len(out) >= limit:
                break
        return out


def pay_through_api(base_url: str, client_id: str, client_secret: str, *, customer_id: int,
                    amount: Decimal) -> dict[str, Any]:
    """Record a payment as an integrator would: a v2 token, then POST /api/v2/billing/payments."""
    with httpx.Client(base_url=base_url, timeout=15) as http:
        token = http.post("/api/v2/auth/token", json={"client_id": client_id, "client_secret": client_secret})
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}",
                   "Idempotency-Key": f"demo-payment-{customer_id}"}
        body = {"customer_id": customer_id, "amount": str(amount), "payment_method": "bkash",
                "reference": f"DEMO-BK-{customer_id}", "transaction_id": f"BK{customer_id:08d}"}
        reply = http.post("/api/v2/billing/payments", json=body, headers=headers)
        reply.raise_for_status()
        data: dict[str, Any] = reply.json()["data"]
        return data


class Story:
    """The demo's steps, advanced by ``step()`` once a second from the demo's main loop."""

    def __init__(self, store: Store, base_url: str, access: Any, *, say: Say, pay_after_s: float = 20.0,
                 wait_cycles: int = 3) -> None:
        self.store, self.base_url, self.access, self.say = store, base_url, access, say
        self.pay_after_s, self.wait_cycles = pay_after_s, wait_cycles
        self.started = time.monotonic()
        self.state = "collecting"
        self.marked = 0.0
        self.payer: tuple[int, str, Decimal] | None = None

    def step(self) -> None:
        """Advance the story by at most one step; a failure is told and ends the story."""
        try:
            if self.state == "collecting":
                self._suspend_when_collected()
            elif self.state == "suspended":
                self._pay_when_due()
            elif self.state == "paid":
                self._watch_reactivation()
        except Exception as exc:  # the demo goes on showing the network whatever happened here
            self.say(f"[red]demo story stopped:[/] {type(exc).__name__}: {exc}")
            self.state = "done"

    def _suspend_when_collected(self) -> None:
        if collected(self.store) < self.wait_cycles and time.monotonic() - self.started < 45:
            return
        from scheduler import jobs

        summary = jobs.suspension() or {}
        self.say(f"[bold]Auto-suspension run[/]: {summary.get('suspended', 0)} suspended, "
                 f"{summary.get('applied', 0)} changes applied on the routers, "
                 f"{summary.get('failed', 0)} failed")
        owing = suspended_for_debt(self.store)
        for customer_id, name, due in owing[:3]:
            self._show_router(customer_id, f"  {name} (owes {due:,.2f})")
        self.payer = owing[0] if owing else None
        self.state, self.marked = ("suspended" if self.payer else "done"), time.monotonic()

    def _pay_when_due(self) -> None:
        if self.payer is None or time.monotonic() - self.marked < self.pay_after_s:
            return
        customer_id, name, due = self.payer
        paid = pay_through_api(self.base_url, self.access.client_id, self.access.client_secret,
                               customer_id=customer_id, amount=due)
        self.say(f"[bold]A payment arrives[/]: {name} pays {due:,.2f} by bKash through "
                 f"POST /api/v2/billing/payments (payment {paid.get('id')})")
        self.state, self.marked = "paid", time.monotonic()

    def _watch_reactivation(self) -> None:
        assert self.payer is not None
        view = router_view(self.store, self.payer[0])
        waited = time.monotonic() - self.marked
        if view is not None and view.profile != self.store.settings.suspended_profile:
            self._show_router(self.payer[0], f"  reactivated {waited:.1f} s after paying:")
            self.state = "done"
        elif waited > 60:
            self.say("[yellow]the router has not taken the reactivation yet; the next run retries[/]")
            self.state = "done"

    def _show_router(self, customer_id: int, label: str) -> None:
        view = router_view(self.store, customer_id)
        if view is not None:
            live = "online" if view.online else "offline"
            self.say(f"{label} on {view.router}: {view.username} profile [bold]{view.profile}[/], {live}")
