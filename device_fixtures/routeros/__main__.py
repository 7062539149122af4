"""Run simulated RouterOS routers: ``python -m device_fixtures.routeros --routers 2 --subscribers 50``."""

from __future__ import annotations

import argparse
import sys
import time

from device_fixtures.routeros.server import serve_routeros
from device_fixtures.routeros.subscribers import build_router
from device_fixtures.syslog import SyslogTarget


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m device_fixtures.routeros", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--routers", type=int, default=2)
    parser.add_argument("--subscribers", type=int, default=50, help="subscribers per router")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--version", default="6.49.10", help="RouterOS version to behave as")
    parser.add_argument("--syslog", default="", help="HOST:PORT to send RFC 3164 syslog to")
    parser.add_argument("--tick", type=float, default=10.0, help="seconds between session updates")
    return parser.parse_args(argv)


def _target(text: str) -> SyslogTarget | None:
    if not text:
        return None
    host, _, port = text.rpartition(":")
    return SyslogTarget(host or "127.0.0.1", int(port))


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, ticking every ``--tick`` seconds on the wall clock."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    target = _target(args.syslog)
    routers = [
        build_router(f"rtr-{k + 1:03d}", args.subscribers, seed=args.seed, index=k, syslog_target=target)
        for k in range(args.routers)
    ]
    for router in routers:
        router.version = args.version
    with serve_routeros(routers, host=args.host) as fleet:
        out = sys.stdout
        for endpoint in fleet:
            state = endpoint.state
            online = len(state.menus["/ppp/active"]) + len(state.menus["/ip/hotspot/active"])
            out.write(f"{state.name} RouterOS {state.version} API on {endpoint.host}:{endpoint.port} "
                      f"(admin/admin), {len(state.subscribers)} subscribers, {online} online\n")
        out.flush()
        try:
            while True:
                time.sleep(args.tick)
                for router in routers:
                    router.tick(time.time())
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
