"""A device inventory as CSV (one device a row, as a spreadsheet export gives it), turned into the
same shape as the JSON inventory ``ispnoc fixtures up`` writes, so one importer loads both.

Columns (a header row names them; order free; empty cells are "not given"):
``name, kind`` (router, olt, radio, zabbix), ``host``, ``vendor`` (OLTs), ``family`` (radios: airos,
airos-af-ltu, unifi, epmp, pmp), ``api_port``, ``ssh_port``, ``snmp_port``, ``snmp_community``,
``username``, ``password``, ``url`` (Zabbix API URL).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from collectors.inventory import InventoryError

KINDS = ("router", "olt", "radio", "zabbix")
PORTS = ("api_port", "ssh_port", "snmp_port")
KNOWN = frozenset({"name", "kind", "host", "vendor", "family", *PORTS, "snmp_community", "username",
                   "password", "url"})


def _port(row: Mapping[str, str], key: str, where: str) -> int | None:
    text = (row.get(key) or "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InventoryError(f"{where}: {key} must be a port number (1-65535), not {text!r}")
    return int(text)


def _access(port: int | None, row: Mapping[str, str]) -> dict[str, Any]:
    return {"port": port, "username": row.get("username") or None, "password": row.get("password") or ""}


def _snmp(row: Mapping[str, str], where: str) -> dict[str, Any]:
    return {"port": _port(row, "snmp_port", where), "version": "2c",
            "community": row.get("snmp_community") or ""}


def _entry(kind: str, row: Mapping[str, str], where: str) -> dict[str, Any]:
    """One inventory entry of ``kind`` from a CSV row."""
    base: dict[str, Any] = {"name": row.get("name", ""), "kind": kind, "host": row.get("host", "")}
    if kind == "router":
        return {**base, "api": _access(_port(row, "api_port", where), row), "snmp": _snmp(row, where)}
    if kind == "olt":
        return {**base, "vendor": row.get("vendor", ""), "ssh": _access(_port(row, "ssh_port", where), row),
                "snmp": _snmp(row, where)}
    if kind == "radio":
        return {**base, "family": row.get("family", ""), "snmp": _snmp(row, where)}
    url = row.get("url") or ""
    return {"name": row.get("name") or "zabbix", "kind": kind, "url": url, "api_url": url,
            "username": row.get("username") or None, "password": row.get("password") or ""}


def inventory_from_csv(text: str) -> dict[str, Any]:
    """The inventory a CSV text describes; InventoryError names the line and column that is wrong."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = sorted(set(header) - KNOWN)
    if not header or "name" not in header or "kind" not in header:
        raise InventoryError("CSV inventory: the header must name at least the columns name and kind")
    if unknown:
        raise InventoryError(f"CSV inventory: unknown columns: {', '.join(unknown)}")
    out: dict[str, Any] = {"routers": [], "olts": [], "radios": []}
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        where = f"line {line}"
        kind = row.get("kind", "").lower()
        if kind not in KINDS:
            raise InventoryError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if kind == "zabbix":
            out["zabbix"] = _entry(kind, row, where)
        else:
            out[f"{kind}s"].append(_entry(kind, row, where))
    return out
