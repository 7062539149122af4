"""`ispnoc devices import FILE`: load a device inventory (e.g. the one `ispnoc fixtures up` writes);
`ispnoc devices list`: the inventory with each device's health (secrets never shown)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from collectors.inventory import InventoryError, import_inventory
from collectors.inventory_csv import inventory_from_csv
from collectors.models import Device
from ispnoc.vault import seal
from ispnoc.wiring import open_store
from store.db import session_scope
from store.types import utcnow

WIDE = 160
devices_app = typer.Typer(no_args_is_help=True, help="The device inventory: routers, OLTs, radios, Zabbix.")


def read_inventory(path: str) -> dict[str, Any]:
    """The inventory in ``path`` (``-`` = standard input): JSON, or CSV by its ``.csv`` name or its look."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="FILE") from exc
    if path.lower().endswith(".csv") or not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return inventory_from_csv(text)
    try:
        data: dict[str, Any] = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{path} is not JSON: {exc}", param_hint="FILE") from exc
    return data


@devices_app.command("import")
def import_file(path: Annotated[str, typer.Argument(help="JSON or CSV inventory file; - for stdin")]) -> None:
    """Add or update (by name) every device the file lists; secrets are stored sealed."""
    try:
        inventory = read_inventory(path)
    except InventoryError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    store = open_store()
    try:
        with session_scope(store.sessions) as session:
            result = import_inventory(session, inventory, seal=lambda text: seal(store.settings, text),
                                      now=utcnow())
    except (InventoryError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    kinds = sorted(set(result.added) | set(result.updated))
    summary = ", ".join(
        f"{k}: {result.added.get(k, 0)} added, {result.updated.get(k, 0)} updated" for k in kinds)
    typer.echo(summary or "nothing to import")


def inventory_table(devices: list[Device]) -> Table:
    """Name, kind, vendor, host, status, last success and last error of each device."""
    table = Table("id", "name", "kind", "vendor", "host", "status", "last success", "last error",
                  title=f"{len(devices)} devices")
    for d in devices:
        seen = d.last_success_at.isoformat(timespec="seconds") if d.last_success_at else "never"
        status = d.status.value if d.enabled else f"{d.status.value} (disabled)"
        table.add_row(str(d.id), d.name, d.kind.value, d.vendor.value, d.host, status, seen,
                      (d.last_error or "")[:80])
    return table


@devices_app.command("list")
def list_devices() -> None:
    """The inventory: every device with its status, last success and last error."""
    store = open_store()
    with session_scope(store.sessions) as session:
        devices = list(session.scalars(select(Device).order_by(Device.kind, Device.name)))
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = WIDE
    console.print(inventory_table(devices))
