"""Benchmark: the SNMP collectors' throughput against a bare pysnmp loop, then a full collection
cycle of the ``large`` simulated network (2,000 devices) through ``collectors.cycle``.

Throughput: one of each radio family and one Huawei and one ZTE OLT, served by net-snmp's snmpd
(their snmprec records loaded as ``override`` lines; ~300,000 values/s, so the client is what is
measured) or, when snmpd is not installed, by several snmpsim processes. The same polls run
through ``OltSnmpCollector``/``RadioCollector.poll`` and through a bare loop of pysnmp's
``bulk_walk_cmd`` (plus one ``get_cmd`` for a radio's scalars) over the same OIDs, with the same
concurrency; each is timed twice, alternately, and the better run counts.

``python -m bench.collect [--polls N] [--concurrency C] [--no-cycle]`` prints last
``collector_vps=<x> bare_vps=<y> ratio=<x/y> cycle_s=<c> devices=<n> failed=<f>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from collectors.base import Target
from collectors.cycle import count_selected, run_families, unavailable
from collectors.enums import DeviceKind, SourceKind, Vendor
from collectors.inventory import import_inventory
from collectors.olt_snmp import OltSnmpCollector
from collectors.olt_snmp_vendors import PROFILES as OLT_PROFILES
from collectors.radios import RadioCollector
from collectors.radios_vendors import PROFILES as RADIO_PROFILES
from collectors.radios_vendors import SYS_UPTIME
from collectors.snmp import SnmpClient, SnmpOptions, dotted
from device_fixtures.network import run_network
from device_fixtures.scenario import RADIO_FAMILIES, SCENARIOS, Scenario
from device_fixtures.snmp import build_device, serve_snmp_fleet
from device_fixtures.snmp.base import Device
from device_fixtures.snmp.wire import get_request, is_response
from store.db import make_engine, make_session_factory, session_scope
from store.migrate import upgrade
from store.types import utcnow

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        bulk_walk_cmd,
        get_cmd,
    )

OLTS = {"smartax": Vendor.HUAWEI, "zxa10": Vendor.ZTE}
SNMPD_TYPES = {"2": "integer", "6": "object_id", "65": "counter", "66": "unsigned", "67": "timeticks",
               "70": "counter"}
"""snmprec type -> snmpd ``override`` type (snmpd has no Counter64/IpAddress override: 32-bit and octets)."""
OPTIONS = SnmpOptions(timeout_s=3.0, retries=1, max_repetitions=40)


def bench_devices() -> list[Device]:
    """The throughput set: every radio family and the two OLT vendors of the large scenario."""
    return [build_device(f, f"bench-{f}", seed=1) for f in (*RADIO_FAMILIES, *OLTS)]


def target_of(device: Device, port: int, community: str, n: int) -> Target:
    """The Target a collector would get for ``device`` served on ``port``."""
    if device.family in OLTS:
        return Target(n, device.name, DeviceKind.OLT, OLTS[device.family], "127.0.0.1",
                      snmp_port=port, community=community)
    return Target(n, device.name, DeviceKind.RADIO, Vendor.UBIQUITI, "127.0.0.1", model=device.family,
                  snmp_port=port, community=community)


def snmpd_override(oid: str, tag: str, value: str) -> str:
    """One snmprec record as an snmpd.conf ``override`` line."""
    if tag in ("4", "4x", "64"):
        raw = bytes.fromhex(value) if tag == "4x" else (
            bytes(int(x) for x in value.split(".")) if tag == "64" else value.encode("latin-1"))
        return f'override .{oid} octet_str {"0x" + raw.hex() if raw else chr(34) * 2}'
    number = int(value) % 2**32 if tag == "70" else value
    return f"override .{oid} {SNMPD_TYPES[tag]} {number}"


def free_port() -> int:
    """A free UDP port on loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_answering(port: int, community: str, seconds: float = 10.0) -> None:
    """Until the agent on ``port`` answers a GET of sysUpTime."""
    deadline = time.monotonic() + seconds
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            sock.sendto(get_request(community, "1.3.6.1.2.1.1.3.0", 1), ("127.0.0.1", port))
            try:
                if is_response(sock.recv(65535)):
                    return
            except TimeoutError:
                continue
    raise RuntimeError(f"agent on port {port} did not answer")


