"""Loading a device inventory (the JSON ``ispnoc fixtures up`` writes, or one written by hand in
the same shape) into the ``devices`` table: an upsert by name, secrets sealed by the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.enums import DeviceKind, Vendor
from collectors.models import Device

RADIO_VENDORS = {"airos": Vendor.UBIQUITI, "airos-af-ltu": Vendor.UBIQUITI, "unifi": Vendor.UBIQUITI,
                 "epmp": Vendor.CAMBIUM, "pmp": Vendor.CAMBIUM}
Seal = Callable[[str], str]


class InventoryError(ValueError):
    """The inventory is not in the expected shape; the message names the entry and key."""


@dataclass(frozen=True)
class ImportResult:
    """How many devices were added and how many updated, by kind."""

    added: dict[str, int]
    updated: dict[str, int]


def _need(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise InventoryError(f"{where}: missing {key!r}")
    return entry[key]


def _rows(inventory: Mapping[str, Any], seal: Seal) -> Iterator[dict[str, Any]]:
    """Each inventory entry as the columns of one ``devices`` row."""
    for n, r in enumerate(inventory.get("routers", [])):
        api, snmp = r.get("api", {}), r.get("snmp", {})
        yield {"name": _need(r, "name", f"routers[{n}]"), "kind": DeviceKind.ROUTER,
               "vendor": Vendor.MIKROTIK,
               "host": _need(r, "host", f"routers[{n}]"), "api_port": api.get("port"),
               "username": api.get("username"), "password_enc": seal(api.get("password", "")),
               "snmp_port": snmp.get("port"), "snmp_community_enc": seal(snmp.get("community", ""))}
    for n, o in enumerate(inventory.get("olts", [])):
        ssh, snmp = o.get("ssh", {}), o.get("snmp", {})
        yield {"name": _need(o, "name", f"olts[{n}]"), "kind": DeviceKind.OLT,
               "vendor": Vendor(_need(o, "vendor", f"olts[{n}]")), "host": _need(o, "host", f"olts[{n}]"),
               "ssh_port": ssh.get("port"), "username": ssh.get("username"),
               "password_enc": seal(ssh.get("password", "")), "snmp_port": snmp.get("port"),
               "snmp_community_enc": seal(snmp.get("community", ""))}
    for n, d in enumerate(inventory.get("radios", [])):
        snmp = d.get("snmp", {})
        family = _need(d, "family", f"radios[{n}]")
        if family not in RADIO_VENDORS:
            raise InventoryError(f"radios[{n}]: unknown family {family!r}")
        yield {"name": _need(d, "name", f"radios[{n}]"), "kind": DeviceKind.RADIO,
               "vendor": RADIO_VENDORS[family],
               "model": family, "host": _need(d, "host", f"radios[{n}]"), "snmp_port": snmp.get("port"),
               "snmp_community_enc": seal(snmp.get("community", ""))}
    z = inventory.get("zabbix")
    if z:
        yield {"name": z.get("name", "zabbix"), "kind": DeviceKind.ZABBIX, "vendor": Vendor.ZABBIX,
               "host": _need(z, "url", "zabbix"), "http_url": z.get("api_url") or z["url"],
               "username": z.get("username"), "password_enc": seal(z.get("password", ""))}


def import_inventory(
    session: Session, inventory: Mapping[str, Any], *, seal: Seal, now: datetime
) -> ImportResult:
    """Add or update (by name) every device of ``inventory``; all or nothing (the caller's transaction)."""
    if not isinstance(inventory, Mapping):
        raise InventoryError("the inventory must be a JSON object")
    rows = list(_rows(inventory, seal))
    names = [r["name"] for r in rows]
    existing = {d.name: d for d in session.scalars(select(Device).where(Device.name.in_(names)))}
    added: dict[str, int] = {}
    updated: dict[str, int] = {}
    for row in rows:
        device = existing.get(row["name"])
        kind = str(row["kind"])
        if device is None:
            session.add(Device(**row, enabled=True, details={}, consecutive_failures=0, created_at=now))
            added[kind] = added.get(kind, 0) + 1
        else:
            for key, value in row.items():
                setattr(device, key, value)
            updated[kind] = updated.get(kind, 0) + 1
    session.flush()
    return ImportResult(added, updated)
