"""Suspension on MikroTik routers through the RouterOS API (librouteros): the billing layer's
``RouterEnforcer`` and ``RouterReader``, one API connection per router per run.

Two styles (per package, else per router, else the configured default): profile swap — the PPP
secret or hotspot user moves to the suspended profile (a static ``remote-address`` is dropped, and
restored on reactivation) and the live session is kicked so it comes back limited; address list —
the customer's address goes on the suspension list with the comment ``ispnoc:<customer id>``, and
ispnoc's own NAT rule redirects the list's web traffic to the payment page. A router that cannot
be reached costs one connect timeout per run: its other changes then fail at once with the same
reason. Router errors become ``EnforcementError`` with no credential in them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

import librouteros
from librouteros.exceptions import LibRouterosError, TrapError

from billing.enforcement import Change, EnforcementError, Observed, Subscriber
from billing.enums import EnforcementStyle, ServiceState
from collectors.enforcement_routeros import RouterAccess, RouterView

COMMENT = "ispnoc"
SUSPENDED, ENABLED = ServiceState.SUSPENDED, ServiceState.ENABLED
MENUS = {False: "/ppp/secret", True: "/ip/hotspot/user"}

Resolver = Callable[[int], RouterAccess | None]

__all__ = ["COMMENT", "MikrotikEnforcer", "Resolver", "RouterAccess"]


class MikrotikEnforcer:
    """Applies and reads suspensions on the subscribers' routers; ``close()`` when the run is over."""

    def __init__(self, resolve: Resolver, *, comment: str = COMMENT) -> None:
        self._resolve = resolve
        self._comment = comment
        self._views: dict[int, RouterView] = {}
        self._down: dict[int, str] = {}

    def apply(self, router_id: int | None, changes: Sequence[Change]) -> dict[int, str]:
        """Every change for one router on its one connection; the failures by customer id."""
        if router_id is None:
            return {c.subscriber.customer_id: f"customer {c.subscriber.customer_id} has no router"
                    for c in changes}
        view = self._view(router_id)
        try:
            swaps = [c for c in changes if _style(c.subscriber, view) is EnforcementStyle.PROFILE_SWAP]
            lists = [c for c in changes if _style(c.subscriber, view) is EnforcementStyle.ADDRESS_LIST]
            return _apply_swaps(view, swaps) | (_apply_lists(view, lists) if lists else {})
        except (OSError, LibRouterosError) as exc:
            raise self._lost(router_id, view.access, exc) from exc

    def observe(self, router_id: int, subscribers: Sequence[Subscriber]) -> list[Observed]:
        """What the router applies for each subscriber it has (one print per menu)."""
        view = self._view(router_id)
        try:
            return _observe(view, subscribers)
        except (OSError, LibRouterosError) as exc:
            raise self._lost(router_id, view.access, exc) from exc

    def suspend(self, sub: Subscriber) -> None:
        """One customer alone (raises EnforcementError when it fails)."""
        self._one(Change(sub, SUSPENDED))

    def reactivate(self, sub: Subscriber) -> None:
        """One customer alone (raises EnforcementError when it fails)."""
        self._one(Change(sub, ENABLED))

    def close(self) -> None:
        """Close every router connection opened by this enforcer."""
        for view in self._views.values():
            _close(view.api)
        self._views.clear()

    def _one(self, change: Change) -> None:
        failures = self.apply(change.subscriber.router_id, [change])
        if failures:
            raise EnforcementError(next(iter(failures.values())))

    def _view(self, router_id: int) -> RouterView:
        """The run's connection to a router; a router already found down fails at once."""
        if router_id in self._down:
            raise EnforcementError(self._down[router_id])
        if router_id in self._views:
            return self._views[router_id]
        access = self._resolve(router_id)
        if access is None:
            raise EnforcementError(f"router {router_id} is not in the inventory")
        try:
            api = librouteros.connect(access.host, access.username, access.password, port=access.port,
                                      timeout=access.timeout)
        except (OSError, LibRouterosError) as exc:
            raise self._lost(router_id, access, exc) from exc
        self._views[router_id] = RouterView(api, access, self._comment)
        return self._views[router_id]

    def _lost(self, router_id: int, access: RouterAccess, exc: BaseException) -> EnforcementError:
        """Forget the connection and remember the reason for the rest of the run."""
        view = self._views.pop(router_id, None)
        if view is not None:
            _close(view.api)
        reason = f"router {router_id} ({access.host}): {type(exc).__name__}: {_clean(exc, access)}"
        self._down[router_id] = reason
        return EnforcementError(reason)


def _style(sub: Subscriber, view: RouterView) -> EnforcementStyle:
    return sub.style or view.access.style


def _hotspot(sub: Subscriber) -> bool:
    return sub.connection_type == "hotspot"


def swap_values(sub: Subscriber, access: RouterAccess, *, suspend: bool) -> dict[str, str]:
    """What a profile swap sets on the customer's secret or hotspot user."""
    profile = (sub.suspended_profile or access.suspended_profile) if suspend else sub.active_profile
    values = {"profile": profile} if profile else {}
    if not _hotspot(sub) and sub.static_ip:
        values["remote-address"] = "0.0.0.0" if suspend else sub.static_ip
    return values


