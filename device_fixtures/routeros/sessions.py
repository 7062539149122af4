"""Subscriber sessions on a simulated router: connect, disconnect, traffic, and the seeded tick.

A PPPoE subscriber authenticates against ``/ppp/secret``: unknown, disabled or wrong password
fails (logged ``authentication failed``). A secret on the suspended profile does connect, but
always gets its address from the suspended pool (its static ``remote-address`` is ignored) and
the suspended profile's rate limit: it never comes back as a normal session. Hotspot users work
the same against ``/ip/hotspot/user``. A live PPPoE session is a ``/ppp/active`` row plus a
dynamic ``<pppoe-NAME>`` interface and simple queue; a hotspot session an ``/ip/hotspot/active``
row. Removing the active row drops the session (and logs it).
"""

from __future__ import annotations

import ipaddress
import math
from typing import TYPE_CHECKING

from device_fixtures import syslog
from device_fixtures.routeros.menus import Row
from device_fixtures.routeros.state import Subscriber, SubscriberKind, duration

if TYPE_CHECKING:
    from device_fixtures.routeros.state import RouterState

ADMIN_ADDRESSES = ("10.0.0.5", "10.0.0.6", "192.168.88.10")
ADMIN_VIA = ("winbox", "ssh", "winbox", "web")
MEAN_ADMIN_VISIT_S = 2 * 3600.0
DROP_REASONS = ("peer is not responding", "link down", "hung up")
HOTSPOT_REASONS = ("keepalive timeout", "user request", "session timeout")


def _pool_range(state: RouterState, pool: str) -> tuple[int, int] | None:
    row = state.menus["/ip/pool"].find("name", pool)
    if row is None or "-" not in row.get("ranges", ""):
        return None
    first, last = row["ranges"].split(",")[0].split("-")
    return int(ipaddress.IPv4Address(first)), int(ipaddress.IPv4Address(last))


def allocate(state: RouterState, pool: str) -> str | None:
    """The lowest free address of a pool (None when the pool is unknown or full)."""
    bounds = _pool_range(state, pool)
    if bounds is None:
        return None
    used = state.leases.setdefault(pool, set())
    for value in range(bounds[0], bounds[1] + 1):
        if value not in used:
            used.add(value)
            return str(ipaddress.IPv4Address(value))
    return None


def release(state: RouterState, address: str) -> None:
    """Give an address back to whichever pool lent it."""
    try:
        value = int(ipaddress.IPv4Address(address))
    except ValueError:
        return
    for used in state.leases.values():
        used.discard(value)


def _account(state: RouterState, sub: Subscriber) -> Row | None:
    """The router's row that the subscriber logs in with, if it lets the subscriber in."""
    path = "/ppp/secret" if sub.kind is SubscriberKind.PPPOE else "/ip/hotspot/user"
    row = state.menus[path].find("name", sub.name)
    if row is None or row.get("disabled") == "true" or row.get("password") != sub.password:
        return None
    return row


def _address_for(state: RouterState, sub: Subscriber, account: Row) -> str | None:
    """Suspended profile: the suspended pool; else the static address, else the profile's pool."""
    if account.get("profile") == state.suspended_profile:
        return allocate(state, state.suspended_pool)
    static = account.get("remote-address" if sub.kind is SubscriberKind.PPPOE else "address", "")
    if static:
        return static
    if sub.kind is SubscriberKind.PPPOE:
        profile = state.menus["/ppp/profile"].find("name", account.get("profile", "")) or {}
        pool = profile.get("remote-address", "")
    else:
        profile = state.menus["/ip/hotspot/user/profile"].find("name", account.get("profile", "")) or {}
        pool = profile.get("address-pool", "none")
        pool = pool if pool != "none" else "hs-pool"
    if pool and pool[0].isdigit():
        return pool
    return allocate(state, pool)