@contextmanager
def snmpd_agent(devices: Sequence[Device], snmpd: str) -> Iterator[list[Target]]:
    """net-snmp's snmpd serving every device's own records at once (their subtrees do not overlap)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-snmpd-"))
    port = free_port()
    lines = ["rocommunity bench 127.0.0.1"]
    for device in devices:
        lines += [snmpd_override(o, t, v) for o, t, v in device.records() if not o.startswith("1.3.6.1.2.1.")]
    (workdir / "snmpd.conf").write_text("\n".join(lines) + "\n")
    args = [snmpd, "-f", "-C", "-c", str(workdir / "snmpd.conf"), "-Lf", str(workdir / "snmpd.log"),
            "-p", str(workdir / "snmpd.pid"), f"udp:127.0.0.1:{port}"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "MIBS": ""})
    try:
        wait_answering(port, "bench")
        yield [target_of(d, port, "bench", n) for n, d in enumerate(devices, start=1)]
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def snmpsim_agent(devices: Sequence[Device], processes: int) -> Iterator[list[Target]]:
    """Several snmpsim processes serving the devices (each device on one of them, round robin)."""
    with serve_snmp_fleet(devices, processes=processes, relay=False) as fleet:
        ports = fleet.ports
        yield [target_of(d, ports[n % len(ports)], fleet.community_of(d.name), n + 1)
               for n, d in enumerate(devices)]


def work(targets: Sequence[Target], polls: int) -> list[Target]:
    """``polls`` polls cycling over the targets (OLTs weigh more: they hold far more values)."""
    return [targets[n % len(targets)] for n in range(polls)]


async def _gather_limited(coros: Sequence[Any], concurrency: int) -> list[int]:
    semaphore = asyncio.Semaphore(concurrency)

    async def one(coro: Any) -> int:
        async with semaphore:
            return int(await coro)
    return list(await asyncio.gather(*(one(c) for c in coros)))


async def collector_vps(jobs: Sequence[Target], concurrency: int, client: SnmpClient) -> float:
    """Values per second through the collectors' ``poll`` (what a cycle does before saving)."""
    olt, radio = OltSnmpCollector(client), RadioCollector(client)

    async def poll(target: Target) -> int:
        collector = olt if target.kind == DeviceKind.OLT else radio
        return int((await collector.poll(target)).values)
    start = time.perf_counter()
    values = await _gather_limited([poll(t) for t in jobs], concurrency)
    return sum(values) / (time.perf_counter() - start)


def plan(target: Target) -> tuple[list[str], list[str]]:
    """The scalars a collector GETs and the subtrees it walks for ``target`` (dotted OIDs)."""
    if target.kind == DeviceKind.OLT:
        return [], [dotted(r) for r in OLT_PROFILES[target.vendor].roots]
    profile = RADIO_PROFILES[target.model or ""]
    tables = dict.fromkeys(r[:-1] for r in profile.roots)  # the collector walks columns: their tables
    return ([dotted(SYS_UPTIME), *(dotted(o) for o, _ in profile.scalars.values())],
            [dotted(t) for t in tables])


async def bare_poll(engine: SnmpEngine, target: Target) -> int:
    """The same OIDs with plain pysnmp: one get_cmd for the scalars, bulk_walk_cmd per subtree."""
    auth = CommunityData(target.community, mpModel=1)
    transport = await UdpTransportTarget.create((target.host, target.snmp_port or 161),
                                                timeout=OPTIONS.timeout_s, retries=OPTIONS.retries)
    scalars, roots = plan(target)

    async def walk(root: str) -> int:
        count = 0
        async for err, status, _, binds in bulk_walk_cmd(
                engine, auth, transport, ContextData(), 0, OPTIONS.max_repetitions,
                ObjectType(ObjectIdentity(root)), lexicographicMode=False, lookupMib=False):
            if err or status:
                raise RuntimeError(f"bare walk {root}: {err or status}")
            count += len(binds)
        return count

    async def get() -> int:
        if not scalars:
            return 0
        err, status, _, binds = await get_cmd(engine, auth, transport, ContextData(),
                                              *(ObjectType(ObjectIdentity(o)) for o in scalars),
                                              lookupMib=False)
        if err or status:
            raise RuntimeError(f"bare get: {err or status}")
        return sum(1 for _, v in binds if v.__class__.__name__ not in ("NoSuchObject", "NoSuchInstance"))
    return sum(await asyncio.gather(get(), *(walk(r) for r in roots)))


async def bare_vps(jobs: Sequence[Target], concurrency: int, engine: SnmpEngine) -> float:
    """Values per second of the bare loop."""
    start = time.perf_counter()
    values = await _gather_limited([bare_poll(engine, t) for t in jobs], concurrency)
    return sum(values) / (time.perf_counter() - start)


async def throughput(targets: Sequence[Target], polls: int, concurrency: int) -> tuple[float, float]:
    """Best of two alternating runs each: (collector values/s, bare values/s)."""
    jobs = work(targets, polls)
    client = SnmpClient(OPTIONS)
    engine = SnmpEngine()
    try:
        await collector_vps(jobs[: len(targets)], concurrency, client)  # warm-up: transports, LCD
        await bare_vps(jobs[: len(targets)], concurrency, engine)
        ours, bare = [], []
        for _ in range(2):
            ours.append(await collector_vps(jobs, concurrency, client))
            bare.append(await bare_vps(jobs, concurrency, engine))
        return max(ours), max(bare)
    finally:
        client.close()
        engine.close_dispatcher()


