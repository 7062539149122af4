"""Benchmark: ``GET /api/v2/customers?page=N&per_page=100`` through ``ispnoc serve`` vs a bare Starlette
endpoint running the same SQL under uvicorn, on a fresh SQLite store of 100,000 customers.

``python -m bench.api`` builds the store (bulk Core inserts), creates v2 API clients and their tokens
directly (enough high-tier clients that the per-client limit of 300/min never refuses a request:
the limiter still runs on every request), starts both servers as subprocesses on free ports, loads
each for ``--seconds`` with ``--threads`` keep-alive clients (a process each, ``http.client``) asking
random pages, and prints ``api_rps=<x> bare_rps=<y> ratio=<x/y> p99_ms=<z>`` last (p99 of the API's
latencies). The API runs without its in-process scheduler, as it does under ``--workers N``.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, insert, select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api import auth, clients, tokens
from api.models import ApiVersion
from billing.models import Customer, Operator, Package
from store.db import make_engine, make_session_factory, session_scope
from store.migrate import upgrade

NOW = datetime.now(UTC).replace(microsecond=0)
BATCH = 10_000
SECRET = "bench-secret-key-of-at-least-thirty-two-bytes"
PATH = "/api/v2/customers"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2,
                        help="concurrent keep-alive clients, a process each (one per core of the 2-core box)")
    parser.add_argument("--clients", type=int, default=64, help="v2 API clients the load is spread over")
    return parser.parse_args(argv)


# ---------------------------------------------------------------- the store
def _customer(n: int) -> dict[str, Any]:
    return {"id": n, "operator_id": 1 + n % 3, "package_id": 1 + n % 5, "name": f"Customer {n}",
            "email": f"c{n}@example.net", "phone": f"+88017{n:08d}", "connection_type": "pppoe",
            "billing_type": "postpaid", "status": "active", "username": f"u{n:06d}", "secret": "x",
            "never_suspend": False, "balance": 0, "credit_limit": 0, "desired_state": "enabled",
            "applied_state": "enabled", "enforce_attempts": 0, "created_at": NOW, "updated_at": NOW}


def build_store(engine: Engine, customers: int) -> None:
    """Operators, packages and ``customers`` customers, inserted in batches."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as conn:
        conn.execute(insert(Operator), [
            {"id": i, "name": f"Operator {i}", "status": "active", "fund_balance": 0, "credit_limit": 0,
             "timezone": "UTC", "currency": "BDT", "invoice_prefix": f"OP{i}", "next_invoice_no": 1, **stamp}
            for i in (1, 2, 3)])
        conn.execute(insert(Package), [
            {"id": i, "name": f"Plan {i}", "service_type": "pppoe", "speed_down_kbps": 10_000 * i,
             "speed_up_kbps": 5_000 * i, "price": 500 * i, "currency": "BDT", "validity_days": 30,
             "active": True, **stamp} for i in range(1, 6)])
    for start in range(1, customers + 1, BATCH):
        with engine.begin() as conn:
            rows = [_customer(n) for n in range(start, min(start + BATCH, customers + 1))]
            conn.execute(insert(Customer), rows)


def make_tokens(engine: Engine, count: int) -> list[str]:
    """``count`` high-tier v2 admin clients and a token each (cheap hashes: the secrets go unused)."""
    clients.HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    out: list[str] = []
    with session_scope(make_session_factory(engine)) as session:
        for n in range(count):
            made = clients.create_client(session, clients.ClientCreate(name=f"bench {n}", tier="high",
                                                                       role="admin"), key=SECRET, now=NOW)
            claims = tokens.new_claims(auth.client_subject(made.client.id), ApiVersion.V2,
                                       generation=made.client.generation, now=NOW)
            out.append(tokens.encode(claims, SECRET, now=NOW))
    return out


# ---------------------------------------------------------------- the bare endpoint
def _row(r: Any) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "email": r.email, "phone": r.phone,
            "package": {"id": r.package_id, "name": r.package_name}, "connection_type": r.connection_type,
            "status": r.status, "created_at": r.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "updated_at": r.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")}


LISTED = (Customer.id, Customer.name, Customer.email, Customer.phone, Customer.package_id,
          Customer.connection_type, Customer.status, Customer.operator_id, Customer.created_at,
          Customer.updated_at)  # the columns the API's page query selects