def _apply_swaps(view: RouterView, changes: Sequence[Change]) -> dict[int, str]:
    failures: dict[int, str] = {}
    for hotspot in (False, True):
        group = [c for c in changes if _hotspot(c.subscriber) is hotspot]
        if group:
            failures |= _swap_group(view, hotspot, group)
    return failures


def _swap_group(view: RouterView, hotspot: bool, group: Sequence[Change]) -> dict[int, str]:
    """One ``set`` per distinct change, then one kick, for one menu of one router."""
    failures: dict[int, str] = {}
    rows = view.accounts(hotspot, [c.subscriber.username for c in group if c.subscriber.username])
    batches: dict[tuple[tuple[str, str], ...], list[tuple[int, str, str]]] = defaultdict(list)
    for change in group:
        sub = change.subscriber
        row = rows.get(sub.username or "")
        if row is None:
            failures[sub.customer_id] = _missing(sub, hotspot)
            continue
        values = swap_values(sub, view.access, suspend=change.desired == SUSPENDED)
        todo = {k: v for k, v in values.items() if str(row.get(k, "")) != v}
        if todo:  # a retry of a change the router already has writes nothing
            batches[tuple(sorted(todo.items()))].append((sub.customer_id, str(row[".id"]), str(sub.username)))
    kicked: list[str] = []
    for pairs, targets in batches.items():
        refused = view.set_accounts(hotspot, dict(pairs), [item for _, item, _ in targets])
        for cid, item, name in targets:
            if item in refused:
                failures[cid] = f"router {view.access.host} refused {name!r}: {refused[item]}"
            else:
                kicked.append(name)
    view.kick(hotspot, kicked)
    return failures


def _missing(sub: Subscriber, hotspot: bool) -> str:
    if not sub.username:
        return f"customer {sub.customer_id} has no PPP or hotspot username"
    kind = "hotspot user" if hotspot else "PPP secret"
    return f"no {kind} {sub.username!r} on router {sub.router_id}"


def _apply_lists(view: RouterView, changes: Sequence[Change]) -> dict[int, str]:
    """Entries added for the newly suspended, the reactivated ones' own entries removed."""
    try:
        view.ensure_redirect()
    except TrapError as exc:
        return {c.subscriber.customer_id: f"payment page redirect refused: {exc}" for c in changes}
    listed = view.listed()
    adds = [c.subscriber for c in changes if c.desired == SUSPENDED and view.tag(c.subscriber.customer_id)
            not in listed]
    failures: dict[int, str] = {}
    addresses = _addresses(view, [s for s in adds if not s.static_ip])
    for sub in adds:
        address = sub.static_ip or addresses.get(sub.customer_id)
        if not address:
            failures[sub.customer_id] = f"customer {sub.customer_id} has no known address to list"
            continue
        try:
            view.add_listed(sub.customer_id, address)
        except TrapError as exc:
            failures[sub.customer_id] = f"router {view.access.host} refused {address}: {exc}"
    back = [c.subscriber.customer_id for c in changes if c.desired == ENABLED]
    try:
        view.remove_listed(back)
    except TrapError as exc:
        failures |= {cid: f"router {view.access.host} refused the removal: {exc}" for cid in back}
    return failures


def _addresses(view: RouterView, subs: Sequence[Subscriber]) -> dict[int, str]:
    """The live session address of each customer without a static one (one print per menu)."""
    found: dict[int, str] = {}
    for hotspot in (False, True):
        group = [s for s in subs if _hotspot(s) is hotspot and s.username]
        sessions = view.sessions(hotspot, [str(s.username) for s in group])
        for sub in group:
            rows = sessions.get(str(sub.username))
            if rows and rows[0].get("address"):
                found[sub.customer_id] = str(rows[0]["address"])
    return found


def _observe(view: RouterView, subscribers: Sequence[Subscriber]) -> list[Observed]:
    out: list[Observed] = []
    swaps = [s for s in subscribers if _style(s, view) is EnforcementStyle.PROFILE_SWAP and s.username]
    for hotspot in (False, True):
        group = [s for s in swaps if _hotspot(s) is hotspot]
        rows = view.accounts(hotspot, [str(s.username) for s in group]) if group else {}
        for sub in group:
            row = rows.get(str(sub.username))
            if row is not None:
                profile = str(row.get("profile", ""))
                cut = sub.suspended_profile or view.access.suspended_profile
                out.append(Observed(sub.customer_id, SUSPENDED if profile == cut else ENABLED,
                                    f"{MENUS[hotspot]} {sub.username!r} on profile {profile!r}"))
    lists = [s for s in subscribers if _style(s, view) is EnforcementStyle.ADDRESS_LIST]
    listed = view.listed() if lists else {}
    name = view.access.address_list
    for sub in lists:
        on = view.tag(sub.customer_id) in listed
        out.append(Observed(sub.customer_id, SUSPENDED if on else ENABLED,
                            f"{'on' if on else 'not on'} address list {name!r}"))
    return out


def _close(api: object) -> None:
    try:
        api.close()  # type: ignore[attr-defined]
    except (OSError, LibRouterosError):
        pass


def _clean(exc: BaseException, access: RouterAccess) -> str:
    """The error text with the router's password taken out, should a library ever echo it."""
    return str(exc).replace(access.password, "***") if access.password else str(exc)
