"""A whole simulated ISP on 127.0.0.1, started from a Scenario: SNMP agents (snmpsim) for radios,
OLTs and routers, a Zabbix server watching them, RouterOS API routers with their subscribers and
SSH OLTs with their ONUs. Values move on a background tick; ``inventory()`` says where everything
is and how to log in, in the shape ``ispnoc devices import`` reads."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from device_fixtures import olts_up, routers_up
from device_fixtures.scenario import Scenario
from device_fixtures.snmp import build_device, serve_snmp_fleet
from device_fixtures.snmp.base import Device
from device_fixtures.snmp.olts import Olt, build_huawei_olt, build_zte_olt
from device_fixtures.syslog import SyslogTarget
from device_fixtures.zabbix import make_zabbix_state, serve_zabbix

INVENTORY_VERSION = 1
OLT_BUILDERS: dict[str, Callable[..., Olt]] = {"huawei": build_huawei_olt, "zte": build_zte_olt}
Ticker = Callable[[float], None]


@dataclass
class Network:
    """The running network: what ``inventory()`` reports and what the tick thread moves."""

    scenario: Scenario
    host: str
    routers: list[dict[str, Any]] = field(default_factory=list)
    olts: list[dict[str, Any]] = field(default_factory=list)
    radios: list[dict[str, Any]] = field(default_factory=list)
    zabbix: dict[str, Any] = field(default_factory=dict)
    subscribers: list[dict[str, Any]] = field(default_factory=list)
    onus: list[dict[str, Any]] = field(default_factory=list)
    tickers: list[Ticker] = field(default_factory=list)
    syslog_target: SyslogTarget | None = None
    started_s: float = 0.0

    def inventory(self) -> dict[str, Any]:
        """Addresses, ports, credentials and kinds of every device, plus subscribers and ONUs."""
        return {
            "version": INVENTORY_VERSION, "scenario": self.scenario.name, "host": self.host,
            "routers": self.routers, "olts": self.olts, "radios": self.radios, "zabbix": self.zabbix,
            "subscribers": self.subscribers, "onus": self.onus,
        }

    def write_inventory(self, path: Path) -> Path:
        """Write the inventory as JSON (readable only by its owner: it holds credentials)."""
        path.write_text(json.dumps(self.inventory(), indent=2), encoding="utf-8")
        path.chmod(0o600)
        return path

    def tick(self, seconds: float) -> None:
        """Move every device's state forward by ``seconds``."""
        for ticker in self.tickers:
            ticker(seconds)


def _snmp_devices(scenario: Scenario) -> tuple[list[Device], list[Device], dict[str, Olt]]:
    """Radios, and the SNMP faces of the OLTs (by OLT name)."""
    radios = [
        build_device(scenario.radio_families[i % len(scenario.radio_families)], f"radio-{i + 1:04d}",
                     seed=scenario.seed)
        for i in range(scenario.radios)
    ]
    olt_faces: dict[str, Olt] = {}
    pons = 8 if scenario.onus_per_olt >= 64 else 2
    for i in range(scenario.olts):
        vendor = scenario.olt_vendors[i % len(scenario.olt_vendors)]
        name = f"olt-{i + 1:03d}"
        build = OLT_BUILDERS[vendor]
        olt = build(name, random.Random(f"{scenario.seed}/{name}"), pons=pons,
                    per_pon=max(1, scenario.onus_per_olt // pons))
        olt.flap_probability = scenario.flap
        olt_faces[name] = olt
    routers = [build_device("routeros", f"rtr-{i + 1:03d}", seed=scenario.seed)
               for i in range(scenario.routers)]
    return radios, routers, olt_faces


def _zabbix_hosts(net: Network) -> list[tuple[str, str]]:
    names = [r["name"] for r in net.routers] + [o["name"] for o in net.olts] + [r["name"] for r in net.radios]
    hosts = [(name, f"10.{20 + k // 62500}.{k // 250 % 250}.{k % 250 + 1}") for k, name in enumerate(names)]
    while len(hosts) < net.scenario.zabbix_hosts:
        k = len(hosts)
        hosts.append((f"sw-{k + 1:04d}", f"10.90.{k // 250 % 250}.{k % 250 + 1}"))
    return hosts[: net.scenario.zabbix_hosts]


@contextmanager
def run_network(
    scenario: Scenario, *, host: str = "127.0.0.1", tick: bool = True, syslog: SyslogTarget | None = None
) -> Iterator[Network]:
    """Start everything in ``scenario``; stop it all (and the tick thread) on exit."""
    t0 = time.perf_counter()
    net = Network(scenario=scenario, host=host, syslog_target=syslog)
    radios, routers, olt_faces = _snmp_devices(scenario)
    with ExitStack() as stack:
        fleet = stack.enter_context(serve_snmp_fleet(
            [*radios, *routers, *olt_faces.values()], host=host, processes=scenario.snmp_processes))
        snmp = {"port": fleet.port, "version": "2c"}
        net.radios = [{"name": d.name, "kind": "radio", "family": d.family, "host": host,
                       "snmp": {**snmp, "community": fleet.community_of(d.name)}} for d in radios]
        _add_routers(net, stack, routers, fleet)
        _add_olts(net, stack, olt_faces, fleet)
        net.tickers.append(lambda seconds: fleet.tick(seconds))
        state = make_zabbix_state(_zabbix_hosts(net), seed=scenario.seed, problems=scenario.zabbix_problems)
        server = stack.enter_context(serve_zabbix(state, host=host))
        net.zabbix = {"name": "zabbix", "kind": "zabbix", "url": server.url, "api_url": server.api_url,
                      "username": "Admin", "password": "zabbix", "version": state.version}
        net.tickers.append(state.tick)
        net.started_s = time.perf_counter() - t0
        if tick:
            stack.enter_context(_ticking(net, scenario.tick_seconds))
        yield net


def _add_routers(net: Network, stack: ExitStack, faces: list[Device], fleet: Any) -> None:
    """RouterOS API routers (their SNMP face from the fleet) with PPPoE and hotspot subscribers."""
    routers_up.add(net, stack, faces, fleet)


def _add_olts(net: Network, stack: ExitStack, faces: dict[str, Olt], fleet: Any) -> None:
    """SSH OLTs (their SNMP face from the fleet) with ONUs whose serials the inventory lists."""
    olts_up.add(net, stack, faces, fleet)


@contextmanager
def _ticking(net: Network, every: float) -> Iterator[None]:
    """A daemon thread calling ``net.tick(every)`` every ``every`` seconds until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            net.tick(every)

    thread = threading.Thread(target=loop, name="network-tick", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 5)


def tree_rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    import os

    root = pid or os.getpid()
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            status = (entry / "status").read_text()
        except OSError:
            continue
        children.setdefault(int(stat[1]), []).append(int(entry.name))
        kb = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
        rss[int(entry.name)] = int(kb)
    total, todo = 0, [root]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total / 1024
