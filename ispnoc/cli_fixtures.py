"""`ispnoc fixtures up`: the simulated ISP network on 127.0.0.1 until Ctrl-C, with its inventory."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from device_fixtures.network import Network, run_network, tree_rss_mb
from device_fixtures.scenario import SCENARIOS, load_scenario
from device_fixtures.syslog import SyslogTarget

INVENTORY = Path("ispnoc-fixtures.json")
fixtures_app = typer.Typer(no_args_is_help=True, help="The simulated ISP network (device fixtures).")
out = Console(highlight=False)


def summary(net: Network, inventory: Path) -> Table:
    """One row per kind of device: how many and where."""
    table = Table(title=f"scenario {net.scenario.name}: up in {net.started_s:.1f} s, "
                        f"{tree_rss_mb():.0f} MB", show_edge=False)
    for col in ("kind", "count", "where"):
        table.add_column(col)
    snmp_ports = sorted({r["snmp"]["port"] for r in net.radios})
    table.add_row("routers (RouterOS API + SNMP)", str(len(net.routers)),
                  _ports([r.get("api", {}).get("port") for r in net.routers]))
    table.add_row("subscribers (PPPoE + hotspot)", str(len(net.subscribers)), "on the routers")
    ssh_ports = _ports([o.get("ssh", {}).get("port") for o in net.olts])
    table.add_row("OLTs (SSH CLI + SNMP)", str(len(net.olts)), ssh_ports)
    table.add_row("ONUs", str(len(net.onus)), "on the OLTs")
    table.add_row("radios (SNMP)", str(len(net.radios)), f"udp {', '.join(map(str, snmp_ports))}")
    table.add_row("Zabbix (JSON-RPC)", "1" if net.zabbix else "0", str(net.zabbix.get("api_url", "-")))
    table.caption = f"inventory (addresses, ports, credentials): {inventory}"
    return table


def _syslog_target(value: str | None) -> SyslogTarget | None:
    if value is None:
        return None
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise typer.BadParameter("expected HOST:PORT, e.g. 127.0.0.1:5514", param_hint="--syslog")
    return SyslogTarget(host, int(port))


def _ports(ports: list[int | None]) -> str:
    known = sorted(p for p in ports if p)
    if not known:
        return "-"
    return f"tcp {known[0]}" if len(known) == 1 else f"tcp {known[0]}..{known[-1]}"


@fixtures_app.command("up")
def up(
    scenario: Annotated[str, typer.Option(help=f"{' | '.join(SCENARIOS)} | a .json/.toml FILE")] = "demo",
    inventory: Annotated[Path, typer.Option(help="where to write the inventory")] = INVENTORY,
    syslog: Annotated[str | None, typer.Option(help="send the routers' syslog to HOST:PORT (UDP)")] = None,
    host: Annotated[str, typer.Option(help="bind address (loopback)")] = "127.0.0.1",
) -> None:
    """Start the whole simulated network and keep it up until Ctrl-C (or SIGTERM)."""
    try:
        spec = load_scenario(scenario)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--scenario") from exc
    target = _syslog_target(syslog)
    done = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        with run_network(spec, host=host, syslog=target) as net:
            net.write_inventory(inventory)
            out.print(summary(net, inventory))
            out.print(f"up (pid {os.getpid()}); Ctrl-C stops everything", markup=False)
            try:
                done.wait()
            except KeyboardInterrupt:
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        inventory.unlink(missing_ok=True)
    out.print("stopped", markup=False)
