"""`ispnoc demo`: a demo ISP in a fresh store, billed for two months, one suspension run, and a
payment that reactivates a suspended customer at once, all shown as it happens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing import payments
from billing.enforcement import RecordingEnforcer
from billing.ledger import outstanding
from billing.models import Bill, Customer, Payment, SuspensionLog
from billing.policy import SuspensionPolicy
from billing.suspension import RunReport, run_suspension
from ispnoc.demo_data import DemoIsp, build, build_demo_isp
from ispnoc.wiring import Store, open_store
from store.db import session_scope
from store.types import utcnow

DEMO_FILE = Path("ispnoc-demo.db")


@dataclass(frozen=True)
class Outcome:
    """The run and the reactivation the demo performed (for tests and the summary)."""

    isp: DemoIsp
    run: RunReport
    reactivated_id: int | None
    router_calls: list[tuple[str, int]]


def fresh_sqlite(path: Path) -> str:
    """A SQLite URL for ``path``, removing what an earlier demo left there."""
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def run_demo(*, database_url: str | None = None, customers: int = 200, console: Console | None = None) -> int:
    """Build, bill, suspend, reactivate, show; 0 on success, 1 (with a reason) on failure."""
    out = console or Console()
    store = open_store(database_url=database_url or fresh_sqlite(DEMO_FILE))
    with session_scope(store.sessions) as session:
        if session.scalar(select(func.count(Customer.id))):
            out.print("[red]error:[/] the demo needs an empty database; this one already has customers")
            return 1
    outcome = play(store, customers=customers, console=out)
    show(out, store, outcome)
    out.print(f"\nThe demo store is [bold]{store.engine.url.render_as_string()}[/]; explore it with "
              "[bold]ISPNOC_DATABASE_URL=... ispnoc suspend run --dry-run --json[/].")
    return 0


def play(store: Store, *, customers: int, console: Console) -> Outcome:
    """The demo's story: build the ISP, run one suspension, then one customer pays."""
    now = utcnow()
    settings = store.settings
    with console.status("Building the demo ISP: operators, packages, customers, two months of bills"):
        isp = build_demo_isp(store.sessions, now=now, customers_n=customers, due_days=settings.bill_due_days)
    enforcer = RecordingEnforcer()
    policy = SuspensionPolicy(grace_days=settings.grace_days)
    with console.status("Running the auto-suspension"):
        report = run_suspension(store.sessions, now=now, policy=policy, enforcer=enforcer, trigger="demo")
    reactivated = _pay_one(store, now=now)
    if reactivated is not None:
        with session_scope(store.sessions) as session:
            from billing.enforcement import apply_pending

            apply_pending(session, enforcer, now=now)
    calls = [(call.action, call.subscriber.customer_id) for call in enforcer.calls]
    return Outcome(isp=isp, run=report, reactivated_id=reactivated, router_calls=calls)


def _pay_one(store: Store, *, now: datetime) -> int | None:
    """The first customer the run suspended for an overdue bill pays what they owe."""
    with session_scope(store.sessions) as session:
        row = session.execute(
            select(SuspensionLog.customer_id).where(SuspensionLog.reason == "overdue")
            .order_by(SuspensionLog.id).limit(1)
        ).first()
        if row is None:
            return None
        due = outstanding(session, row.customer_id)
        payments.record_payment(session, data=build(
            payments.PaymentCreate, customer_id=row.customer_id, amount=due, method="bkash",
            reference="DEMO-PAYMENT", transaction_id="BK-DEMO-0001",
        ), now=now)
        return int(row.customer_id)


def _counts(session: Session) -> Table:
    table = Table(title="Customers after the run", show_edge=False)
    for col in ("status", "billing", "customers", "balance"):
        table.add_column(col, justify="right" if col in ("customers", "balance") else "left")
    rows = session.execute(
        select(Customer.status, Customer.billing_type, func.count(), func.sum(Customer.balance))
        .group_by(Customer.status, Customer.billing_type).order_by(Customer.status, Customer.billing_type)
    )
    for status, billing, n, balance in rows:
        table.add_row(str(status), str(billing), str(n), f"{Decimal(balance or 0):,.2f}")
    return table


def show(out: Console, store: Store, outcome: Outcome) -> None:
    """Print what the demo built and what the run did."""
    stories = outcome.isp.story_counts()
    out.rule("[bold]ispnoc demo ISP")
    mix = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in stories.most_common())
    out.print(f"{len(outcome.isp.operator_ids)} operators, {len(outcome.isp.package_ids)} packages, "
              f"{sum(stories.values())} customers: {mix}")
    with session_scope(store.sessions) as session:
        billed = session.scalar(select(func.count(Bill.id)))
        paid = session.scalar(select(func.count(Payment.id)))
        out.print(f"{billed} bills generated over two months, {paid} payments recorded")
        out.print(_counts(session))
        _show_run(out, session, outcome)


def _show_run(out: Console, session: Session, outcome: Outcome) -> None:
    run = outcome.run
    out.rule("[bold]Auto-suspension run")
    stories = outcome.isp.story_counts()
    out.print(f"run {run.run_id}: {run.suspended} suspended, {run.applied} applied on the routers, "
              f"{run.failed} failed; exempt: {stories['never_suspend']} never-suspend, "
              f"{stories['promise']} with a promise to pay")
    table = Table(show_edge=False)
    for col in ("customer", "reason", "bills", "amount due"):
        table.add_column(col)
    logs = session.scalars(select(SuspensionLog).where(SuspensionLog.run_id == run.run_id)
                           .order_by(SuspensionLog.id).limit(10))
    for log in logs:
        customer = session.get(Customer, log.customer_id)
        label = f"{customer.name} ({customer.username})" if customer else str(log.customer_id)
        table.add_row(label, log.reason, ", ".join(map(str, log.bill_ids)) or "-", f"{log.amount_due:,.2f}")
    out.print(table)
    if outcome.reactivated_id is not None:
        customer = session.get(Customer, outcome.reactivated_id)
        if customer is not None:
            out.rule("[bold]A payment arrives")
            out.print(f"{customer.name} paid by bKash: status [bold]{customer.status}[/], router state "
                      f"[bold]{customer.applied_state}[/] (reactivated in the payment's own transaction)")
