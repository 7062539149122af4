"""Benchmark: concurrent ``POST /api/v2/billing/payments`` through ``ispnoc serve``, then the books.

``python -m bench.payments`` builds a store (a few hundred customers, high-tier v2 clients), starts
``ispnoc serve`` (no scheduler) as a subprocess, and for each level (8, 32 and 64 concurrent
keep-alive clients by default: threads spread over two load processes) sends payments of 10.00 for
``--seconds``, a fifth of them to five hot customers so requests queue on the same rows. Afterwards it
checks the books: ``errors`` counts answers other than 201; ``lost`` counts accepted payments missing
from a customer's balance or ledger (balance = 10.00 x accepted, one ledger entry per payment).
It runs on SQLite and, when ``--postgres`` (default: the local test database) answers, on PostgreSQL
in a schema of its own. The last line is ``payments_per_s=<x> errors=<n> lost=<n> p99_ms=<y>`` for the
largest level on SQLite, the embedded store.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from bench.api import SECRET, build_store, free_port, make_tokens, percentile, server
from billing.models import Customer, LedgerEntry, Payment
from store.db import make_engine, scratch_engine

AMOUNT = Decimal("10.00")
HOT = 5


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.payments", description=__doc__)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--levels", default="8,32,64", help="concurrent clients, comma-separated")
    parser.add_argument("--clients", type=int, default=128, help="v2 API clients the load is spread over")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="also run on this PostgreSQL (empty: SQLite only)")
    return parser.parse_args(argv)


@dataclass
class Level:
    """What one level's clients saw."""

    clients: int
    accepted: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    took: float = 0.0

    @property
    def rate(self) -> float:
        return sum(self.accepted.values()) / self.took if self.took else 0.0


def _one(conn: http.client.HTTPConnection, head: dict[str, str], customer: int) -> int:
    body = json.dumps({"customer_id": customer, "amount": str(AMOUNT)})
    conn.request("POST", "/api/v2/billing/payments", body=body,
                 headers=head | {"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex})
    response = conn.getresponse()
    response.read()
    return response.status


def _worker(port: int, heads: list[dict[str, str]], customers: int, seconds: float, seed: int,
            out: list[tuple[int, int, float]]) -> None:
    """One keep-alive client: (customer, status, ms) per request until the time is up."""
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        customer = rng.randint(1, HOT) if rng.random() < 0.2 else rng.randint(1, customers)
        started = time.perf_counter()
        try:
            status = _one(conn, rng.choice(heads), customer)
        except (OSError, http.client.HTTPException):
            status, conn = 0, http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((customer, status, (time.perf_counter() - started) * 1000))
    conn.close()


def _process(port: int, heads: list[dict[str, str]], threads: int, args: Any, seed: int, go: Any,
             send: Any) -> None:
    """A load process of ``threads`` clients; sends back every observation."""
    out: list[tuple[int, int, float]] = []
    go.wait()
    workers = [threading.Thread(target=_worker, args=(port, heads, args.customers, args.seconds,
                                                       seed * 1000 + n, out)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    send.send(out)


def run_level(port: int, heads: list[dict[str, str]], clients: int, args: argparse.Namespace) -> Level:
    """``clients`` concurrent payers for ``args.seconds``, over two processes."""
    ctx = multiprocessing.get_context("fork")
    go, level = ctx.Event(), Level(clients)
    split = [clients - clients // 2, clients // 2]
    pipes = [ctx.Pipe(duplex=False) for _ in split]
    procs = [ctx.Process(target=_process, args=(port, heads, n, args, i, go, send))
             for i, (n, (_, send)) in enumerate(zip(split, pipes, strict=True)) if n]
    for proc in procs:
        proc.start()
    started = time.perf_counter()
    go.set()
    for receive, _ in pipes[:len(procs)]:
        for customer, status, ms in receive.recv():
            level.latencies.append(ms)
            if status == 201:
                level.accepted[customer] = level.accepted.get(customer, 0) + 1
            else:
                level.errors += 1
    level.took = time.perf_counter() - started
    for proc in procs:
        proc.join()
    return level


def lost(engine: Engine, accepted: dict[int, int]) -> int:
    """Accepted payments the books do not show: balance short of 10.00 each, or a ledger entry missing."""
    with engine.connect() as conn:
        balances = dict(conn.execute(select(Customer.id, Customer.balance)).all())
        entries = conn.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.payment_id.is_not(None)))
        payments = conn.scalar(select(func.count(Payment.id)))
    short = sum(abs(int((balances.get(cid, Decimal(0)) - n * AMOUNT) / AMOUNT))
                for cid, n in accepted.items())
    extra = sum(1 for cid, b in balances.items() if b and cid not in accepted)
    ledger, rows = int(entries or 0), int(payments or 0)
    return int(short + extra + abs(sum(accepted.values()) - ledger) + abs(rows - ledger))


def bench_store(name: str, url: str, engine: Engine, args: argparse.Namespace) -> tuple[Level, int]:
    """Every level against ``ispnoc serve`` on one store, a line each; the last level and what the
    books lost over all of them."""
    build_store(engine, args.customers)
    heads = [{"Authorization": f"Bearer {t}"} for t in make_tokens(engine, args.clients)]
    port = free_port()
    command = [str(Path(sys.executable).with_name("ispnoc")), "serve", "--host", "127.0.0.1",
               "--port", str(port)]
    env = {"ISPNOC_DATABASE_URL": url, "ISPNOC_SECRET_KEY": SECRET, "ISPNOC_REDIS_URL": "",
           "ISPNOC_WORKERS": "1", "ISPNOC_SCHEDULER_ENABLED": "false"}
    total: dict[int, int] = {}
    gone = 0
    with server(command, env, port, heads[0]):
        for clients in (int(n) for n in args.levels.split(",")):
            level = run_level(port, heads, clients, args)
            for cid, n in level.accepted.items():
                total[cid] = total.get(cid, 0) + n
            gone = lost(engine, total)
            print(f"{name} clients={clients}: payments_per_s={level.rate:.1f} errors={level.errors} "
                  f"lost={gone} p50_ms={percentile(level.latencies, 0.5):.1f} "
                  f"p99_ms={percentile(level.latencies, 0.99):.1f}", flush=True)
    return level, gone


def _postgres(args: argparse.Namespace) -> None:
    if not args.postgres:
        return
    try:
        make_engine(args.postgres).connect().close()
    except Exception as exc:  # any failure means: not reachable here
        print(f"postgresql: not reachable ({type(exc).__name__}), skipped")
        return
    schema = f"bench_payments_{os.getpid()}"
    with scratch_engine(args.postgres, schema) as engine:
        sep = "&" if "?" in args.postgres else "?"
        bench_store("postgresql", f"{args.postgres}{sep}options=-csearch_path%3D{schema}", engine, args)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    _postgres(args)
    with tempfile.TemporaryDirectory(prefix="bench-payments-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        with scratch_engine(url, "") as engine:
            last, gone = bench_store("sqlite", url, engine, args)
    print(f"payments_per_s={last.rate:.1f} errors={last.errors} lost={gone} "
          f"p99_ms={percentile(last.latencies, 0.99):.1f}")


if __name__ == "__main__":
    main()
