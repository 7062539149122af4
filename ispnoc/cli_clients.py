"""`ispnoc clients ...`: create, list, rotate and delete API clients (secrets shown once)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from api import clients
from api.models import ApiClient
from billing.errors import BillingError
from ispnoc.wiring import open_store
from store.db import session_scope
from store.types import utcnow

clients_app = typer.Typer(no_args_is_help=True, help="API clients (integrations) and their credentials.")
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


@contextmanager
def _store() -> Iterator[tuple[Session, str]]:
    """One committed transaction on the configured store, and the token-signing key."""
    store = open_store()
    try:
        with session_scope(store.sessions) as session:
            yield session, store.signing_key().get_secret_value()
    except BillingError as exc:
        err.print(f"error: {exc.field or 'input'}: {exc.message}", markup=False)
        raise typer.Exit(1) from exc


def _now() -> Any:
    return utcnow()


def _show(creds: clients.Credentials) -> None:
    client = creds.client
    summary = f"{client.version}, {client.role}, {client.tier}"
    out.print(f"client {client.id} {client.name!r} ({summary})", markup=False)
    out.print(f"client_id:     {client.client_id}", markup=False)
    if creds.client_secret:
        typer.echo(f"client_secret: {creds.client_secret}")
    if creds.tokens:
        typer.echo(f"access_token:  {creds.tokens.access_token}")
        typer.echo(f"refresh_token: {creds.tokens.refresh_token}")
    err.print("store these now: they are not shown again", markup=False)


@clients_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="what the client is, e.g. 'Mobile App'")],
    version: Annotated[str, typer.Option(help="v1 (token pair) or v2 (client id + secret)")] = "v2",
    tier: Annotated[str, typer.Option(help="standard or high")] = "standard",
    role: Annotated[str, typer.Option(help="admin, billing, noc or read-only")] = "read-only",
    operator_id: Annotated[int | None, typer.Option(help="scope to one operator's records")] = None,
    allow: Annotated[list[str] | None, typer.Option(help="allowed source IP or CIDR (repeatable)")] = None,
) -> None:
    """Create a client and print its credentials once."""
    data = clients.ClientCreate(name=name, version=version, tier=tier, role=role, operator_id=operator_id,
                                allowed_ips=tuple(allow or ()))
    with _store() as (session, key):
        _show(clients.create_client(session, data, key=key, now=_now()))


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%SZ") if value else "never"


def _row(c: ApiClient) -> list[str]:
    return [str(c.id), c.name, c.version.value, c.role.value, c.tier.value, str(c.operator_id or "-"),
            ", ".join(c.allowed_ips or []) or "any", _when(c.created_at), _when(c.last_used_at)]


@clients_app.command("list")
def list_(page: Annotated[int, typer.Option(min=1)] = 1,
          per_page: Annotated[int, typer.Option(min=1, max=100)] = 100) -> None:
    """List clients with their created and last-used times (tab-separated, for people and scripts)."""
    with _store() as (session, _key):
        result = clients.list_clients(session, page=page, per_page=per_page)
        rows = [_row(client) for client in result.items]
    typer.echo("\t".join(("id", "name", "version", "role", "tier", "operator", "allow-list", "created",
                          "last used")))
    for row in rows:
        typer.echo("\t".join(row))
    typer.echo(f"page {result.page} of {result.last_page} ({result.total} clients)")


@clients_app.command("rotate")
def rotate(client_id: Annotated[int, typer.Argument(help="the numeric client id")]) -> None:
    """New credentials for a client; everything issued before stops working."""
    with _store() as (session, key):
        _show(clients.rotate_secret(session, client_id, key=key, now=_now()))


@clients_app.command("delete")
def delete(client_id: Annotated[int, typer.Argument(help="the numeric client id")]) -> None:
    """Delete a client; its tokens die with it."""
    with _store() as (session, _key):
        clients.delete_client(session, client_id)
    out.print(f"client {client_id} deleted")
