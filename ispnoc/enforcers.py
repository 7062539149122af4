"""Which RouterEnforcer a run uses: the MikroTik one, reaching each customer's router as the device
inventory (the ``devices`` table) describes it."""

from __future__ import annotations

from sqlalchemy import select

from billing.enums import EnforcementStyle
from collectors.enums import DeviceKind
from collectors.mikrotik_enforcer import MikrotikEnforcer, RouterAccess
from collectors.models import Device
from ispnoc.vault import reveal
from ispnoc.wiring import Store
from store.db import session_scope

API_PORT = 8728


def router_directory(store: Store) -> dict[int, RouterAccess]:
    """Every enabled router in the inventory, by device id (what ``customers.router_id`` points at)."""
    settings = store.settings
    with session_scope(store.sessions) as session:
        routers = session.scalars(select(Device).where(Device.kind == DeviceKind.ROUTER,
                                                       Device.enabled.is_(True))).all()
        return {
            r.id: RouterAccess(
                host=r.host, port=r.api_port or API_PORT, username=r.username or "admin",
                password=reveal(settings, r.password_enc),
                style=EnforcementStyle(r.enforcement) if r.enforcement else EnforcementStyle.PROFILE_SWAP,
                address_list=settings.address_list_name, suspended_profile=settings.suspended_profile,
            )
            for r in routers
        }


def mikrotik_enforcer(store: Store) -> MikrotikEnforcer:
    """The enforcer for real runs, over the routers known when the run starts."""
    directory = router_directory(store)
    return MikrotikEnforcer(directory.get, comment=store.settings.enforcement_comment)
