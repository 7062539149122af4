"""Build a realistic simulated router: interfaces, pools, profiles, PPPoE and hotspot subscribers.

Usernames run ``u00001``, ``u00002``...; about two thirds are PPPoE (``/ppp/secret``), the rest
hotspot (``/ip/hotspot/user``); profiles are speeds (``10M``, ``20M``...); some PPPoE secrets
carry a static ``remote-address``, the others take one from ``pppoe-pool``. Everything follows
from ``seed`` and the router's name.
"""

from __future__ import annotations

import ipaddress
import random

from device_fixtures.faults import Faults
from device_fixtures.routeros.sessions import connect
from device_fixtures.routeros.state import RouterState, Subscriber, SubscriberKind
from device_fixtures.syslog import SyslogTarget

SPEEDS = ("5M", "10M", "20M", "50M", "100M")
SUSPENDED_RATE = "64k/64k"
PPPOE_SHARE = 0.65
STATIC_SHARE = 0.3
ONLINE_AT_START = 0.85


def _network(index: int) -> int:
    """A per-router /16 base (10.<16+index>.0.0) so routers in one process never overlap."""
    return int(ipaddress.IPv4Address(f"10.{16 + index % 200}.0.0"))


def _ip(value: int) -> str:
    return str(ipaddress.IPv4Address(value))


def _base_config(state: RouterState, index: int) -> None:
    """Interfaces, pools and profiles every simulated router has."""
    interfaces = state.menus["/interface"]
    for n in range(1, 6):
        interfaces.insert({
            "name": f"ether{n}", "type": "ether", "mtu": "1500", "comment": "WAN" if n == 1 else "",
            "disabled": "false", "running": "true" if n <= 3 else "false", "dynamic": "false",
            "rx-byte": "0", "tx-byte": "0", "rx-packet": "0", "tx-packet": "0",
        })
    base = _network(index)
    pools = state.menus["/ip/pool"]
    pools.insert({"name": "pppoe-pool", "ranges": f"{_ip(base + 256 + 2)}-{_ip(base + 8 * 256 - 2)}",
                  "next-pool": "none", "comment": ""})
    pools.insert({"name": "hs-pool", "ranges": f"{_ip(base + 16 * 256 + 2)}-{_ip(base + 20 * 256 - 2)}",
                  "next-pool": "none", "comment": ""})
    suspended = f"{_ip(base + 250 * 256 + 2)}-{_ip(base + 251 * 256 + 254)}"
    pools.insert({"name": state.suspended_pool, "ranges": suspended, "next-pool": "none", "comment": ""})
    profiles = state.menus["/ppp/profile"]
    hs_profiles = state.menus["/ip/hotspot/user/profile"]
    for name, rate, pool in (("default", "", ""), *((s, f"{s}/{s}", "pppoe-pool") for s in SPEEDS),
                             (state.suspended_profile, SUSPENDED_RATE, state.suspended_pool)):
        suspended_list = "suspended" if name == state.suspended_profile else ""
        profiles.add({"name": name, "local-address": _ip(base + 1), "remote-address": pool,
                      "rate-limit": rate, "address-list": suspended_list})
        hs_pool = "hs-pool" if name != state.suspended_profile else state.suspended_pool
        hs_profiles.add({"name": name, "rate-limit": rate,
                         "address-pool": hs_pool if name != "default" else "none"})


def _mac(rng: random.Random) -> str:
    return "4C:5E:0C:" + ":".join(f"{rng.randrange(256):02X}" for _ in range(3))


def add_subscriber(state: RouterState, sub: Subscriber) -> None:
    """Configure a subscriber on the router (secret or hotspot user) and remember its device."""
    if sub.kind is SubscriberKind.PPPOE:
        state.menus["/ppp/secret"].add({
            "name": sub.name, "password": sub.password, "service": "pppoe", "profile": sub.profile,
            "remote-address": sub.address, "caller-id": "", "comment": "",
        })
    else:
        state.menus["/ip/hotspot/user"].add({
            "name": sub.name, "password": sub.password, "profile": sub.profile, "mac-address": sub.mac,
        })
    state.subscribers[sub.name] = sub


def _subscriber(rng: random.Random, number: int, static: str) -> Subscriber:
    kind = SubscriberKind.PPPOE if rng.random() < PPPOE_SHARE else SubscriberKind.HOTSPOT
    profile = rng.choice(SPEEDS)
    rate = int(profile[:-1]) * 1_000_000
    password = "".join(rng.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
    address = static if kind is SubscriberKind.PPPOE and rng.random() < STATIC_SHARE else ""
    return Subscriber(f"u{number:05d}", password, kind, profile, _mac(rng), address, rate)


def build_router(
    name: str,
    subscribers: int = 50,
    *,
    seed: int = 0,
    index: int = 0,
    syslog_target: SyslogTarget | None = None,
) -> RouterState:
    """A router with ``subscribers`` customers (about 85% online), seeded, numbered from ``index``."""
    state = RouterState(name=name, seed=seed, syslog_target=None, faults=Faults())
    rng = random.Random(f"build:{seed}:{name}")
    _base_config(state, index)
    base = _network(index)
    first = index * subscribers + 1
    for k in range(subscribers):
        static = _ip(base + 10 * 256 + 2 + k) if k < 1000 else ""
        add_subscriber(state, _subscriber(rng, first + k, static))
    for sub in state.subscribers.values():
        if rng.random() < ONLINE_AT_START:
            connect(state, sub)
    state.menus["/log"].rows.clear()
    state.syslog_target = syslog_target
    return state
