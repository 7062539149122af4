"""Simulated MikroTik RouterOS routers speaking the API protocol (TCP, one port per router).

``build_router(name, subscribers=N, seed=..., index=k, syslog_target=SyslogTarget(host, port))``
makes a router state with PPPoE and hotspot subscribers; ``with serve_routeros([states]) as fleet``
serves each on its own port (``fleet[name].port``, ``fleet.port`` for the first);
``state.tick(now)`` / ``state.advance(seconds)`` move sessions and counters on. Faults:
``state.faults`` (device_fixtures.faults.Faults: latency_s, cut_reply, trap, silent,
wrong_credentials, reboot()), read on every request. Syslog: ``state.syslog_target``.
"""

from device_fixtures.routeros.commands import execute
from device_fixtures.routeros.menus import Menu, MenuError, MenuSpec
from device_fixtures.routeros.query import QueryError, compile_query, evaluate
from device_fixtures.routeros.server import RouterEndpoint, RouterOSFleet, challenge_response, serve_routeros
from device_fixtures.routeros.sessions import connect, disconnect
from device_fixtures.routeros.state import RouterState, Subscriber, SubscriberKind
from device_fixtures.routeros.subscribers import add_subscriber, build_router
from device_fixtures.routeros.wire import Request, SentenceReader, WireError

__all__ = [
    "Menu",
    "MenuError",
    "MenuSpec",
    "QueryError",
    "Request",
    "RouterEndpoint",
    "RouterOSFleet",
    "RouterState",
    "SentenceReader",
    "Subscriber",
    "SubscriberKind",
    "WireError",
    "add_subscriber",
    "build_router",
    "challenge_response",
    "compile_query",
    "connect",
    "disconnect",
    "evaluate",
    "execute",
    "serve_routeros",
]
