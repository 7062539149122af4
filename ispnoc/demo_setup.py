"""The live demo's store: the simulated network's inventory imported, one customer per simulated
subscriber (fiber ones with the simulated ONUs' serials), two months of bills through the billing
services, an admin who can log in to the dashboard, a v2 API client and a webhook endpoint."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from api.clients import ClientCreate, create_client
from api.webhooks import WebhookCreate, create_webhook
from billing.staff import StaffCreate, create_staff_user
from collectors.inventory import import_inventory
from collectors.models import Device
from ispnoc.demo_data import Binding, DemoIsp, build_demo_isp
from ispnoc.vault import seal
from ispnoc.wiring import Store
from store.db import session_scope

ADMIN_EMAIL = "admin@demo.ispnoc"
WEBHOOK_EVENTS = ("customer.suspended", "customer.activated", "payment.received", "bill.generated")


@dataclass(frozen=True)
class DemoAccess:
    """What the demo prints once: where to log in and with what (shown only on the console)."""

    admin_email: str
    admin_password: str = field(repr=False)
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)


def bindings(inventory: Mapping[str, Any], router_ids: Mapping[str, int]) -> list[Binding]:
    """One binding per simulated subscriber; the first PPPoE subscribers get the ONUs' serials."""
    serials = [str(onu["serial"]) for onu in inventory.get("onus", [])]
    out: list[Binding] = []
    for sub in inventory.get("subscribers", []):
        service = "hotspot" if sub.get("service") == "hotspot" else "pppoe"
        serial = serials.pop(0) if service == "pppoe" and serials and not sub.get("static_ip") else None
        out.append(Binding(username=sub["username"], secret=sub["password"],
                           router_id=router_ids[sub["router"]], service=service,
                           static_ip=sub.get("static_ip") or None, onu_serial=serial))
    return out


def import_network(store: Store, inventory: Mapping[str, Any], *, now: datetime) -> dict[str, int]:
    """Load the inventory into the devices table; the routers' ids by name."""
    with session_scope(store.sessions) as session:
        import_inventory(session, inventory, seal=lambda text: seal(store.settings, text), now=now)
        rows = session.execute(select(Device.name, Device.id).where(Device.kind == "router")).all()
    return {name: device_id for name, device_id in rows}


def build_customers(store: Store, inventory: Mapping[str, Any], *, now: datetime,
                    router_ids: Mapping[str, int]) -> DemoIsp:
    """Customers matched to the simulated subscribers, billed over two months."""
    bound: Sequence[Binding] = bindings(inventory, router_ids)
    return build_demo_isp(store.sessions, now=now, customers_n=len(bound),
                          due_days=store.settings.bill_due_days, bindings=bound)


def grant_access(store: Store, *, now: datetime, webhook_url: str | None) -> DemoAccess:
    """An admin staff user, a v2 admin client and (when given) a webhook endpoint, in one transaction."""
    password = secrets.token_urlsafe(9)
    key = store.signing_key()
    with session_scope(store.sessions) as session:
        create_staff_user(session, data=StaffCreate(email=ADMIN_EMAIL, name="Demo Admin", password=password,
                                                    role="admin"), now=now)
        creds = create_client(session, ClientCreate(name="demo integrator", role="admin"),
                              key=key.get_secret_value(), now=now)
        hook = None
        if webhook_url:
            wanted = WebhookCreate(url=webhook_url, events=WEBHOOK_EVENTS,
                                   allow_private=store.settings.webhook_allow_private)
            hook = create_webhook(session, wanted, key=store.settings.credentials_key, now=now)
    return DemoAccess(admin_email=ADMIN_EMAIL, admin_password=password, client_id=creds.client.client_id,
                      client_secret=creds.client_secret or "", webhook_secret=hook.secret if hook else "")
