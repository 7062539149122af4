"""The suspension run: logged per customer, dry runs, overlapping runs, retries, reactivation."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from billing.enforcement import RecordingEnforcer
from billing.enums import CustomerStatus, RunStatus, ServiceState, SuspendReason
from billing.errors import RunInProgress
from billing.locks import acquire
from billing.models import Customer, OutboxEvent, SuspensionLog, SuspensionRun
from billing.policy import SuspensionPolicy
from billing.suspension import run_suspension
from store.db import session_scope
from tests import factories as f

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
POLICY = SuspensionPolicy(grace_days=3)


def seed(sessions: sessionmaker[Session], overdue: int = 3, fine: int = 2) -> tuple[list[int], list[int]]:
    """``overdue`` customers with a bill past grace, ``fine`` with nothing owed."""
    with session_scope(sessions) as session:
        op, pkg = f.operator(session), f.package(session)
        late = [f.customer(session, op, pkg) for _ in range(overdue)]
        ok = [f.customer(session, op, pkg) for _ in range(fine)]
        for cust in late:
            f.bill(session, cust, due=date(2026, 5, 1))
        return [c.id for c in late], [c.id for c in ok]


def snapshot(sessions: sessionmaker[Session]) -> tuple[object, ...]:
    with session_scope(sessions) as session:
        customers = session.execute(select(Customer.id, Customer.status, Customer.desired_state,
                                           Customer.applied_state).order_by(Customer.id)).all()
        counts = [session.scalar(select(func.count()).select_from(t))
                  for t in (SuspensionRun, SuspensionLog, OutboxEvent)]
        return tuple(customers), tuple(counts)


def test_a_run_suspends_logs_announces_and_applies(session_factory: sessionmaker[Session]) -> None:
    late, _ = seed(session_factory)
    enforcer = RecordingEnforcer()
    report = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=enforcer)
    assert report.suspended == 3 and report.applied == 3 and report.failed == 0
    assert sorted(c.subscriber.customer_id for c in enforcer.calls) == late
    with session_scope(session_factory) as session:
        logs = session.scalars(select(SuspensionLog).order_by(SuspensionLog.customer_id)).all()
        assert [(x.customer_id, x.reason, x.amount_due, len(x.bill_ids)) for x in logs] == [
            (cid, "overdue", Decimal("1000.00"), 1) for cid in late]
        assert all(x.run_id == report.run_id for x in logs)
        for cid in late:
            cust = session.get(Customer, cid)
            assert cust is not None
            assert (cust.status, cust.suspend_reason, cust.applied_state) == (
                CustomerStatus.SUSPENDED, SuspendReason.OVERDUE, ServiceState.SUSPENDED)
        run = session.get(SuspensionRun, report.run_id)
        assert run is not None and (run.status, run.suspended, run.applied) == (RunStatus.COMPLETED, 3, 3)
        events = session.scalars(select(OutboxEvent.event)).all()
        assert events.count("customer.suspended") == 3
    assert run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=enforcer).suspended == 0


def test_a_dry_run_reports_exactly_what_a_run_does_and_changes_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    seed(session_factory)
    before = snapshot(session_factory)
    dry = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=RecordingEnforcer(), dry_run=True)
    assert snapshot(session_factory) == before
    real = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=RecordingEnforcer())
    assert dry.run_id is None and dry.entries == real.entries


def test_two_runs_started_together_never_process_a_customer_twice(
    session_factory: sessionmaker[Session],
) -> None:
    late, _ = seed(session_factory, overdue=40)
    enforcers = [RecordingEnforcer(), RecordingEnforcer()]
    outcomes: list[object] = []
    barrier = threading.Barrier(2)

    def go(enforcer: RecordingEnforcer) -> None:
        barrier.wait()
        try:
            outcomes.append(run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=enforcer))
        except RunInProgress as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=go, args=(e,)) for e in enforcers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    touched = [c.subscriber.customer_id for e in enforcers for c in e.calls]
    assert sorted(touched) == late  # each once, whichever run got it
    with session_scope(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(SuspensionLog)) == 40


def test_a_held_lock_refuses_a_second_run(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    acquire(session_factory, "suspension", now=NOW)
    with pytest.raises(RunInProgress):
        run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=RecordingEnforcer())


def test_a_change_that_failed_on_the_router_is_retried_by_the_next_run(
    session_factory: sessionmaker[Session],
) -> None:
    late, _ = seed(session_factory)
    flaky = RecordingEnforcer(failing={late[0]})
    first = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=flaky)
    assert (first.applied, first.failed) == (2, 1)
    with session_scope(session_factory) as session:
        cust = session.get(Customer, late[0])
        assert cust is not None
        assert (cust.applied_state, cust.enforce_attempts) == (ServiceState.ENABLED, 1)
        assert cust.enforce_error and "unreachable" in cust.enforce_error
    healed = RecordingEnforcer()
    second = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=healed)
    assert (second.suspended, second.applied) == (0, 1)
    assert [c.subscriber.customer_id for c in healed.calls] == [late[0]]
    with session_scope(session_factory) as session:
        cust = session.get(Customer, late[0])
        assert cust is not None and (cust.applied_state, cust.enforce_attempts) == (ServiceState.SUSPENDED, 0)


def test_a_promise_to_pay_after_suspension_reactivates_at_the_next_run(
    session_factory: sessionmaker[Session],
) -> None:
    late, _ = seed(session_factory, overdue=1)
    run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=RecordingEnforcer())
    with session_scope(session_factory) as session:
        cust = session.get(Customer, late[0])
        assert cust is not None
        cust.promise_to_pay_until = date(2026, 5, 25)
    enforcer = RecordingEnforcer()
    report = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=enforcer)
    assert (report.suspended, report.reactivated, report.applied) == (0, 1, 1)
    assert [(c.action, c.subscriber.customer_id) for c in enforcer.calls] == [("reactivate", late[0])]
    with session_scope(session_factory) as session:
        cust = session.get(Customer, late[0])
        assert cust is not None
        assert (cust.status, cust.desired_state, cust.applied_state) == (
            CustomerStatus.ACTIVE, ServiceState.ENABLED, ServiceState.ENABLED)


def test_no_one_due_is_a_quiet_successful_run(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory, overdue=0, fine=3)
    report = run_suspension(session_factory, now=NOW, policy=POLICY, enforcer=RecordingEnforcer())
    assert (report.suspended, report.reactivated, report.applied, report.failed) == (0, 0, 0, 0)