@contextmanager
def agent(devices: Sequence[Device], processes: int) -> Iterator[list[Target]]:
    """snmpd when installed, else several snmpsim processes; says which."""
    snmpd = shutil.which("snmpd") or next((p for p in ("/usr/sbin/snmpd",) if Path(p).exists()), None)
    if snmpd:
        print(f"agent: net-snmp snmpd ({snmpd}) serving {len(devices)} devices")
        with snmpd_agent(devices, snmpd) as targets:
            yield targets
        return
    print(f"agent: snmpd NOT INSTALLED (apt-get install snmpd); falling back to {processes} snmpsim "
          f"processes — at ~11,000 values/s each the agent may be the bottleneck")
    with snmpsim_agent(devices, processes) as targets:
        yield targets


@contextmanager
def network(scenario: Scenario, workdir: Path, in_process: bool) -> Iterator[dict[str, Any]]:
    """The scenario's network and its inventory: by default in a process of its own (``ispnoc
    fixtures up``, as devices are other machines, so its servers don't share the collectors' GIL)."""
    if in_process:
        with run_network(scenario, tick=False) as net:
            yield net.inventory()
        return
    inventory, log = workdir / "inventory.json", workdir / "fixtures.log"
    command = [sys.executable, "-m", "ispnoc", "fixtures", "up", "--scenario", scenario.name,
               "--inventory", str(inventory)]
    with log.open("wb") as errors:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        deadline = time.monotonic() + 180
        while not inventory.exists() or not inventory.stat().st_size:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ispnoc fixtures up did not come up: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        time.sleep(0.5)  # the file is written in one go; let the writer close it
        yield json.loads(inventory.read_text(encoding="utf-8"))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def large_cycle(scenario: Scenario, wanted: Sequence[str] = (),
                in_process: bool = False) -> tuple[float, int, int]:
    """Start the scenario, import its inventory into a fresh SQLite store, run one cycle of every
    family that has a collector and devices; (seconds, devices, failed)."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-cycle-"))
    engine = make_engine(f"sqlite:///{workdir / 'cycle.db'}")
    try:
        upgrade(engine)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        with network(scenario, workdir, in_process) as inventory:
            where = "in this process" if in_process else "in its own process"
            print(f"network: {scenario.devices} devices up {where} in {time.perf_counter() - started:.1f} s")
            with session_scope(sessions) as session:
                import_inventory(session, inventory, seal=lambda s: s, now=utcnow())
            return asyncio.run(_cycle_all(sessions, wanted))
    finally:
        engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


async def _cycle_all(sessions: sessionmaker[Session], wanted: Sequence[str]) -> tuple[float, int, int]:
    families = [f for f in SourceKind if (not wanted or f.value in wanted)
                and unavailable(f) is None and count_selected(sessions, f) > 0]
    skipped = [f.value for f in SourceKind if f not in families]
    print(f"cycle: families {', '.join(f.value for f in families)} (no collector or no devices: "
          f"{', '.join(skipped) or 'none'})")
    start = time.perf_counter()
    done = [0, 0]

    def progress(_name: str, ok: bool) -> None:
        done[0 if ok else 1] += 1
        if sum(done) % 250 == 0:
            elapsed = time.perf_counter() - start
            print(f"  ... {sum(done)} devices polled ({done[1]} failed) at {elapsed:.1f} s",
                  flush=True)
    results = await run_families(sessions, families, reveal=lambda s: s or "", progress=progress)
    elapsed = time.perf_counter() - start
    for r in results:
        sample = "; ".join(f"{k}: {v}" for k, v in list(r.errors.items())[:3])
        print(f"  {r.family.value}: {r.devices} devices, {r.failed} failed, {r.values} values, "
              f"{r.duration_s:.1f} s{' — ' + sample if sample else ''}")
    return elapsed, sum(r.devices for r in results), sum(r.failed for r in results)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print its figures, last line as documented."""
    parser = argparse.ArgumentParser(prog="python -m bench.collect", description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=600, help="device polls per timed run")
    parser.add_argument("--concurrency", type=int, default=16, help="polls in flight")
    parser.add_argument("--processes", type=int, default=4, help="snmpsim processes when snmpd is missing")
    parser.add_argument("--no-cycle", action="store_true", help="skip the large-scenario cycle")
    parser.add_argument("--families", default="", help="comma-separated families for the cycle (all)")
    parser.add_argument("--network-in-process", action="store_true",
                        help="run the simulated network inside the benchmark's process (one GIL for both)")
    args = parser.parse_args(argv)
    with agent(bench_devices(), args.processes) as targets:
        ours, bare = asyncio.run(throughput(targets, args.polls, args.concurrency))
    print(f"throughput: collector {ours:,.0f} values/s, bare pysnmp {bare:,.0f} values/s")
    cycle_s, devices, failed = float("nan"), 0, 0
    if not args.no_cycle:
        wanted = [f for f in args.families.split(",") if f]
        cycle_s, devices, failed = large_cycle(SCENARIOS["large"], wanted, args.network_in_process)
    print(f"collector_vps={ours:.0f} bare_vps={bare:.0f} ratio={ours / bare:.2f} "
          f"cycle_s={cycle_s:.1f} devices={devices} failed={failed}")


if __name__ == "__main__":
    main()
