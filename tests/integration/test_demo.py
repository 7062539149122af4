"""`ispnoc demo`: the demo ISP is built through the services, one run suspends exactly the customers
whose stories say so, and the payment at the end reactivates one of them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from billing.enums import BillingType, CustomerStatus, ServiceState
from billing.models import Customer, SuspensionLog
from ispnoc.demo import fresh_sqlite, play
from ispnoc.wiring import open_store
from store.db import session_scope

SUSPENDED_STORIES = {"overdue", "long_overdue", "partial", "prepaid_expired"}


def test_the_demo_suspends_who_it_should_and_a_payment_reactivates(tmp_path: Path) -> None:
    store = open_store(database_url=fresh_sqlite(tmp_path / "demo.db"))
    console = Console(file=StringIO(), width=100)
    outcome = play(store, customers=80, console=console)
    stories = outcome.isp.stories
    expected = {cid for cid, story in stories.items() if story in SUSPENDED_STORIES}
    assert outcome.run.suspended == len(expected) > 0
    assert {e.customer_id for e in outcome.run.entries} == expected
    assert outcome.reactivated_id in expected
    assert outcome.router_calls.count(("reactivate", outcome.reactivated_id)) == 1
    with session_scope(store.sessions) as session:
        rows = session.execute(select(Customer.id, Customer.status, Customer.applied_state,
                                      Customer.billing_type)).all()
        for cid, status, applied, billing in rows:
            should_be_off = cid in expected and cid != outcome.reactivated_id
            assert (status == CustomerStatus.SUSPENDED) == should_be_off, stories[cid]
            assert (applied == ServiceState.SUSPENDED) == should_be_off
            assert billing == (BillingType.PREPAID if stories[cid].startswith("prepaid")
                               else BillingType.POSTPAID)
        reasons = session.scalars(select(SuspensionLog.reason).where(
            SuspensionLog.customer_id == outcome.reactivated_id).order_by(SuspensionLog.id)).all()
        assert reasons == ["overdue", "payment"]
    store.engine.dispose()


def test_run_demo_refuses_a_store_that_has_customers(tmp_path: Path) -> None:
    from ispnoc.demo import run_demo

    url = fresh_sqlite(tmp_path / "used.db")
    out = Console(file=StringIO(), width=100)
    assert run_demo(database_url=url, customers=20, console=out) == 0
    assert run_demo(database_url=url, customers=20, console=out) == 1
    assert "empty database" in out.file.getvalue()  # type: ignore[attr-defined]
