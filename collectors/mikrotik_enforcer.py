"""Suspension on MikroTik routers through the RouterOS API (librouteros): the billing layer's
``RouterEnforcer``, one API connection per router per run.

Two styles (per package, else per router): profile swap — the PPP secret or hotspot user moves to
the suspended profile (a static ``remote-address`` is dropped, and restored on reactivation) and
the live session is kicked so it comes back limited; address list — the customer's address goes on
the suspension list, with a comment naming ispnoc and the customer, and only entries carrying that
comment are ever removed. Router errors become ``EnforcementError`` with no credential in them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import librouteros
from librouteros.exceptions import LibRouterosError
from librouteros.query import Key

from billing.enforcement import EnforcementError, Subscriber
from billing.enums import EnforcementStyle

COMMENT = "ispnoc"


@dataclass(frozen=True)
class RouterAccess:
    """How to reach one router's API, and its defaults."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    style: EnforcementStyle = EnforcementStyle.PROFILE_SWAP
    address_list: str = "ispnoc-suspended"
    suspended_profile: str = "suspended"
    timeout: float = 10.0


Resolver = Callable[[int], RouterAccess | None]


class MikrotikEnforcer:
    """Applies suspensions on the subscribers' routers; call ``close()`` when the run is over."""

    def __init__(self, resolve: Resolver, *, comment: str = COMMENT) -> None:
        self._resolve = resolve
        self._comment = comment
        self._apis: dict[int, Any] = {}

    def suspend(self, sub: Subscriber) -> None:
        self._apply(sub, suspend=True)

    def reactivate(self, sub: Subscriber) -> None:
        self._apply(sub, suspend=False)

    def close(self) -> None:
        """Close every router connection opened by this enforcer."""
        for api in self._apis.values():
            try:
                api.close()
            except (OSError, LibRouterosError):
                pass
        self._apis.clear()

    def _apply(self, sub: Subscriber, *, suspend: bool) -> None:
        if sub.router_id is None:
            raise EnforcementError(f"customer {sub.customer_id} has no router")
        access = self._resolve(sub.router_id)
        if access is None:
            raise EnforcementError(f"router {sub.router_id} is not in the inventory")
        try:
            api = self._api(sub.router_id, access)
            if (sub.style or access.style) == EnforcementStyle.ADDRESS_LIST:
                self._address_list(api, access, sub, suspend=suspend)
            else:
                self._profile(api, access, sub, suspend=suspend)
        except (OSError, LibRouterosError) as exc:
            self._apis.pop(sub.router_id, None)
            raise EnforcementError(f"router {sub.router_id} ({access.host}): {type(exc).__name__}: "
                                   f"{_clean(exc, access)}") from exc

    def _api(self, router_id: int, access: RouterAccess) -> Any:
        if router_id not in self._apis:
            self._apis[router_id] = librouteros.connect(
                access.host, access.username, access.password, port=access.port, timeout=access.timeout)
        return self._apis[router_id]

    def _profile(self, api: Any, access: RouterAccess, sub: Subscriber, *, suspend: bool) -> None:
        if not sub.username:
            raise EnforcementError(f"customer {sub.customer_id} has no PPP or hotspot username")
        hotspot = sub.connection_type == "hotspot"
        accounts = api.path("ip", "hotspot", "user") if hotspot else api.path("ppp", "secret")
        rows = list(accounts.select(".id", "name").where(Key("name") == sub.username))
        if not rows:
            raise EnforcementError(f"no {'hotspot user' if hotspot else 'PPP secret'} {sub.username!r} "
                                   f"on router {sub.router_id}")
        profile = (sub.suspended_profile or access.suspended_profile) if suspend else sub.active_profile
        changes: dict[str, Any] = {".id": rows[0][".id"]}
        if profile:
            changes["profile"] = profile
        if not hotspot and sub.static_ip:
            changes["remote-address"] = "0.0.0.0" if suspend else sub.static_ip
        accounts.update(**changes)
        self._kick(api, sub.username, hotspot=hotspot)

    def _kick(self, api: Any, username: str, *, hotspot: bool) -> None:
        """End the live session so the subscriber reconnects under the new profile."""
        active = api.path("ip", "hotspot", "active") if hotspot else api.path("ppp", "active")
        key = Key("user") if hotspot else Key("name")
        ids = [row[".id"] for row in active.select(".id").where(key == username)]
        if ids:
            active.remove(*ids)

    def _address_list(self, api: Any, access: RouterAccess, sub: Subscriber, *, suspend: bool) -> None:
        address = sub.static_ip or self._session_address(api, sub)
        entries = api.path("ip", "firewall", "address-list")
        tag = f"{self._comment}:{sub.customer_id}"
        listed = entries.select(".id", "comment").where(Key("list") == access.address_list)
        ours = [row[".id"] for row in listed if row.get("comment") == tag]
        if suspend and not ours:
            if address is None:
                raise EnforcementError(f"customer {sub.customer_id} has no known address to list")
            entries.add(list=access.address_list, address=address, comment=tag)
        if not suspend and ours:
            entries.remove(*ours)

    def _session_address(self, api: Any, sub: Subscriber) -> str | None:
        if not sub.username:
            return None
        hotspot = sub.connection_type == "hotspot"
        active = api.path("ip", "hotspot", "active") if hotspot else api.path("ppp", "active")
        key = Key("user") if hotspot else Key("name")
        rows = list(active.select("address").where(key == sub.username))
        return str(rows[0]["address"]) if rows else None


def _clean(exc: BaseException, access: RouterAccess) -> str:
    """The error text with the router's password taken out, should a library ever echo it."""
    return str(exc).replace(access.password, "***") if access.password else str(exc)
