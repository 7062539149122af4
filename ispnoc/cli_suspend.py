"""`ispnoc suspend run`: the cron-friendly auto-suspension run (quiet, or a JSON summary)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console

from billing.errors import BillingError
from collectors.mikrotik_enforcer import MikrotikEnforcer
from ispnoc.enforcers import mikrotik_enforcer
from ispnoc.wiring import Store, open_store
from scheduler.runs import SuspendOptions, suspend_now
from store.types import utcnow

suspend_app = typer.Typer(no_args_is_help=True, help="Auto-suspension of customers who did not pay.")
err = Console(stderr=True, highlight=False)


def make_enforcer(store: Store) -> MikrotikEnforcer:
    """The router seam for CLI runs: the MikroTik enforcer over the device inventory."""
    return mikrotik_enforcer(store)


def parse_now(value: str | None) -> datetime:
    """``--now`` as an aware instant; a time without an offset is refused (it would be ambiguous)."""
    if value is None:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO-8601 time: {value!r}", param_hint="--now") from exc
    if moment.tzinfo is None:
        raise typer.BadParameter("needs a UTC offset, e.g. 2026-05-20T06:00:00+06:00", param_hint="--now")
    return moment


def _fail(reason: str) -> None:
    err.print(f"error: {reason}", markup=False)
    raise typer.Exit(1)


@suspend_app.command("run")
def run(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="report what a run would do only")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary on stdout")] = False,
    now: Annotated[str | None, typer.Option(help="run as of this ISO-8601 time (default: now)")] = None,
) -> None:
    """Suspend overdue and expired customers, reactivate cleared ones, apply both on the routers."""
    moment = parse_now(now)
    try:
        store = open_store()
        options = SuspendOptions(grace_days=store.settings.grace_days, dry_run=dry_run, trigger="cli")
        report = suspend_now(store.sessions, now=moment, enforcer=make_enforcer(store), options=options)
    except BillingError as exc:
        _fail(exc.message)
    except Exception as exc:  # a cron job needs one line, not a traceback
        _fail(f"{type(exc).__name__}: {exc}".splitlines()[0])
    if as_json:
        typer.echo(json.dumps(report.summary()))
    for drift in report.drift:  # stderr, so cron mails it; stdout stays the JSON summary
        err.print(f"drift: customer {drift.customer_id} on router {drift.router_id}: {drift.found}, "
                  f"the store says {drift.store.value}", markup=False)
