"""Benchmark: a real suspension run through the service vs the same work as plain SQL.

``python -m bench.suspension --customers 100000`` builds the customers (10% overdue) in a fresh
database (a temporary SQLite file, or a schema of its own on ``--database-url``), times
``run_suspension`` (selection, marking, log, events, applying through a recording enforcer), resets
the customers, times the same selection and update as plain SQL statements on the same data, and
prints ``suspension_run_s=<x> raw_sql_s=<y> ratio=<x/y> peak_rss_mb=<m>`` last. Both are timed
``--repeat`` times, alternately, from the same reset state; the best of each is reported.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session, sessionmaker

from billing.enforcement import RecordingEnforcer
from billing.models import Bill, Customer, Operator, Package, Subscription
from billing.policy import SuspensionPolicy
from billing.suspension import run_suspension
from store.db import make_session_factory, scratch_engine

NOW = datetime(2026, 5, 20, 6, 0, tzinfo=UTC)
BATCH = 5_000


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.suspension", description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--overdue", type=float, default=0.10, help="share of customers past due + grace")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timings of each; the best one is reported")
    return parser.parse_args(argv)


def _catalogue(engine: Engine) -> None:
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as conn:
        conn.execute(insert(Operator), [
            {"id": i, "name": f"Operator {i}", "status": "active", "fund_balance": 0, "credit_limit": 0,
             "timezone": tz, "currency": "BDT", "invoice_prefix": f"OP{i}", "next_invoice_no": 1, **stamp}
            for i, tz in ((1, "Asia/Dhaka"), (2, "UTC"), (3, "Asia/Kathmandu"))])
        conn.execute(insert(Package), [
            {"id": i, "name": f"Plan {i}", "service_type": "pppoe", "speed_down_kbps": 10_000 * i,
             "speed_up_kbps": 5_000 * i, "price": 500 * i, "currency": "BDT", "validity_days": 30,
             "router_profile": f"{10 * i}M", "suspended_profile": "suspended", "active": True,
             "grace_days": 7 if i == 5 else None, **stamp} for i in range(1, 6)])


def _customer(n: int, late: bool, prepaid: bool) -> dict[str, Any]:
    return {"id": n, "operator_id": 1 + n % 3, "package_id": 1 + n % 5, "name": f"Customer {n}",
            "phone": f"+88017{n:08d}", "connection_type": "pppoe",
            "billing_type": "prepaid" if prepaid else "postpaid", "status": "active",
            "username": f"u{n:06d}", "secret": "x", "router_id": 1 + n % 50, "never_suspend": n % 97 == 0,
            "balance": 0, "credit_limit": 0, "desired_state": "enabled", "applied_state": "enabled",
            "enforce_attempts": 0, "created_at": NOW, "updated_at": NOW}


def _bill(n: int, late: bool) -> dict[str, Any]:
    due = date(2026, 4, 10) if late else date(2026, 5, 10)
    return {"id": n, "operator_id": 1 + n % 3, "customer_id": n, "number": f"B{n:07d}", "period": "2026-04",
            "amount": 500 * (1 + n % 5), "amount_paid": 0 if late else 500 * (1 + n % 5), "currency": "BDT",
            "status": "unpaid" if late else "paid", "issued_on": due - timedelta(days=10), "due_date": due,
            "created_at": NOW, "updated_at": NOW}


def _subscription(n: int, late: bool) -> dict[str, Any]:
    until = NOW - timedelta(days=2) if late else NOW + timedelta(days=20)
    return {"customer_id": n, "package_id": 1 + n % 5, "billing_type": "prepaid", "status": "active",
            "starts_at": until - timedelta(days=30), "expires_at": until, "price": 500, "created_at": NOW}


def build(engine: Engine, customers: int, overdue: float, seed: int) -> int:
    """Bulk-insert customers (1% never suspended), a bill each or a subscription (prepaid, 5%)."""
    rng = random.Random(seed)
    _catalogue(engine)
    late_ids = set(rng.sample(range(1, customers + 1), round(customers * overdue)))
    for start in range(1, customers + 1, BATCH):
        ids = range(start, min(start + BATCH, customers + 1))
        rows = [(n, n in late_ids, n % 20 == 0) for n in ids]
        with engine.begin() as conn:
            conn.execute(insert(Customer), [_customer(n, late, pre) for n, late, pre in rows])
            conn.execute(insert(Bill), [_bill(n, late) for n, late, pre in rows if not pre])
            conn.execute(insert(Subscription), [_subscription(n, late) for n, late, pre in rows if pre])
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))  # planner statistics, as a database in service would have
    return len(late_ids)


RESET = (
    "UPDATE customers SET status = 'active', suspend_reason = NULL, desired_state = 'enabled', "
    "applied_state = 'enabled', applied_at = NULL",
    "DELETE FROM suspension_log", "DELETE FROM outbox_events", "DELETE FROM suspension_runs",
)

# The same rules, written by hand for these data: per-operator local dates are precomputed below.
RAW_DUE = """
SELECT c.id AS customer_id, 'overdue' AS reason, SUM(b.amount - b.amount_paid) AS amount_due
FROM customers c JOIN bills b ON b.customer_id = c.id JOIN packages p ON p.id = c.package_id
WHERE c.billing_type = 'postpaid' AND c.status IN ('active', 'new') AND c.never_suspend = :false
  AND c.deleted_at IS NULL AND b.status IN ('unpaid', 'partial')
  AND (c.promise_to_pay_until IS NULL OR c.promise_to_pay_until < :today)
  AND b.due_date < CASE WHEN p.grace_days IS NULL THEN :cutoff ELSE :cutoff_pkg END
