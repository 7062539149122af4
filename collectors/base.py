"""What every collector family shares: the device as a collector reaches it (``Target``), the
``Collector`` Protocol the cycle runner drives, one exception root, and the registry of families.

A family module holds pure ``parse_*`` functions (raw reply -> frozen dataclasses), one thin class
doing the I/O (``poll``) and the store write (``save``). The cycle runner (``collectors.cycle``)
picks the devices a family ``selects``, polls them concurrently with a per-device timeout, and
saves each result in a transaction of its own; a failure is recorded on the device, never raised.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from collectors.enums import DeviceKind, SourceKind, Vendor
from collectors.models import Device

R = TypeVar("R")
Reveal = Callable[[str | None], str]
"""Turns a stored (sealed) secret back into clear text (``ispnoc.vault.reveal`` bound to settings)."""


class CollectError(Exception):
    """A device could not be polled or its reply not understood; the message never holds secrets."""


@dataclass(frozen=True)
class Target:
    """One device as a collector reaches it: address, ports and secrets in clear (never printed)."""

    device_id: int
    name: str
    kind: DeviceKind
    vendor: Vendor
    host: str
    model: str | None = None
    api_port: int | None = None
    ssh_port: int | None = None
    snmp_port: int | None = None
    http_url: str | None = None
    username: str | None = None
    password: str = field(default="", repr=False)
    community: str = field(default="", repr=False)
    details: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, device: Device, reveal: Reveal) -> Target:
        """The target for an inventory row, its secrets revealed."""
        return cls(
            device_id=device.id, name=device.name, kind=device.kind, vendor=device.vendor,
            host=device.host, model=device.model, api_port=device.api_port, ssh_port=device.ssh_port,
            snmp_port=device.snmp_port, http_url=device.http_url, username=device.username,
            password=reveal(device.password_enc), community=reveal(device.snmp_community_enc),
            details=dict(device.details or {}),
        )


class Collector(Protocol[R]):
    """One source family: which devices it polls, how, and how a reply lands in the store."""

    family: SourceKind

    def selects(self, device: Device) -> bool:
        """Whether this family polls ``device`` (kind, vendor, the access it has)."""
        ...

    async def poll(self, target: Target) -> R:
        """Talk to the device and return the parsed result; raise CollectError on failure."""
        ...

    def save(self, session: Session, target: Target, result: R, *, now: datetime) -> int:
        """Write ``result`` (upsert current state, append history); return how many values landed.

        A result with a true ``device_problem`` attribute (a str) is saved, yet its device is
        recorded down with that reason and counted as failed (every status check failed, say)."""
        ...


FAMILIES: dict[SourceKind, str] = {
    SourceKind.MIKROTIK: "collectors.mikrotik:MikrotikCollector",
    SourceKind.OLT_SSH: "collectors.olt_ssh:OltSshCollector",
    SourceKind.OLT_SNMP: "collectors.olt_snmp:OltSnmpCollector",
    SourceKind.RADIO_SNMP: "collectors.radios:RadioCollector",
    SourceKind.ZABBIX: "collectors.zabbix:ZabbixCollector",
    SourceKind.STATUS: "collectors.status:StatusCollector",
}
"""The registry: family -> the class implementing it (imported on first use)."""


def collector_for(family: SourceKind) -> Collector[Any]:
    """A fresh collector of ``family`` (every class is constructible with no arguments)."""
    module_name, _, class_name = FAMILIES[family].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    collector: Collector[Any] = cls()
    return collector


@dataclass
class CycleResult:
    """One collection cycle of one family: how many devices, how many failed (and why), values."""

    family: SourceKind
    started_at: datetime
    devices: int = 0
    failed: int = 0
    values: int = 0
    duration_s: float = 0.0
    errors: dict[str, str] = field(default_factory=dict)
