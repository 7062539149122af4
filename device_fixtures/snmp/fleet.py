"""Serve a fleet of simulated devices with snmpsim: one .snmprec per device, community = name.

How values move: snmpsim checks the data file's mtime on every request and rebuilds its index
when it changed (``RecordIndex.get_handles``, whole seconds: ``os.stat()[8]``). ``tick()``
writes each file to a temporary name, renames it over the old one (a request never sees half a
file) and stamps every file of one publish with the same mtime, strictly greater than the last
publish's, so two ticks within one second are still seen. The first publish is stamped two
seconds in the past: snmpsim keeps an index only when it is strictly newer than its data file,
so the index built at start-up is reused by the first request (a per-file mtime counting up from
now would put 2,000 files up to 2,000 s in the future and have every device indexed twice).
Each snmpsim process gets its own index cache directory.

Faults (``device.faults``, see device_fixtures/faults.py), applied on ``publish``/``tick``:
- silent: the device's file is removed; snmpsim then fails that community's requests and
  never answers (the client times out). Restoring the file brings it back.
- trap: every record is served through snmpsim's ``error`` variation module (genErr).
- latency_s: the relay in front of snmpsim holds that device's requests (others unaffected).
- reboot (``faults.reboot()``): uptime, interface and family counters restart from zero.
- cut_reply and wrong_credentials have no SNMP meaning here (a wrong community just times out).
Limits: the set of communities is fixed when snmpsim starts (it scans the directory once).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from device_fixtures.snmp.base import Device
from device_fixtures.snmp.families import snmprec_text
from device_fixtures.snmp.relay import LatencyRelay
from device_fixtures.snmp.wire import get_request, is_response

PROBE_COMMUNITY = "_fleet_probe"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"


class SnmpFleetError(RuntimeError):
    """snmpsim did not start or did not answer."""


@dataclass
class _Endpoint:
    """One snmpsim process and, when enabled, the latency relay in front of it."""

    process: subprocess.Popen[bytes]
    agent_port: int
    port: int
    relay: LatencyRelay | None


RESPONDER = """
import resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = hard if hard != resource.RLIM_INFINITY else 65536
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(want, 65536)), hard))
from snmpsim import datafile
datafile.DataFile.max_queue_entries = max(31, (resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 256) // 3)
from snmpsim.commands.responder import main
sys.exit(main())
"""
"""snmpsim's responder, keeping many more data files open than its default 31: a fleet of 2,000
devices otherwise reopens a device's file and index on nearly every request."""


def responder_command() -> list[str]:
    """How to run snmpsim's command responder from this interpreter's environment."""
    return [sys.executable, "-c", RESPONDER]


def free_udp_port(host: str) -> int:
    """An ephemeral UDP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class SnmpFleet:
    """A running fleet: look devices up, move time on, publish state changes, stop."""

    def __init__(self, devices: Sequence[Device], data_dir: Path, host: str, *, seed: int = 0) -> None:
        self.host = host
        self.data_dir = data_dir
        self.devices = {d.name: d for d in devices}
        if len(self.devices) != len(devices):
            raise ValueError("device names must be unique")
        self.endpoints: list[_Endpoint] = []
        self._rng = random.Random(seed)
        self._mtime = int(time.time()) - 3
        (data_dir / f"{PROBE_COMMUNITY}.snmprec").write_text(f"{SYS_UPTIME}|67|0\n")
        self.publish()

    @property
    def port(self) -> int:
        """The UDP port clients use (the first process's, when several run)."""
        return self.endpoints[0].port

    @property
    def ports(self) -> list[int]:
        """One port per snmpsim process; every port serves every device."""
        return [e.port for e in self.endpoints]

    def community_of(self, name: str) -> str:
        """The SNMPv2c community that selects this device (its file name)."""
        if name not in self.devices:
            raise KeyError(name)
        return name

    def device(self, name: str) -> Device:
        """The live state of a device; change it, then ``publish(name)``."""
        return self.devices[name]

    def tick(self, seconds: float = 60.0) -> None:
        """Let ``seconds`` pass on every device (counters, signals, optics) and publish."""
        for device in self.devices.values():
            device.apply_reboot()
            device.advance(seconds, self._rng)
        self.publish()

    def reboot(self, name: str) -> None:
        """Reboot one device now: uptime and counters restart from zero."""
        self.devices[name].faults.reboot()
        self.publish(name)

    def publish(self, *names: str) -> None:
        """Write the current state (and faults) of the named devices, or of all (one mtime)."""
        self._mtime = max(self._mtime + 1, int(time.time()))
        for name in names or tuple(self.devices):
            device = self.devices[name]
            device.apply_reboot()
            self._write(device)

    def _write(self, device: Device) -> None:
        path = self.data_dir / f"{device.name}.snmprec"
        if device.faults.silent:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(snmprec_text(device), encoding="latin-1")
        os.utime(tmp, (self._mtime, self._mtime))
        os.replace(tmp, path)

    def latency_of(self, community: str) -> float:
        """The latency fault of the device behind a community (0 for unknown ones)."""
        device = self.devices.get(community)
        return device.faults.latency_s if device is not None else 0.0

    def start(self, *, port: int = 0, processes: int = 1, relay: bool = True) -> None:
        """Start ``processes`` snmpsim processes (ports ``port``, ``port+1``..., or ephemeral).

        With the relay, every public port spreads the devices over all the processes (one device,
        one process), so a client using any one port gets the throughput of all of them.
        """
        agents: list[tuple[subprocess.Popen[bytes], int]] = []
        for k in range(processes):
            wanted = port + k if port else 0
            agent_port = free_udp_port(self.host) if relay or not wanted else wanted
            agents.append((self._spawn(agent_port, k), agent_port))
        upstreams = [(self.host, agent_port) for _, agent_port in agents]
        for k, (process, agent_port) in enumerate(agents):
            front: LatencyRelay | None = None
            public = agent_port
            if relay:
                front = LatencyRelay(upstreams, self.latency_of)
                public = front.start(self.host, port + k if port else 0)
            self.endpoints.append(_Endpoint(process, agent_port, public, front))
        for endpoint in self.endpoints:
            self._wait_ready(endpoint, endpoint.agent_port)
            if endpoint.port != endpoint.agent_port:
                self._wait_ready(endpoint, endpoint.port)

    def _spawn(self, agent_port: int, k: int) -> subprocess.Popen[bytes]:
        cache = self.data_dir.parent / f"cache-{k}"
        cache.mkdir(exist_ok=True)
        log = (self.data_dir.parent / f"snmpsim-{k}.log").open("wb")
        args = [
            *responder_command(),
            f"--data-dir={self.data_dir}",
            f"--cache-dir={cache}",
            f"--agent-udpv4-endpoint={self.host}:{agent_port}",
            "--log-level=error",
        ]
        env = {**os.environ, "SNMPSIM_ALLOW_ROOT": "true"}
        with log:
            return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)

    def _wait_ready(self, endpoint: _Endpoint, port: int, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or 20.0 + 0.02 * len(self.devices))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(0.2)
            request = 1
            while time.monotonic() < deadline:
                if endpoint.process.poll() is not None:
                    raise SnmpFleetError(f"snmpsim exited: {self._log_tail()}")
                sock.sendto(get_request(PROBE_COMMUNITY, SYS_UPTIME, request), (self.host, port))
                request += 1
                try:
                    if is_response(sock.recv(65535)):
                        return
                except TimeoutError:
                    continue
        raise SnmpFleetError(f"snmpsim on port {port} did not answer: {self._log_tail()}")

    def _log_tail(self) -> str:
        logs = sorted(self.data_dir.parent.glob("snmpsim-*.log"))
        return " | ".join(p.read_text(errors="replace")[-600:] for p in logs)

    def stop(self) -> None:
        """Terminate every snmpsim process (by pid) and relay."""
        for endpoint in self.endpoints:
            if endpoint.relay is not None:
                endpoint.relay.stop()
            if endpoint.process.poll() is None:
                endpoint.process.terminate()
                try:
                    endpoint.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    endpoint.process.kill()
                    endpoint.process.wait(timeout=5)
        self.endpoints.clear()


@contextmanager
def serve_snmp_fleet(
    devices: Sequence[Device],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    processes: int = 1,
    relay: bool = True,
) -> Iterator[SnmpFleet]:
    """Serve ``devices`` from snmpsim on ``host``; yields once every process answers.

    ``processes`` > 1 starts that many snmpsim processes on consecutive ports, all serving the
    whole fleet, for throughput. ``relay=False`` exposes snmpsim directly (no latency fault).
    """
    workdir = Path(tempfile.mkdtemp(prefix="snmp-fleet-"))
    data_dir = workdir / "data"
    data_dir.mkdir()
    fleet = SnmpFleet(devices, data_dir, host)
    try:
        fleet.start(port=port, processes=processes, relay=relay)
        yield fleet
    finally:
        fleet.stop()
        shutil.rmtree(workdir, ignore_errors=True)
