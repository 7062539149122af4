"""The OLTs of a running network: each OLT's SNMP face (served by the shared snmpsim fleet) and
its SSH CLI, both over the same ONUs, whose serials the inventory lists for matching customers."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from device_fixtures.snmp.olts import HuaweiOlt, Olt

if TYPE_CHECKING:
    from device_fixtures.network import Network


def vendor_of(olt: Olt) -> str:
    """``huawei`` or ``zte``, from the SNMP face's family."""
    return "huawei" if isinstance(olt, HuaweiOlt) else "zte"


def add(net: Network, stack: ExitStack, faces: dict[str, Olt], fleet: Any) -> None:
    """Record every OLT with its SNMP access, and every ONU with its serial and place."""
    for name, olt in faces.items():
        net.olts.append({
            "name": name, "kind": "olt", "vendor": vendor_of(olt), "host": net.host,
            "snmp": {"port": fleet.port, "version": "2c", "community": fleet.community_of(name)},
        })
        for onu in olt.onus:
            net.onus.append({"olt": name, "serial": onu.serial, "pon": onu.pon, "onu_id": onu.onu_id,
                             "name": onu.name, "mac": onu.mac})