GROUP BY c.id
UNION ALL
SELECT c.id, 'expired', 0 FROM customers c
JOIN (SELECT customer_id, MAX(expires_at) AS until FROM subscriptions WHERE status = 'active'
      GROUP BY customer_id) s ON s.customer_id = c.id
WHERE c.billing_type = 'prepaid' AND c.status IN ('active', 'new') AND c.never_suspend = :false
  AND c.deleted_at IS NULL AND s.until < :now
"""


def raw_sql(engine: Engine) -> int:
    """Selection, marking, log and applied state as plain SQL statements in one transaction."""
    params = {"false": False, "today": NOW.date(), "cutoff": NOW.date() - timedelta(days=3),
              "cutoff_pkg": NOW.date() - timedelta(days=7), "now": NOW}
    with engine.begin() as conn:
        due = conn.execute(text(RAW_DUE), params).all()
        conn.execute(text("CREATE TEMPORARY TABLE due_now (id INTEGER PRIMARY KEY, reason VARCHAR(16), "
                          "amount BIGINT)"))
        conn.execute(text("INSERT INTO due_now VALUES (:i, :r, :a)"),
                     [{"i": r[0], "r": r[1], "a": r[2]} for r in due])
        conn.execute(text("UPDATE customers SET status = 'suspended', desired_state = 'suspended', "
                          "suspend_reason = (SELECT reason FROM due_now WHERE due_now.id = customers.id), "
                          "updated_at = :now WHERE id IN (SELECT id FROM due_now)"), params)
        conn.execute(text("INSERT INTO suspension_log (customer_id, action, reason, bill_ids, "
                          "amount_due, created_at) SELECT id, 'suspend', reason, '[]', amount, :now "
                          "FROM due_now"), params)
        conn.execute(text("UPDATE customers SET applied_state = desired_state, applied_at = :now "
                          "WHERE id IN (SELECT id FROM due_now)"), params)
        conn.execute(text("DROP TABLE due_now"))
    return len(due)


def timed_run(sessions: sessionmaker[Session]) -> tuple[float, int]:
    """One real run through the service (recording enforcer, so applying stays in-process)."""
    enforcer = RecordingEnforcer()
    start = time.perf_counter()
    report = run_suspension(sessions, now=NOW, policy=SuspensionPolicy(grace_days=3), enforcer=enforcer,
                            trigger="bench")
    return time.perf_counter() - start, report.suspended


def timed_raw(engine: Engine) -> tuple[float, int]:
    """The plain-SQL equivalent, timed the same way."""
    start = time.perf_counter()
    done = raw_sql(engine)
    return time.perf_counter() - start, done


def reset(engine: Engine) -> None:
    """Back to the built state; on SQLite the WAL is folded in so each timing starts alike."""
    with engine.begin() as conn:
        for statement in RESET:
            conn.execute(text(statement))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def fresh_engine(url: str | None, tmp: str) -> AbstractContextManager[Engine]:
    """A migrated, empty database: a new SQLite file, or a PostgreSQL schema of this run's own."""
    return scratch_engine(url or f"sqlite:///{Path(tmp) / 'bench.db'}", f"bench_suspension_{os.getpid()}")


def measure(engine: Engine, repeat: int) -> tuple[list[float], list[float], int, int]:
    """Service and plain SQL alternately on the same data, ``repeat`` times each."""
    sessions = make_session_factory(engine)
    runs: list[float] = []
    raws: list[float] = []
    suspended = raw_n = 0
    for _ in range(repeat):
        reset(engine)
        took, suspended = timed_run(sessions)
        runs.append(took)
        reset(engine)
        took, raw_n = timed_raw(engine)
        raws.append(took)
    return runs, raws, suspended, raw_n


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, fresh_engine(args.database_url, tmp) as engine:
        t0 = time.perf_counter()
        late = build(engine, args.customers, args.overdue, args.seed)
        took = time.perf_counter() - t0
        print(f"built {args.customers} customers ({late} overdue or expired) in {took:.1f} s")
        runs, raws, suspended, raw_n = measure(engine, args.repeat)
    print(f"service suspended {suspended}, plain SQL suspended {raw_n}")
    print("service runs s: " + " ".join(f"{x:.3f}" for x in runs))
    print("plain SQL s:    " + " ".join(f"{x:.3f}" for x in raws))
    if suspended != raw_n:
        print("error: the two runs disagree")
        return 1
    run_s, raw_s = min(runs), min(raws)  # best of each: the least disturbed by other load on the machine
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = run_s / raw_s
    print(f"suspension_run_s={run_s:.3f} raw_sql_s={raw_s:.3f} ratio={ratio:.2f} peak_rss_mb={peak:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
