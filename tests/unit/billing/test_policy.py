"""Who is due for suspension: grace at the operator's midnight, precedence, exemptions, prepaid."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from billing.enums import BillingType, CustomerStatus, SuspendReason
from billing.policy import SuspensionPolicy, is_overdue, select_due
from tests import factories as f

POLICY = SuspensionPolicy(grace_days=3)


def due_ids(session: Session, now: datetime, policy: SuspensionPolicy = POLICY) -> set[int]:
    return {d.customer_id for d in select_due(session, now=now, policy=policy)}


def test_grace_ends_at_the_operators_midnight_not_utcs(session: Session) -> None:
    op = f.operator(session, timezone="Asia/Dhaka")  # UTC+6
    cust = f.customer(session, op, f.package(session))
    f.bill(session, cust, due=date(2026, 5, 10))  # grace 3: suspendable from 14 May, Dhaka time
    dhaka_midnight = datetime(2026, 5, 13, 18, 0, tzinfo=UTC)  # 14 May 00:00 in Dhaka
    assert cust.id not in due_ids(session, dhaka_midnight - timedelta(minutes=1))
    assert cust.id in due_ids(session, dhaka_midnight)
    utc_op = f.operator(session)
    other = f.customer(session, utc_op, f.package(session))
    f.bill(session, other, due=date(2026, 5, 10))
    assert other.id not in due_ids(session, dhaka_midnight)  # still 13 May in UTC
    assert other.id in due_ids(session, datetime(2026, 5, 14, 0, 0, tzinfo=UTC))


def test_package_grace_beats_operator_grace_beats_global(session: Session) -> None:
    now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)  # 20 May
    op = f.operator(session, grace_days=5)
    plain, generous = f.package(session), f.package(session, grace_days=10)
    by_operator = f.customer(session, op, plain)
    by_package = f.customer(session, op, generous)
    by_global = f.customer(session, f.operator(session), plain)
    for cust in (by_operator, by_package, by_global):
        f.bill(session, cust, due=date(2026, 5, 14))  # 6 days ago
    assert due_ids(session, now) & {by_operator.id, by_package.id, by_global.id} == {
        by_operator.id, by_global.id}
    assert by_global.id not in due_ids(session, now, SuspensionPolicy(grace_days=6))


def test_exemptions_never_suspend_promise_to_pay_paid_and_already_suspended(session: Session) -> None:
    now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    op, pkg = f.operator(session), f.package(session)
    due = date(2026, 5, 1)
    never = f.customer(session, op, pkg, never_suspend=True)
    promised = f.customer(session, op, pkg, promise_to_pay_until=date(2026, 5, 20))
    promise_over = f.customer(session, op, pkg, promise_to_pay_until=date(2026, 5, 19))
    already = f.customer(session, op, pkg, status=CustomerStatus.SUSPENDED)
    partly = f.customer(session, op, pkg)
    for cust in (never, promised, promise_over, already):
        f.bill(session, cust, due=due)
    f.bill(session, partly, due=due, paid="400.00")
    found = {d.customer_id: d for d in select_due(session, now=now, policy=POLICY)}
    assert set(found) & {never.id, promised.id, promise_over.id, already.id, partly.id} == {
        promise_over.id, partly.id}
    assert found[partly.id].amount_due == Decimal("600.00")
    assert found[partly.id].reason == SuspendReason.OVERDUE


def test_all_open_bills_and_the_amount_are_reported(session: Session) -> None:
    now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    cust = f.customer(session, f.operator(session), f.package(session))
    old = f.bill(session, cust, due=date(2026, 4, 10), period="2026-04")
    new = f.bill(session, cust, due=date(2026, 5, 10), period="2026-05", amount="500.00")
    f.bill(session, cust, due=date(2026, 5, 19), period="2026-06")  # within grace: not counted
    (due,) = [d for d in select_due(session, now=now, policy=POLICY) if d.customer_id == cust.id]
    assert due.bill_ids == (old.id, new.id)
    assert due.amount_due == Decimal("1500.00")


def test_prepaid_is_due_when_its_latest_subscription_has_expired(session: Session) -> None:
    now = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
    op, pkg = f.operator(session), f.package(session)
    lapsed = f.customer(session, op, pkg, billing_type=BillingType.PREPAID)
    renewed = f.customer(session, op, pkg, billing_type=BillingType.PREPAID)
    f.subscription(session, lapsed, expires=now - timedelta(seconds=1))
    f.subscription(session, renewed, expires=now - timedelta(days=30))
    f.subscription(session, renewed, expires=now + timedelta(days=1))
    found = {d.customer_id: d for d in select_due(session, now=now, policy=POLICY)}
    assert lapsed.id in found and renewed.id not in found
    assert found[lapsed.id].reason == SuspendReason.EXPIRED


def test_the_per_customer_rule_agrees_with_the_set_based_selection(session: Session) -> None:
    op = f.operator(session, timezone="Asia/Dhaka", grace_days=2)
    cust = f.customer(session, op, f.package(session), status=CustomerStatus.SUSPENDED)
    f.bill(session, cust, due=date(2026, 5, 10))  # operator grace 2: overdue from 13 May, Dhaka time
    midnight = datetime(2026, 5, 12, 18, 0, tzinfo=UTC)  # 13 May 00:00 in Dhaka
    for now, expected in ((midnight - timedelta(minutes=1), False), (midnight, True)):
        assert is_overdue(session, cust, now=now, policy=POLICY) is expected
        widened = select_due(session, now=now, policy=POLICY, statuses=(CustomerStatus.SUSPENDED,))
        assert (cust.id in {d.customer_id for d in widened}) is expected
