"""A small ISP on simulated RouterOS routers for enforcement tests: devices in the store, customers
bound to the routers' own PPPoE and hotspot subscribers, overdue bills, and what the routers show."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from billing.enums import EnforcementStyle, ServiceType
from billing.models import Operator, Package
from billing.policy import SuspensionPolicy
from collectors.enums import DeviceKind, Vendor
from collectors.models import Device
from device_fixtures.routeros.server import RouterEndpoint
from device_fixtures.routeros.state import RouterState, Subscriber, SubscriberKind
from ispnoc.settings import Settings
from store.db import session_scope
from tests import factories as f

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
POLICY = SuspensionPolicy(grace_days=3)
PAGE = ("10.9.9.9", 8080)


def settings(**kw: Any) -> Settings:
    values: dict[str, Any] = dict(database_url="sqlite://", secret_key=SecretStr("k" * 40),
                                  payment_page_url=f"http://{PAGE[0]}:{PAGE[1]}/pay")
    return Settings(**(values | kw))




def pick(state: RouterState, kind: SubscriberKind, *, static: bool | None = None, online: bool | None = None,
         skip: int = 0) -> Subscriber:
    """The ``skip``-th subscriber of a router matching the wishes."""
    found = [s for s in state.subscribers.values() if s.kind is kind
             and (static is None or bool(s.address) == static)
             and (online is None or (s.session is not None) == online)]
    return found[skip]


@dataclass
class Isp:
    """Routers as devices, customers as (router, subscriber), all committed."""

    sessions: sessionmaker[Session]
    devices: dict[str, int] = field(default_factory=dict)
    customers: dict[int, tuple[RouterState, Subscriber]] = field(default_factory=dict)
    _op: int | None = None
    _plans: dict[tuple[str, str, EnforcementStyle | None], int] = field(default_factory=dict)

    def router(self, endpoint: RouterEndpoint, enforcement: str | None = None) -> int:
        """Put a served router in the inventory (admin/admin)."""
        with session_scope(self.sessions) as s:
            device = Device(name=endpoint.name, kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK,
                            host=endpoint.host, api_port=endpoint.port, username="admin",
                            password_enc="admin", enabled=True, enforcement=enforcement, created_at=NOW)
            s.add(device)
            s.flush()
            self.devices[endpoint.name] = device.id
            return device.id

    def customer(self, state: RouterState, sub: Subscriber, *, late: bool = True,
                 style: EnforcementStyle | None = None) -> int:
        """A customer served by ``sub`` on ``state``'s router; ``late``: a bill past due and grace."""
        with session_scope(self.sessions) as s:
            if self._op is None:
                self._op = f.operator(s).id
            op = s.get(Operator, self._op)
            assert op is not None
            pkg = self._package(s, sub, style)
            cust = f.customer(s, op, pkg, router_id=self.devices[state.name], username=sub.name,
                              static_ip=sub.address or None, connection_type=ServiceType(sub.kind.value))
            if late:
                f.bill(s, cust, due=date(2026, 5, 1))
            self.customers[cust.id] = (state, sub)
            return cust.id

    def _package(self, s: Session, sub: Subscriber, style: EnforcementStyle | None) -> Package:
        key = (sub.profile, sub.kind.value, style)
        if key not in self._plans:
            kind = ServiceType(sub.kind.value)
            plan = f.package(s, router_profile=sub.profile, service_type=kind, enforcement=style)
            self._plans[key] = plan.id
        pkg = s.get(Package, self._plans[key])
        assert pkg is not None
        return pkg


def account(state: RouterState, sub: Subscriber) -> dict[str, str]:
    """The subscriber's PPP secret or hotspot user as the router holds it now."""
    menu = "/ppp/secret" if sub.kind is SubscriberKind.PPPOE else "/ip/hotspot/user"
    with state.lock:
        return dict(next(r for r in state.menus[menu] if r.get("name") == sub.name))


def online(state: RouterState, sub: Subscriber) -> bool:
    pppoe = sub.kind is SubscriberKind.PPPOE
    menu, key = ("/ppp/active", "name") if pppoe else ("/ip/hotspot/active", "user")
    with state.lock:
        return any(r.get(key) == sub.name for r in state.menus[menu])


def writes(state: RouterState) -> dict[str, int]:
    """The commands that change something, as counted by the router."""
    with state.lock:
        return {cmd: n for cmd, n in state.commands.items()
                if cmd.rsplit("/", 1)[-1] in ("add", "set", "remove")}


def rows(state: RouterState, menu: str, **match: str) -> list[dict[str, str]]:
    with state.lock:
        return [dict(r) for r in state.menus[menu] if all(r.get(k) == v for k, v in match.items())]