def bare_app() -> Starlette:
    """The same count and page queries as the API, answered as JSON with no framework around them."""
    engine = make_engine(os.environ["BENCH_DATABASE_URL"])
    live = select(Customer.__table__).where(Customer.deleted_at.is_(None))
    page_sql = (select(*LISTED, Package.name.label("package_name"))
                .join(Package, Package.id == Customer.package_id)
                .where(Customer.deleted_at.is_(None)).order_by(Customer.id))

    ids_sql = select(Customer.id).where(Customer.deleted_at.is_(None)).order_by(Customer.id)

    def customers(request: Request) -> JSONResponse:
        query = request.query_params
        page, per_page = int(query.get("page", 1)), int(query.get("per_page", 20))
        with engine.connect() as conn:  # the API's paging: count, the page's keys, then those rows
            total = conn.scalar(select(func.count()).select_from(live.subquery())) or 0
            ids = list(conn.scalars(ids_sql.limit(per_page).offset((page - 1) * per_page)))
            rows = conn.execute(page_sql.where(Customer.id.in_(ids))).all() if ids else []
        meta = {"current_page": page, "per_page": per_page, "total": total,
                "last_page": max(1, -(-total // per_page))}
        return JSONResponse({"data": [_row(r) for r in rows], "meta": meta})

    return Starlette(routes=[Route(PATH, customers)])


# ---------------------------------------------------------------- servers and load
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, probe: dict[str, str]) -> Iterator[str]:
    """Run ``command`` until the block ends; yields its base URL once it answers."""
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(command, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
            try:
                if httpx.get(base + PATH, headers=probe, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@dataclass
class Load:
    """What the load clients saw."""

    ok: int = 0
    refused: int = 0
    latencies: list[float] = field(default_factory=list)


def _client(port: int, heads: list[dict[str, str]], pages: int, seconds: float, seed: int,
            go: Any, out: Any) -> None:
    """One keep-alive client in a process of its own (no GIL shared with the other clients); sends
    back (ok, refused, latencies in ms) over ``out``."""
    rng = random.Random(seed)
    mine: list[float] = []
    ok = refused = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    go.wait()
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        started = time.perf_counter()
        conn.request("GET", f"{PATH}?page={rng.randint(1, pages)}&per_page=100", headers=rng.choice(heads))
        response = conn.getresponse()
        response.read()
        mine.append((time.perf_counter() - started) * 1000)
        ok, refused = (ok + 1, refused) if response.status == 200 else (ok, refused + 1)
    conn.close()
    out.send((ok, refused, mine))


def run_load(base: str, heads: list[dict[str, str]], args: argparse.Namespace) -> tuple[float, Load]:
    """Requests answered 200 per second over ``args.seconds``, and the raw observations."""
    load, pages, port = Load(), max(1, args.customers // 100), int(base.rsplit(":", 1)[1])
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    pipes = [ctx.Pipe(duplex=False) for _ in range(args.threads)]
    procs = [ctx.Process(target=_client, args=(port, heads, pages, args.seconds, n, go, send))
             for n, (_, send) in enumerate(pipes)]
    for proc in procs:
        proc.start()
    started = time.perf_counter()
    go.set()
    for receive, _ in pipes:
        ok, refused, latencies = receive.recv()
        load.ok, load.refused = load.ok + ok, load.refused + refused
        load.latencies.extend(latencies)
    took = time.perf_counter() - started
    for proc in procs:
        proc.join()
    return load.ok / took, load


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nan when empty)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def prepare(tmp: str, args: argparse.Namespace) -> tuple[str, list[dict[str, str]]]:
    """A migrated SQLite store with the customers; the store URL and one auth header per client."""
    url = f"sqlite:///{Path(tmp) / 'bench.db'}"
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    build_store(engine, args.customers)
    heads = [{"Authorization": f"Bearer {t}"} for t in make_tokens(engine, args.clients)]
    engine.dispose()
    took = time.perf_counter() - started
    print(f"store: {args.customers} customers, {args.clients} clients in {took:.1f}s")
    return url, heads


def measure(command: list[str], env: dict[str, str], port: int, heads: list[dict[str, str]],
            args: argparse.Namespace) -> tuple[float, Load]:
    """Start a server, load it, stop it; print a summary line."""
    name = "api" if Path(command[0]).name == "ispnoc" else "bare"
    with server(command, env, port, heads[0] if name == "api" else {}) as base:
        rps, load = run_load(base, heads, args)
    print(f"{name}: {load.ok} ok, {load.refused} refused, {rps:.1f} rps, "
          f"p50={percentile(load.latencies, 0.5):.1f}ms p99={percentile(load.latencies, 0.99):.1f}ms")
    return rps, load


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        url, heads = prepare(tmp, args)
        port = free_port()
        api_cmd = [str(Path(sys.executable).with_name("ispnoc")), "serve", "--host", "127.0.0.1",
                   "--port", str(port)]
        env = {"ISPNOC_DATABASE_URL": url, "ISPNOC_SECRET_KEY": SECRET, "ISPNOC_REDIS_URL": "",
               "ISPNOC_WORKERS": "1", "ISPNOC_SCHEDULER_ENABLED": "false"}  # the API alone, as `--workers N`
        api_rps, api = measure(api_cmd, env, port, heads, args)
        port = free_port()
        bare_cmd = [sys.executable, "-m", "uvicorn", "bench.api:bare_app", "--factory", "--host", "127.0.0.1",
                    "--port", str(port)]
        bare_rps, _ = measure(bare_cmd, {"BENCH_DATABASE_URL": url}, port, heads, args)
    print(f"api_rps={api_rps:.1f} bare_rps={bare_rps:.1f} ratio={api_rps / bare_rps:.3f} "
          f"p99_ms={percentile(api.latencies, 0.99):.1f}")


if __name__ == "__main__":
    main()
