"""What the live demo does on its own while it runs: once the collectors have seen the network, an
auto-suspension run cuts the overdue customers off on the simulated routers; a little later one
of them pays through the v2 API (as a payment gateway's integration would) and is reactivated on
the router within seconds. Each step is read back from the router itself, not from the store."""

from __future__ import annotations

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
