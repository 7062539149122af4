"""The auto-suspension run: select who is due (set-based), mark them, log and announce it, then
put every pending change on the routers. Also reactivates suspended customers who are clear again,
and (with an enforcer that reads routers) reports and repairs drift between the routers and the store.

A run is a job with its own transactions: lock, mark (one transaction), apply (one more), release.
Marking is a conditional UPDATE (only customers still suspendable flip), so even two runs that got
past the lock could never suspend one customer twice. A dry run selects the same and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, String, Table, select, type_coerce, update
from sqlalchemy.orm import Session, sessionmaker

from billing import events, locks
from billing.enforcement import Drift, RouterEnforcer, apply_pending, pending, reconcile
from billing.enums import CustomerStatus, RunStatus, ServiceState, SuspendReason, SuspensionAction
from billing.models import Customer, SuspensionLog, SuspensionRun
from billing.policy import SUSPENDABLE, Due, SuspensionPolicy, select_due
from store.atomic import lock_rows
from store.db import session_scope

LOCK = "suspension"
CHUNK = 5_000  # ids per statement: under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters
AUTO = (SuspendReason.OVERDUE, SuspendReason.EXPIRED)


class Entry(NamedTuple):
    """One customer the run suspended or reactivated."""

    customer_id: int
    action: SuspensionAction
    reason: str
    bill_ids: tuple[int, ...] = ()
    amount_due: Decimal = Decimal("0.00")

    def as_dict(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "action": self.action.value, "reason": self.reason,
                "bill_ids": list(self.bill_ids), "amount_due": str(self.amount_due)}


@dataclass
class RunReport:
    """What a run did (or, dry, would do)."""

    run_id: int | None
    dry_run: bool
    entries: list[Entry] = field(default_factory=list)
    applied: int = 0
    failed: int = 0
    pending: int = 0
    drift: list[Drift] = field(default_factory=list)

    @property
    def suspended(self) -> int:
        return sum(e.action == SuspensionAction.SUSPEND for e in self.entries)

    @property
    def reactivated(self) -> int:
        return sum(e.action == SuspensionAction.REACTIVATE for e in self.entries)

    def summary(self) -> dict[str, Any]:
        """The JSON summary ``ispnoc suspend run --json`` prints."""
        return {"run_id": self.run_id, "dry_run": self.dry_run, "suspended": self.suspended,
                "reactivated": self.reactivated, "applied": self.applied, "failed": self.failed,
                "pending": self.pending, "customers": [e.as_dict() for e in self.entries],
                "drift": [d.as_dict() for d in self.drift]}


def plan(session: Session, *, now: datetime, policy: SuspensionPolicy) -> list[Entry]:
    """Who a run at ``now`` suspends and who it reactivates (reads only)."""
    due = [Entry(d.customer_id, SuspensionAction.SUSPEND, d.reason.value, d.bill_ids, d.amount_due)
           for d in select_due(session, now=now, policy=policy)]
    held = list(session.scalars(select(Customer.id).where(
        Customer.status == CustomerStatus.SUSPENDED, Customer.suspend_reason.in_(AUTO),
        Customer.deleted_at.is_(None))))
    still = {d.customer_id for d in select_due(session, now=now, policy=policy, customer_ids=held,
                                                statuses=(CustomerStatus.SUSPENDED,))} if held else set()
    clear = [Entry(cid, SuspensionAction.REACTIVATE, "cleared") for cid in held if cid not in still]
    return due + clear


def _locked_plan(session: Session, *, now: datetime, policy: SuspensionPolicy) -> list[Entry]:
    """The plan, with the customers it changes locked first: a payment that landed meanwhile counts,
    and one arriving later waits for this run and then reactivates its customer."""
    first = plan(session, now=now, policy=policy)
    ids = {e.customer_id for e in first}
    if not lock_rows(session, Customer, sorted(ids)):
        return first
    return [e for e in plan(session, now=now, policy=policy) if e.customer_id in ids]


def run_suspension(sessions: sessionmaker[Session], *, now: datetime, policy: SuspensionPolicy,
                   enforcer: RouterEnforcer, dry_run: bool = False, trigger: str = "cli") -> RunReport:
    """One run; raises RunInProgress when another holds the lock."""
    if dry_run:
        with session_scope(sessions) as session:
            entries = plan(session, now=now, policy=policy)
            waiting = {cid for cid, _, _ in pending(session)}
            session.rollback()
        changed = {e.customer_id for e in entries}
        return RunReport(None, True, entries, pending=len(waiting | changed))
    holder = locks.acquire(sessions, LOCK, now=now)
    try:
        return _run(sessions, now=now, policy=policy, enforcer=enforcer, trigger=trigger)
    finally:
        locks.release(sessions, LOCK, holder)


def _run(sessions: sessionmaker[Session], *, now: datetime, policy: SuspensionPolicy,
         enforcer: RouterEnforcer, trigger: str) -> RunReport:
    with session_scope(sessions) as session:
        run = SuspensionRun(started_at=now, status=RunStatus.RUNNING, trigger=trigger)
        session.add(run)
        session.flush()
        entries = mark(session, _locked_plan(session, now=now, policy=policy), run_id=run.id, now=now)
        run.suspended = sum(e.action == SuspensionAction.SUSPEND for e in entries)
        run.reactivated = len(entries) - run.suspended
        run_id = run.id
    try:
        with session_scope(sessions) as session:
            drift = reconcile(session, enforcer, now=now)  # drift becomes pending: repaired just below
            result = apply_pending(session, enforcer, now=now)
            _finish(session, run_id, now=now, status=RunStatus.COMPLETED, applied=result.applied,
                    failed=len(result.failed))
    except Exception as exc:
        with session_scope(sessions) as session:
            _finish(session, run_id, now=now, status=RunStatus.FAILED, error=type(exc).__name__)
        raise
    return RunReport(run_id, False, entries, applied=result.applied, failed=len(result.failed), drift=drift)


def _finish(session: Session, run_id: int, *, now: datetime, status: RunStatus,
            applied: int = 0, failed: int = 0, error: str | None = None) -> None:
    session.execute(update(SuspensionRun).where(SuspensionRun.id == run_id).values(
        status=status, finished_at=now, applied=applied, failed=failed, error=error))


def mark(session: Session, entries: Sequence[Entry], *, run_id: int | None, now: datetime) -> list[Entry]:
    """Flip the customers (only those still in the state the plan saw), log and announce them."""
    done: list[Entry] = []
    for reason in (SuspendReason.OVERDUE, SuspendReason.EXPIRED):
        batch = [e for e in entries if e.action == SuspensionAction.SUSPEND and e.reason == reason.value]
        flipped = _flip(session, [e.customer_id for e in batch], SUSPENDABLE, dict(
            status=CustomerStatus.SUSPENDED, suspend_reason=reason, desired_state=ServiceState.SUSPENDED,
            updated_at=now))
        done += [e for e in batch if e.customer_id in flipped]
    back = [e for e in entries if e.action == SuspensionAction.REACTIVATE]
    flipped = _flip(session, [e.customer_id for e in back], (CustomerStatus.SUSPENDED,), dict(
        status=CustomerStatus.ACTIVE, suspend_reason=None, desired_state=ServiceState.ENABLED,
        updated_at=now))
    done += [e for e in back if e.customer_id in flipped]
    log(session, done, run_id=run_id, now=now)
    return done


def _flip(
    session: Session, ids: list[int], when: Iterable[CustomerStatus], values: dict[str, Any]
) -> set[int]:
    """A conditional bulk UPDATE in slices; returns the ids that actually changed."""
    changed: set[int] = set()
    statuses = [s.value for s in when]
    # ``status || ''``: look rows up by id; without statistics SQLite would scan the status index instead
    status = type_coerce(Customer.status, String).concat("")
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        stmt = (update(Customer).where(Customer.id.in_(chunk), status.in_(statuses))
                .values(**values).returning(Customer.id).execution_options(synchronize_session=False))
        changed.update(session.scalars(stmt))
    return changed


def log(session: Session, entries: Sequence[Entry], *, run_id: int | None, now: datetime) -> None:
    """The suspension log rows and the outbox events, each in one bulk insert."""
    if not entries:
        return
    _insert_log(session.connection(), entries, run_id=run_id, now=now)
    suspended = [e for e in entries if e.action == SuspensionAction.SUSPEND]
    data = [{"customer_id": e.customer_id, "reason": e.reason, "bill_ids": list(e.bill_ids),
             "amount_due": e.amount_due} for e in suspended]
    events.emit_many(session, "customer.suspended", data, now=now)
    events.emit_many(session, "customer.expired", [d for d in data if d["reason"] == "expired"], now=now)
    events.emit_many(session, "customer.activated", [
        {"customer_id": e.customer_id, "reason": e.reason} for e in entries
        if e.action == SuspensionAction.REACTIVATE], now=now)


def _as_is(value: Any) -> Any:
    return value


def _insert_log(conn: Connection, entries: Sequence[Entry], *, run_id: int | None, now: datetime) -> None:
    """One executemany; the columns shared by every row are converted once, not once per row."""
    table = cast(Table, SuspensionLog.__table__)
    keys = ("run_id", "customer_id", "action", "reason", "bill_ids", "amount_due", "created_at")
    bind: dict[str, Callable[[Any], Any]] = {
        k: table.c[k].type.dialect_impl(conn.dialect).bind_processor(conn.dialect) or _as_is for k in keys}
    run, at = bind["run_id"](run_id) if run_id is not None else None, bind["created_at"](now)
    actions = {a: bind["action"](a) for a in SuspensionAction}
    bills, money, reason = bind["bill_ids"], bind["amount_due"], bind["reason"]
    rows = [(run, e.customer_id, actions[e.action], reason(e.reason), bills(list(e.bill_ids)),
             money(e.amount_due), at) for e in entries]
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(keys))
    if not compiled.positional:
        conn.exec_driver_sql(str(compiled), [dict(zip(keys, row, strict=True)) for row in rows])
        return
    order = [keys.index(k) for k in compiled.positiontup or ()]
    conn.exec_driver_sql(str(compiled), [tuple(row[i] for i in order) for row in rows])


def due_now(session: Session, *, now: datetime, policy: SuspensionPolicy) -> list[Due]:
    """The selection alone (for dashboards and the API)."""
    return select_due(session, now=now, policy=policy)
