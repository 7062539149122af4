"""The OLTs of a running network: each OLT's SNMP face (served by the shared snmpsim fleet) and
its SSH CLI, both over the same ONUs, whose serials the inventory lists for matching customers.

All SSH CLIs share one asyncio loop thread and one host key. An ``ont deactivate`` typed on a
CLI republishes that OLT's SNMP face at once; each tick keeps deactivated ONUs offline."""

from __future__ import annotations

from contextlib import ExitStack, suppress
from typing import TYPE_CHECKING, Any

from device_fixtures.snmp.olts import HuaweiOlt, Olt
from device_fixtures.ssh import OltCliState, serve_olt_ssh

if TYPE_CHECKING:
    from device_fixtures.network import Network

SSH_USER, SSH_PASSWORD = "admin", "admin"


def vendor_of(olt: Olt) -> str:
    """``huawei`` or ``zte``, from the SNMP face's family."""
    return "huawei" if isinstance(olt, HuaweiOlt) else "zte"


def _publisher(fleet: Any) -> Any:
    """Republish one OLT's SNMP face (a write racing the tick's own is simply redone next tick)."""
    def publish(name: str) -> None:
        with suppress(OSError):
            fleet.publish(name)
    return publish


def add(net: Network, stack: ExitStack, faces: dict[str, Olt], fleet: Any) -> None:
    """Start one SSH CLI per OLT; record every OLT with its SSH and SNMP access, and every ONU."""
    states = [OltCliState(olt, credentials={SSH_USER: SSH_PASSWORD}, on_change=_publisher(fleet))
              for olt in faces.values()]
    servers = stack.enter_context(serve_olt_ssh(states, host=net.host))
    for endpoint in servers:
        name, olt = endpoint.name, endpoint.state.olt
        net.olts.append({
            "name": name, "kind": "olt", "vendor": vendor_of(olt), "host": net.host,
            "ssh": {"port": endpoint.port, "username": SSH_USER, "password": SSH_PASSWORD},
            "snmp": {"port": fleet.port, "version": "2c", "community": fleet.community_of(name)},
        })
        for onu in olt.onus:
            net.onus.append({"olt": name, "serial": onu.serial, "pon": onu.pon, "onu_id": onu.onu_id,
                             "name": onu.name, "mac": onu.mac})
    net.tickers.append(lambda seconds: _reassert(states))


def _reassert(states: list[OltCliState]) -> None:
    for state in states:
        state.reassert()
