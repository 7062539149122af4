"""The registry of simulated SNMP families and the snmprec text of a device (faults applied).

Every family is a state dataclass (``Device`` subclass) whose ``records()`` is a pure function of
its state, following what the real agent reports: sysObjectID and sysDescr, the SNMP type of
every column, hex-encoded octets where the recording has them, and the index forms.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from device_fixtures.snmp.base import Device
from device_fixtures.snmp.olts import build_huawei_olt, build_zte_olt
from device_fixtures.snmp.olts_extra import build_bdcom_olt, build_ufiber_olt, build_vsol_olt
from device_fixtures.snmp.radios import build_epmp_ap, build_mikrotik, build_pmp450_ap
from device_fixtures.snmp.records import Record, render
from device_fixtures.snmp.ubnt import build_airfiber_ltu, build_airmax_ap, build_unifi_ap

Builder = Callable[[str, random.Random], Device]

FAMILIES: dict[str, Builder] = {
    "airos": build_airmax_ap,
    "airos-af-ltu": build_airfiber_ltu,
    "unifi": build_unifi_ap,
    "epmp": build_epmp_ap,
    "pmp": build_pmp450_ap,
    "routeros": build_mikrotik,
    "smartax": build_huawei_olt,
    "zxa10": build_zte_olt,
    "vsolution": build_vsol_olt,
    "bdcom": build_bdcom_olt,
    "edgeosolt": build_ufiber_olt,
}
"""Family name (LibreNMS's OS name) to the builder of a typical device of that family."""

TRAP_VALUE = "op=any,status=generror"
"""Arguments of snmpsim's ``error`` variation module: answer genErr to every read."""


def build_device(family: str, name: str, *, seed: int | None = None) -> Device:
    """A device of ``family`` named ``name``; the same seed gives the same device."""
    try:
        builder = FAMILIES[family]
    except KeyError:
        raise ValueError(f"unknown SNMP family {family!r}; known: {', '.join(FAMILIES)}") from None
    return builder(name, random.Random(f"{family}/{name}/{seed}"))


def build_fleet(count: int, *, families: Sequence[str] = (), seed: int = 0) -> list[Device]:
    """``count`` devices cycling through ``families`` (all by default), named ``<family>-<n>``."""
    chosen = list(families) or list(FAMILIES)
    return [
        build_device(chosen[i % len(chosen)], f"{chosen[i % len(chosen)]}-{i // len(chosen) + 1}", seed=seed)
        for i in range(count)
    ]


def served_records(device: Device) -> list[Record]:
    """The records snmpsim should serve now: the device's, or genErr ones when ``faults.trap``."""
    records = device.records()
    if device.faults.trap:
        return [(oid, f"{tag}:error", TRAP_VALUE) for oid, tag, _ in records]
    return records


def snmprec_text(device: Device) -> str:
    """The .snmprec file content for the device as it stands."""
    return render(served_records(device))