def connect(state: RouterState, sub: Subscriber) -> bool:
    """Try to bring a subscriber online; logs success or failure as the router does."""
    if sub.session is not None:
        return True
    account = _account(state, sub)
    address = _address_for(state, sub, account) if account is not None else None
    if account is None or address is None:
        if sub.kind is SubscriberKind.PPPOE:
            state.log(syslog.PPP_ERROR, syslog.ppp_auth_failed(sub.mac, sub.name))
        else:
            reason = "invalid username or password" if account is None else "no more addresses"
            state.log(syslog.HOTSPOT, syslog.hotspot_login_failed(sub.name, sub.address or "0.0.0.0", reason))
        return False
    sub.connected_at, sub.bytes_in, sub.bytes_out = state.clock, 0, 0
    if sub.kind is SubscriberKind.PPPOE:
        _open_ppp(state, sub, account, address)
    else:
        _open_hotspot(state, sub, address)
    return True


def _rate_limit(state: RouterState, profile_name: str) -> str:
    profile = state.menus["/ppp/profile"].find("name", profile_name) or {}
    return profile.get("rate-limit", "") or "0/0"


def _open_ppp(state: RouterState, sub: Subscriber, account: Row, address: str) -> None:
    iface = f"<pppoe-{sub.name}>"
    active = state.menus["/ppp/active"]
    item = active.insert({
        "name": sub.name, "service": "pppoe", "caller-id": sub.mac, "address": address, "uptime": "0s",
        "encoding": "", "session-id": f"0x{0x81400000 + active.next_id:08X}", "limit-bytes-in": "0",
        "limit-bytes-out": "0", "radius": "false",
    })
    sub.session = active.rows[item]
    interfaces = state.menus["/interface"]
    sub.interface = interfaces.rows[interfaces.insert({
        "name": iface, "type": "pppoe-in", "mtu": "1480", "dynamic": "true", "running": "true",
        "disabled": "false", "comment": "", "rx-byte": "0", "tx-byte": "0", "rx-packet": "0",
        "tx-packet": "0",
    })]
    queues = state.menus["/queue/simple"]
    sub.queue = queues.rows[queues.insert({
        "name": iface, "target": iface, "max-limit": _rate_limit(state, account.get("profile", "")),
        "dynamic": "true", "disabled": "false", "bytes": "0/0", "packets": "0/0", "comment": "",
    })]
    state.log(syslog.PPP, syslog.ppp_authenticated(sub.name))
    state.log(syslog.PPP, syslog.ppp_connected(sub.name))
    state.log(syslog.PPP_ACCOUNT, syslog.ppp_logged_in(sub.name, address))


def _open_hotspot(state: RouterState, sub: Subscriber, address: str) -> None:
    active = state.menus["/ip/hotspot/active"]
    item = active.insert({
        "server": "hotspot1", "user": sub.name, "domain": "", "address": address, "mac-address": sub.mac,
        "login-by": "http-chap", "uptime": "0s", "idle-time": "0s", "keepalive-timeout": "2m",
        "bytes-in": "0", "bytes-out": "0", "packets-in": "0", "packets-out": "0", "radius": "false",
    })
    sub.session = active.rows[item]
    state.log(syslog.HOTSPOT, syslog.hotspot_logged_in(sub.name, address))


def disconnect(state: RouterState, sub: Subscriber, reason: str, *, removed: bool = False) -> None:
    """End a live session (``removed``: its active row is already gone, taken by the API)."""
    row = sub.session
    if row is None:
        return
    if not removed:
        menu = "/ppp/active" if sub.kind is SubscriberKind.PPPOE else "/ip/hotspot/active"
        state.menus[menu].rows.pop(row[".id"], None)
    for extra, menu in ((sub.interface, "/interface"), (sub.queue, "/queue/simple")):
        if extra is not None:
            state.menus[menu].rows.pop(extra[".id"], None)
    sub.session = sub.interface = sub.queue = None
    address = row.get("address", "")
    release(state, address)
    if sub.kind is SubscriberKind.PPPOE:
        state.log(syslog.PPP, syslog.ppp_terminating(sub.name, reason))
        state.log(syslog.PPP, syslog.ppp_disconnected(sub.name))
        uptime = int(state.clock - sub.connected_at)
        state.log(syslog.PPP_ACCOUNT, syslog.ppp_logged_out(sub.name, uptime, sub.bytes_in, sub.bytes_out))
    else:
        state.log(syslog.HOTSPOT, syslog.hotspot_logged_out(sub.name, address, reason))


