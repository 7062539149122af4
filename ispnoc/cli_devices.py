"""`ispnoc devices import FILE`: load a device inventory (e.g. the one `ispnoc fixtures up` writes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from collectors.inventory import InventoryError, import_inventory
from ispnoc.vault import seal
from ispnoc.wiring import open_store
from store.db import session_scope
from store.types import utcnow

devices_app = typer.Typer(no_args_is_help=True, help="The device inventory: routers, OLTs, radios, Zabbix.")


@devices_app.command("import")
def import_file(path: Annotated[Path, typer.Argument(help="inventory JSON file")]) -> None:
    """Add or update (by name) every device the file lists; secrets are stored sealed."""
    try:
        inventory = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc}", param_hint="FILE") from exc
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
