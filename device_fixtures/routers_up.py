"""The routers of a running network: RouterOS API servers with their subscribers, each router's
SNMP face served by the shared snmpsim fleet, and syslog to the configured receiver."""

from __future__ import annotations

import time
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from device_fixtures.routeros.server import serve_routeros
from device_fixtures.routeros.subscribers import build_router
from device_fixtures.snmp.base import Device

if TYPE_CHECKING:
    from device_fixtures.network import Network

API_USER, API_PASSWORD = "admin", "admin"


def add(net: Network, stack: ExitStack, faces: list[Device], fleet: Any) -> None:
    """Start one RouterOS API server per router face and record routers and subscribers."""
    spec = net.scenario
    states = [
        build_router(face.name, spec.subscribers_per_router, seed=spec.seed, index=i,
                     syslog_target=net.syslog_target)
        for i, face in enumerate(faces)
    ]
    for state in states:
        state.credentials = {API_USER: API_PASSWORD}
    routers = stack.enter_context(serve_routeros(states, host=net.host))
    for face, endpoint in zip(faces, routers, strict=True):
        net.routers.append({
            "name": endpoint.name, "kind": "router", "vendor": "mikrotik", "host": endpoint.host,
            "api": {"port": endpoint.port, "username": API_USER, "password": API_PASSWORD, "tls": False},
            "snmp": {"port": fleet.port, "version": "2c", "community": fleet.community_of(face.name)},
            "suspended_profile": endpoint.state.suspended_profile,
        })
        for sub in endpoint.state.subscribers.values():
            net.subscribers.append({
                "router": endpoint.name, "username": sub.name, "password": sub.password,
                "service": sub.kind.value, "profile": sub.profile, "mac": sub.mac,
                "static_ip": sub.address or None,
            })
    net.tickers.append(lambda seconds: _tick(states))


def _tick(states: list[Any]) -> None:
    now = time.time()
    for state in states:
        state.tick(now)
