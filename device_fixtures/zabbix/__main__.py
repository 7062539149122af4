"""Run a simulated Zabbix server on its own: ``python -m device_fixtures.zabbix --port 8080 --hosts 50``."""

from __future__ import annotations

import argparse
import sys
import time

from device_fixtures.zabbix.server import serve_zabbix
from device_fixtures.zabbix.state import make_zabbix_state

KINDS = ("core-rtr", "olt", "ap", "sw", "ptp")


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m device_fixtures.zabbix", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (0 = ephemeral)")
    parser.add_argument("--hosts", type=int, default=50, help="how many monitored hosts")
    parser.add_argument("--problems", type=int, default=10, help="problems open at start")
    parser.add_argument(
        "--version", default="6.0.25", help="Zabbix version to behave as (6.4+: Bearer header)"
    )
    parser.add_argument("--tick", type=float, default=30.0, help="seconds between problem updates")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args(argv)


def fleet(count: int) -> list[tuple[str, str]]:
    """Host names by kind and addresses in 10.20.0.0/16."""
    return [(f"{KINDS[k % len(KINDS)]}-{k + 1}", f"10.20.{k // 250}.{k % 250 + 1}") for k in range(count)]


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted, opening and resolving problems every ``--tick`` seconds."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    state = make_zabbix_state(fleet(args.hosts), args.seed, args.problems, version=args.version)
    with serve_zabbix(state, host=args.host, port=args.port) as server:
        out = sys.stdout
        out.write(f"Zabbix {state.version} API on {server.api_url} (user Admin, password zabbix)\n")
        counts = (len(state.hosts), len(state.triggers), len(state.open_problems()))
        out.write("  {} hosts, {} triggers, {} problems\n".format(*counts))
        out.flush()
        try:
            while True:
                time.sleep(args.tick)
                state.tick(args.tick)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
