"""Which RouterEnforcer a run uses: the MikroTik one, reaching each customer's router as the device
inventory (the ``devices`` table) describes it. Stored passwords are Fernet-encrypted with
``ISPNOC_CREDENTIALS_KEY`` when it is set."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from billing.enums import EnforcementStyle
from collectors.enums import DeviceKind
from collectors.mikrotik_enforcer import MikrotikEnforcer, RouterAccess
from collectors.models import Device
from ispnoc.settings import Settings
from ispnoc.wiring import Store
from store.db import session_scope

API_PORT = 8728


def reveal(settings: Settings, stored: str | None) -> str:
    """A stored device secret in clear (decrypted when a credentials key is configured)."""
    if not stored:
        return ""
    key = settings.credentials_key
    if key is None:
        return stored
    try:
        return Fernet(key.get_secret_value().encode()).decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("a stored device secret does not match ISPNOC_CREDENTIALS_KEY") from exc


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
