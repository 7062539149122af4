"""Run a simulated SNMP fleet on its own: ``python -m device_fixtures.snmp --devices 10 --port 1161``."""

from __future__ import annotations

import argparse
import sys
import time

from device_fixtures.snmp.families import FAMILIES, build_fleet
from device_fixtures.snmp.fleet import serve_snmp_fleet
from device_fixtures.snmp.olts import Olt


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m device_fixtures.snmp", description=__doc__)
    parser.add_argument("--devices", type=int, default=len(FAMILIES), help="how many devices")
    parser.add_argument("--families", default="", help=f"comma-separated subset of: {','.join(FAMILIES)}")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1161, help="UDP port (0 = ephemeral)")
    parser.add_argument("--processes", type=int, default=1, help="snmpsim processes on consecutive ports")
    parser.add_argument("--tick", type=float, default=30.0, help="seconds between value updates")
    parser.add_argument("--flap", type=float, default=0.01, help="chance per ONU and tick to go down/up")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-relay", action="store_true", help="expose snmpsim directly (no latency fault)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the fleet until interrupted, moving values every ``--tick`` seconds."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    families = [f for f in args.families.split(",") if f]
    devices = build_fleet(args.devices, families=families, seed=args.seed)
    for device in devices:
        if isinstance(device, Olt):
            device.flap_probability = args.flap
    with serve_snmp_fleet(
        devices, host=args.host, port=args.port, processes=args.processes, relay=not args.no_relay
    ) as fleet:
        out = sys.stdout
        out.write(f"SNMP v2c on {args.host} ports {', '.join(map(str, fleet.ports))}\n")
        for device in devices:
            out.write(f"  {device.family:<13} community {fleet.community_of(device.name)}\n")
        out.flush()
        try:
            while True:
                time.sleep(args.tick)
                fleet.tick(args.tick)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    sys.exit(main())
