"""The `ispnoc` command line: database, billing runs, users, clients, the demo."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from ispnoc.wiring import open_store

app = typer.Typer(no_args_is_help=True, add_completion=False, help="ispnoc: network operations for ISPs.")
db_app = typer.Typer(no_args_is_help=True, help="Create or upgrade the database.")
bills_app = typer.Typer(no_args_is_help=True, help="Postpaid billing runs.")
users_app = typer.Typer(no_args_is_help=True, help="Staff users who log in.")
app.add_typer(db_app, name="db")
app.add_typer(bills_app, name="bills")
app.add_typer(users_app, name="users")
err = Console(stderr=True)


def fail(reason: str, code: int = 1) -> None:
    """Print a one-line reason on stderr and exit non-zero."""
    err.print(f"error: {reason}", highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(code)


def settings_problems(exc: ValidationError) -> str:
    """``ISPNOC_SECRET_KEY: must be ...; ISPNOC_PORT: ...`` from the settings' validation error."""
    return "; ".join(f"ISPNOC_{str(problem['loc'][0]).upper() if problem['loc'] else 'SETTINGS'}: "
                     f"{str(problem['msg']).removeprefix('Value error, ')}" for problem in exc.errors())


@app.callback()
def check_settings() -> None:
    """Refuse settings that cannot work (a short ISPNOC_SECRET_KEY, a port that is not a number)
    before any command runs, with one line naming the variable (never its value)."""
    from ispnoc.settings import get_settings

    try:
        get_settings()
    except ValidationError as exc:
        fail(settings_problems(exc))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it up to the newest schema."""
    store = open_store()
    typer.echo(f"database at {store.revision()}")


@bills_app.command("generate")
def bills_generate(
    period: Annotated[str | None, typer.Option(help="YYYY-MM; the current month by default")] = None,
) -> None:
    """Generate postpaid bills for a period (running it twice never bills twice)."""
    from billing.errors import BillingError
    from scheduler.runs import generate
    from store.types import utcnow

    store = open_store()
    try:
        result = generate(store.sessions, now=utcnow(), period=period, due_days=store.settings.bill_due_days)
    except BillingError as exc:
        fail(f"{exc.field or 'input'}: {exc.message}")
    typer.echo(f"period {result.period}: {result.created} bills generated, {result.skipped} already billed")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    role: Annotated[str, typer.Option(help="admin, billing, noc or read-only")] = "admin",
    operator_id: Annotated[int | None, typer.Option(help="scope the user to one operator")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create a staff user (the password is hashed with argon2 and never printed)."""
    from billing.errors import BillingError
    from billing.staff import StaffCreate, create_staff_user
    from store.db import session_scope
    from store.types import utcnow

    store = open_store()
    try:
        with session_scope(store.sessions) as session:
            user = create_staff_user(
                session, data=StaffCreate(email=email, name=name, password=password, role=role,
                                          operator_id=operator_id), now=utcnow())
    except BillingError as exc:
        fail(f"{exc.field or 'input'}: {exc.message}")
    typer.echo(f"user {user.id} <{user.email}> created with role {user.role}")


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="bind address (ISPNOC_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port (ISPNOC_PORT)")] = None,
) -> None:
    """Run the REST API with uvicorn on the configured store, and the scheduler unless it is off."""
    from ispnoc.server import serve as run_server
    from ispnoc.settings import get_settings

    settings = get_settings()
    changes = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = settings.model_copy(update=changes)
    open_store(settings)
    run_server(settings)


@app.command("demo")
def demo(
    port: Annotated[int, typer.Option(help="port of the dashboard and API")] = 8000,
    host: Annotated[str, typer.Option(help="bind address (loopback only is wise)")] = "127.0.0.1",
    scenario: Annotated[str, typer.Option(help="demo, large, or a JSON/TOML scenario file")] = "demo",
    database_url: Annotated[str | None, typer.Option(help="store URL (default: new ispnoc-demo.db)")] = None,
    billing_only: Annotated[bool, typer.Option(help="no network: bill, suspend, pay, exit")] = False,
) -> None:
    """The whole system on this machine: a simulated ISP network, the store, API, dashboard,
    scheduler and collectors in one process, until Ctrl-C."""
    if billing_only:
        from ispnoc.demo import run_demo

        sys.exit(run_demo(database_url=database_url))
    from ispnoc.demo_live import DemoOptions, run_live_demo

    try:
        code = run_live_demo(DemoOptions(host=host, port=port, scenario=scenario, database_url=database_url))
    except (ValueError, RuntimeError, OSError) as exc:
        fail(str(exc))
    sys.exit(code)


def _add_subcommands() -> None:
    """Sub-apps that live beside their code: suspension, clients, fixtures, devices, collect, scheduler."""
    from ispnoc.cli_clients import clients_app
    from ispnoc.cli_collect import collect_app
    from ispnoc.cli_devices import devices_app
    from ispnoc.cli_fixtures import fixtures_app
    from ispnoc.cli_scheduler import run_scheduler
    from ispnoc.cli_suspend import suspend_app

    app.add_typer(suspend_app, name="suspend")
    app.add_typer(clients_app, name="clients")
    app.add_typer(fixtures_app, name="fixtures")
    app.add_typer(devices_app, name="devices")
    app.add_typer(collect_app, name="collect")
    app.command("scheduler")(run_scheduler)


_add_subcommands()