def on_active_removed(state: RouterState, row: Row) -> None:
    """The API removed an active row: the subscriber's session ends."""
    name = row.get("name") or row.get("user") or ""
    sub = state.subscribers.get(name)
    if sub is not None and sub.session is row:
        reason = "disconnected by administrator" if sub.kind is SubscriberKind.PPPOE else "admin reset"
        disconnect(state, sub, reason, removed=True)


def drop_all(state: RouterState) -> None:
    """A reboot: every session, lease and dynamic row vanishes without a goodbye."""
    for sub in state.subscribers.values():
        sub.session = sub.interface = sub.queue = None
    for path in ("/ppp/active", "/ip/hotspot/active"):
        state.menus[path].rows.clear()
    for path in ("/interface", "/queue/simple"):
        menu = state.menus[path]
        for item in [i for i, r in menu.rows.items() if r.get("dynamic") == "true"]:
            del menu.rows[item]
    state.leases.clear()


def _flow(state: RouterState, sub: Subscriber, elapsed: float) -> tuple[int, int]:
    """Bytes moved by an online subscriber over ``elapsed`` seconds (down, up)."""
    load = state.rng.uniform(0.05, 0.6)
    down = int(sub.rate_bps / 8 * elapsed * load)
    up = down // state.rng.randint(4, 12)
    sub.bytes_in += up
    sub.bytes_out += down
    row = sub.session
    if row is not None:
        row["uptime"] = duration(state.clock - sub.connected_at)
        if sub.kind is SubscriberKind.HOTSPOT:
            row.update({"bytes-in": str(sub.bytes_in), "bytes-out": str(sub.bytes_out),
                        "packets-in": str(sub.bytes_in // 1400), "packets-out": str(sub.bytes_out // 1400)})
    if sub.interface is not None:
        sub.interface.update({
            "rx-byte": str(sub.bytes_in), "tx-byte": str(sub.bytes_out),
            "rx-packet": str(sub.bytes_in // 1400), "tx-packet": str(sub.bytes_out // 1400),
        })
    if sub.queue is not None:
        sub.queue.update({"bytes": f"{sub.bytes_in}/{sub.bytes_out}",
                          "packets": f"{sub.bytes_in // 1400}/{sub.bytes_out // 1400}"})
    return down, up


def _count(row: Row, key: str, more: int) -> None:
    row[key] = str(int(row.get(key, "0") or 0) + more)


def run_tick(state: RouterState, elapsed: float) -> None:
    """Seeded churn over ``elapsed`` seconds: sessions drop and come back, bytes advance."""
    if elapsed <= 0:
        return
    p_drop = 1 - math.exp(-elapsed / state.mean_session_s)
    p_back = 1 - math.exp(-elapsed / state.mean_offline_s)
    down_total = up_total = 0
    for sub in list(state.subscribers.values()):
        if sub.session is None:
            if state.rng.random() < p_back:
                connect(state, sub)
            continue
        down, up = _flow(state, sub, elapsed)
        down_total, up_total = down_total + down, up_total + up
        if state.rng.random() < p_drop:
            reasons = DROP_REASONS if sub.kind is SubscriberKind.PPPOE else HOTSPOT_REASONS
            disconnect(state, sub, state.rng.choice(reasons))
    if state.rng.random() < 1 - math.exp(-elapsed / MEAN_ADMIN_VISIT_S):
        admin_visit(state)
    wan = state.menus["/interface"].find("name", "ether1")
    lan = state.menus["/interface"].find("name", "ether2")
    for row, rx, tx in ((wan, down_total, up_total), (lan, up_total, down_total)):
        if row is not None:
            for key, more in (("rx-byte", rx), ("tx-byte", tx), ("rx-packet", rx // 1400),
                              ("tx-packet", tx // 1400)):
                _count(row, key, more)


def admin_visit(state: RouterState) -> None:
    """An operator logging in and out by winbox, ssh or web (``system,info,account``)."""
    user = next(iter(state.credentials), "admin")
    address, via = state.rng.choice(ADMIN_ADDRESSES), state.rng.choice(ADMIN_VIA)
    state.log(syslog.ACCOUNT, syslog.account_logged_in(user, address, via))
    state.log(syslog.ACCOUNT, syslog.account_logged_out(user, address, via))
