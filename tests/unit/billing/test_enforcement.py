"""Applying desired service state through the RouterEnforcer seam: per-router order, retries, errors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from billing.enforcement import (
    Change,
    EnforcementError,
    Observed,
    RecordingEnforcer,
    RouterEnforcer,
    RouterReader,
    Subscriber,
    apply_pending,
    pending,
    reconcile,
)
from billing.enums import EnforcementStyle, ServiceState
from billing.models import Customer
from tests import factories as f

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)


States = list[tuple[ServiceState, ServiceState | None, int]]


def _customers(session: Session, states: States) -> list[Customer]:
    """Customers with (desired, applied, router) as given."""
    op = f.operator(session)
    pkg = f.package(session, router_profile="30M", suspended_profile="cut",
                    enforcement=EnforcementStyle.ADDRESS_LIST)
    return [f.customer(session, op, pkg, desired_state=d, applied_state=a, router_id=r, static_ip="10.0.0.9")
            for d, a, r in states]


S, E = ServiceState.SUSPENDED, ServiceState.ENABLED


def test_the_recording_enforcer_satisfies_the_protocol() -> None:
    enforcer: RouterEnforcer = RecordingEnforcer()
    sub = Subscriber(1, 2, "u", None, "pppoe", "20M", "suspended", EnforcementStyle.PROFILE_SWAP)
    assert enforcer.apply(2, [Change(sub, S), Change(sub, E)]) == {}
    assert isinstance(enforcer, RecordingEnforcer) and not isinstance(enforcer, RouterReader)
    assert [(c.action, c.subscriber) for c in enforcer.calls] == [("suspend", sub), ("reactivate", sub)]


def test_only_customers_whose_router_state_differs_are_pending(session: Session) -> None:
    rows = _customers(session, [(S, E, 1), (S, None, 1), (E, S, 2), (E, E, 1), (S, S, 2), (E, None, 3)])
    ids = [c.id for c in rows]
    found = {cid: desired for cid, desired, _ in pending(session)}
    assert found == {ids[0]: S, ids[1]: S, ids[2]: E}


def test_applying_calls_the_router_with_what_it_needs_and_records_the_outcome(session: Session) -> None:
    cut, back, fine = _customers(session, [(S, E, 7), (E, S, 3), (E, E, 3)])
    enforcer = RecordingEnforcer()
    result = apply_pending(session, enforcer, now=NOW)
    assert (result.applied, result.failed) == (2, [])
    assert [(c.action, c.subscriber.customer_id) for c in enforcer.calls] == [
        ("reactivate", back.id), ("suspend", cut.id)]  # grouped by router id
    sub = enforcer.calls[1].subscriber
    assert (sub.router_id, sub.username, sub.static_ip, sub.active_profile, sub.suspended_profile,
            sub.style, sub.connection_type) == (7, cut.username, "10.0.0.9", "30M", "cut",
                                                EnforcementStyle.ADDRESS_LIST, "pppoe")
    session.expire_all()
    assert (cut.applied_state, cut.applied_at, cut.enforce_attempts) == (S, NOW, 0)
    assert (back.applied_state, fine.applied_at) == (E, None)
    assert pending(session) == []


def test_a_failure_is_kept_with_its_message_and_retried_until_it_succeeds(session: Session) -> None:
    ok, bad = _customers(session, [(S, E, 1), (S, E, 1)])
    flaky = RecordingEnforcer(failing={bad.id})
    for attempt in (1, 2):
        result = apply_pending(session, flaky, now=NOW)
        assert result.failed == [bad.id]
        session.expire_all()
        assert (bad.applied_state, bad.enforce_attempts) == (E, attempt)
        assert bad.enforce_error == "router 1 unreachable"
    assert [c.subscriber.customer_id for c in flaky.calls] == [ok.id]
    healed = apply_pending(session, RecordingEnforcer(), now=NOW)
    assert (healed.applied, healed.failed) == (1, [])
    session.expire_all()
    assert (bad.applied_state, bad.enforce_attempts, bad.enforce_error) == (S, 0, None)


def test_a_limit_and_a_customer_filter_bound_the_work(session: Session) -> None:
    rows = _customers(session, [(S, E, 1), (S, E, 2), (S, E, 3)])
    only = RecordingEnforcer()
    assert apply_pending(session, only, now=NOW, customer_ids=[rows[2].id]).applied == 1
    assert [c.subscriber.customer_id for c in only.calls] == [rows[2].id]
    assert apply_pending(session, RecordingEnforcer(), now=NOW, limit=1).applied == 1
    assert len(pending(session)) == 1


def test_an_error_message_is_truncated_not_raised(session: Session) -> None:
    (cust,) = _customers(session, [(S, E, 1)])

    class Loud:
        def apply(self, router_id: int | None, changes: Sequence[Change]) -> dict[int, str]:
            assert [c.desired for c in changes] == [S]
            raise EnforcementError("x" * 2000)

    result = apply_pending(session, Loud(), now=NOW)
    assert result.failed == [cust.id]
    session.expire_all()
    assert cust.enforce_error is not None and 0 < len(cust.enforce_error) <= 500


class Reader(RecordingEnforcer):
    """A recording enforcer that also reports what its routers show."""

    def __init__(self, shows: dict[int, ServiceState], down: set[int] | None = None) -> None:
        super().__init__()
        self.shows, self.down = shows, down or set()
        self.reads: list[int] = []

    def observe(self, router_id: int, subscribers: Sequence[Subscriber]) -> list[Observed]:
        self.reads.append(router_id)
        if router_id in self.down:
            raise EnforcementError(f"router {router_id} unreachable")
        return [Observed(s.customer_id, self.shows[s.customer_id], "seen") for s in subscribers
                if s.customer_id in self.shows]


def test_reconcile_reports_drift_settles_what_is_already_there_and_skips_dead_routers(
    session: Session,
) -> None:
    states: States = [(S, S, 1), (E, E, 1), (S, E, 1), (S, E, 2), (E, E, 2)]
    lifted, cut, done, waiting, far = _customers(session, states)
    reader = Reader({lifted.id: E, cut.id: S, done.id: S, waiting.id: E, far.id: S}, down={2})
    drift = reconcile(session, reader, now=NOW)
    assert [(d.customer_id, d.router_id, d.store) for d in drift] == [(lifted.id, 1, S), (cut.id, 1, E)]
    assert sorted(reader.reads) == [1, 2]  # one read per router
    assert {cid for cid, _, _ in pending(session)} == {lifted.id, cut.id, waiting.id}  # done: already there
    assert apply_pending(session, reader, now=NOW).applied == 3
    assert reconcile(session, RecordingEnforcer(), now=NOW) == []  # cannot read routers: nothing to compare
