"""Benchmark: the ``large`` simulated network — how fast it starts, how much memory it holds, and
how many SNMP requests per second its snmpsim fleet answers, against a one-device fleet measured
the same way in the same run (the ratio shows what a 2,000-device fleet costs per request).

``python -m bench.fixtures [--scenario large] [--seconds 5]`` prints last
``fixtures_up_s=<s> rss_mb=<m> snmp_rps=<r> single_device_rps=<b> ratio=<r/b>``.
"""

from __future__ import annotations

import argparse
import random
import socket
import time
from collections.abc import Sequence

from device_fixtures.network import run_network, tree_rss_mb
from device_fixtures.scenario import Scenario, load_scenario
from device_fixtures.snmp import build_device, serve_snmp_fleet

SYS_UPTIME = bytes([0x06, 0x08, 0x2B, 6, 1, 2, 1, 1, 3, 0])


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    length = bytes([n]) if n < 0x80 else bytes([0x81, n]) if n < 0x100 else bytes([0x82, n >> 8, n & 0xFF])
    return bytes([tag]) + length + body


def get_request(community: str, request_id: int) -> bytes:
    """An SNMPv2c GetRequest for sysUpTime.0, BER-encoded by hand (no client library in the loop)."""
    varbind = _tlv(0x30, SYS_UPTIME + b"\x05\x00")
    pdu = _tlv(0xA0, _tlv(0x02, request_id.to_bytes(4, "big")) + b"\x02\x01\x00\x02\x01\x00"
               + _tlv(0x30, varbind))
    return _tlv(0x30, b"\x02\x01\x01" + _tlv(0x04, community.encode()) + pdu)


def load(port: int, communities: Sequence[str], seconds: float, window: int = 64) -> float:
    """Answers per second with ``window`` requests in flight, spread over ``communities``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1.0)
    rng = random.Random(1)
    packets = [get_request(rng.choice(communities), i) for i in range(4096)]
    answered, sent = 0, 0
    deadline = time.perf_counter() + seconds
    try:
        for _ in range(window):
            sock.sendto(packets[sent % len(packets)], ("127.0.0.1", port))
            sent += 1
        start = time.perf_counter()
        while time.perf_counter() < deadline:
            try:
                sock.recv(2048)
                answered += 1
            except TimeoutError:
                pass
            sock.sendto(packets[sent % len(packets)], ("127.0.0.1", port))
            sent += 1
        return answered / (time.perf_counter() - start)
    finally:
        sock.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fixtures", description=__doc__)
    parser.add_argument("--scenario", default="large")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    spec: Scenario = load_scenario(args.scenario)
    with serve_snmp_fleet([build_device("airos", "solo", seed=1)], processes=spec.snmp_processes) as solo:
        load(solo.port, [solo.community_of("solo")], 1.0)
        single = load(solo.port, [solo.community_of("solo")], args.seconds)
    t0 = time.perf_counter()
    with run_network(spec, tick=False) as net:
        up_s = time.perf_counter() - t0
        rss = tree_rss_mb()
        communities = [r["snmp"]["community"] for r in net.radios + net.routers + net.olts]
        port = net.radios[0]["snmp"]["port"]
        load(port, communities, args.seconds * 3)  # warm-up: snmpsim opens each device's data file once
        rps = load(port, communities, args.seconds)
    print(f"{spec.name}: {spec.devices} devices, {len(net.subscribers)} subscribers, {len(net.onus)} ONUs")
    print(f"fixtures_up_s={up_s:.1f} rss_mb={rss:.0f} snmp_rps={rps:.0f} single_device_rps={single:.0f} "
          f"ratio={rps / single:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
