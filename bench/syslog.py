"""Benchmark: MikroTik syslog over UDP into the store vs a raw bulk insert of the same rows.

``python -m bench.syslog`` builds a store (a fresh SQLite file, or a schema of its own on
``--database-url``) with 10 routers and 5,000 customers, starts the receiver
(``collectors.syslog.serve_syslog``), and has another process send ``--messages`` frames (the texts
the simulated routers log: hotspot, PPP, access and other lines) over UDP at ``--rate`` messages a
second, paced. Ingest is timed from the first datagram sent to the last row committed. Then the same
lines, already parsed and resolved, are bulk-inserted straight into emptied tables in batches of
the same size. Last line: ``ingest_mps=<x> raw_insert_mps=<y> ratio=<x/y> lost=<n>``, where
``lost`` is sent minus rows stored.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import socket
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from billing.models import Customer, Operator, Package
from collectors import logparse
from collectors.models import Device
from collectors.syslog import Resolver, build_rows, serve_syslog
from device_fixtures import syslog as fx
from store.bulk import bulk_insert
from store.db import make_session_factory, scratch_engine

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)
ROUTERS = 10
CUSTOMERS = 5000
Maker = Callable[[str, str], str]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.syslog", description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rate", type=float, default=40_000, help="messages a second the sender paces to")
    parser.add_argument("--batch", type=int, default=2000, help="rows per insert transaction")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary directory")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args(argv)


def frames(count: int, seed: int) -> list[bytes]:
    """``count`` frames as the simulated routers send them, a realistic mix of kinds."""
    rng = random.Random(seed)
    epoch = NOW.timestamp()
    makers: tuple[tuple[str, Maker], ...] = (
        (fx.HOTSPOT, lambda u, a: fx.hotspot_logged_in(u, a)),
        (fx.HOTSPOT, lambda u, a: fx.hotspot_logged_out(u, a, "keepalive timeout")),
        (fx.HOTSPOT, lambda u, a: fx.hotspot_login_failed(u, a, "invalid username or password")),
        (fx.PPP, lambda u, a: fx.ppp_authenticated(u)),
        (fx.PPP, lambda u, a: fx.ppp_connected(u)),
        (fx.PPP_ACCOUNT, lambda u, a: fx.ppp_logged_in(u, a)),
        (fx.PPP, lambda u, a: fx.ppp_terminating(u, "peer is not responding")),
        (fx.PPP, lambda u, a: fx.ppp_disconnected(u)),
        (fx.PPP_ERROR, lambda u, a: fx.ppp_auth_failed("4C:5E:0C:01:02:03", u)),
        (fx.ACCOUNT, lambda u, a: fx.account_logged_in("admin", "10.0.0.5", "winbox")),
        (fx.LOGIN_FAILURE, lambda u, a: fx.login_failure("admin", "10.0.0.9", "ssh")),
        (fx.SYSTEM, lambda u, a: "router rebooted"),
    )
    out = []
    for n in range(count):
        topics, make = makers[rng.randrange(len(makers))]
        user = f"u{rng.randint(1, CUSTOMERS + 500):05d}"  # some usernames match no customer
        address = f"10.16.{rng.randrange(256)}.{rng.randrange(1, 255)}"
        out.append(fx.format_frame(epoch + n / 1000, f"rtr-{n % ROUTERS}", topics, make(user, address)))
    return out


def send(port: int, count: int, seed: int, rate: float) -> None:
    """The sender process: every frame to 127.0.0.1:port, paced to ``rate`` a second."""
    data = frames(count, seed)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        target = ("127.0.0.1", port)
        start = time.perf_counter()
        for n, frame in enumerate(data):
            sock.sendto(frame, target)
            if n % 200 == 0 and rate > 0:
                ahead = n / rate - (time.perf_counter() - start)
                if ahead > 0:
                    time.sleep(ahead)


def build(engine: Engine) -> None:
    """Routers (all on 127.0.0.1, told apart by hostname) and customers ``u00001``..."""
    stamp = {"created_at": NOW, "updated_at": NOW}
    with engine.begin() as conn:
        conn.execute(insert(Operator), [{"id": 1, "name": "Operator", "status": "active", "fund_balance": 0,
                                         "credit_limit": 0, "timezone": "UTC", "currency": "BDT",
                                         "invoice_prefix": "OP", "next_invoice_no": 1, **stamp}])
        conn.execute(insert(Package), [{"id": 1, "name": "Plan", "service_type": "pppoe",
                                        "speed_down_kbps": 10_000, "speed_up_kbps": 5_000, "price": 500,
                                        "currency": "BDT", "validity_days": 30, "router_profile": "10M",
                                        "suspended_profile": "suspended", "active": True, **stamp}])
        conn.execute(insert(Device), [{"name": f"rtr-{n}", "kind": "router", "vendor": "mikrotik",
                                       "host": "127.0.0.1", "api_port": 8728, "details": {},
                                       "created_at": NOW, "enabled": True, "status": "unknown",
                                       "consecutive_failures": 0} for n in range(ROUTERS)])
        conn.execute(insert(Customer), [
            {"operator_id": 1, "package_id": 1, "name": f"Customer {n}", "connection_type": "pppoe",
             "billing_type": "postpaid", "status": "active", "username": f"u{n:05d}", "never_suspend": False,
             "balance": 0, "credit_limit": 0, "desired_state": "enabled", "enforce_attempts": 0, **stamp}
            for n in range(1, CUSTOMERS + 1)])


def stored(engine: Engine) -> int:
    """Rows in the four log tables."""
    with engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(m.__table__)).scalar_one()
                   for m in logparse.LOG_MODELS)


def ingest(sessions: sessionmaker[Session], args: argparse.Namespace) -> tuple[float, int]:
    """Seconds from the first datagram to the last row committed, and lines stored."""
    ctx = multiprocessing.get_context("spawn")
    with serve_syslog(sessions, batch_size=args.batch) as rx:
        sender = ctx.Process(target=send, args=(rx.port, args.messages, args.seed, args.rate))
        sender.start()
        while rx.received == 0 and sender.is_alive():
            time.sleep(0.001)
        start = time.perf_counter()
        sender.join()
        last, idle_since = -1, time.perf_counter()
        while rx.stored + rx.failed < args.messages and time.perf_counter() - idle_since < 2.0:
            if rx.received != last:
                last, idle_since = rx.received, time.perf_counter()
            rx.wait_written(args.messages, timeout=0.05)
        rx.wait_written(rx.received, timeout=30)
        elapsed = time.perf_counter() - start
        return elapsed, rx.stored


def raw_insert(engine: Engine, sessions: sessionmaker[Session], args: argparse.Namespace) -> float:
    """Seconds to bulk-insert the same lines, parsed and resolved beforehand, into emptied tables."""
    data = frames(args.messages, args.seed)
    arrival = NOW.timestamp()
    batches: list[dict[Any, list[dict[str, Any]]]] = []
    resolver = Resolver(3600)
    with sessions() as session:
        for start in range(0, len(data), args.batch):
            chunk = [(f, "127.0.0.1", arrival) for f in data[start:start + args.batch]]
            batches.append(build_rows(chunk, resolver, session))
    with engine.begin() as conn:
        for model in logparse.LOG_MODELS:
            conn.execute(model.__table__.delete())  # type: ignore[attr-defined]
    began = time.perf_counter()
    for rows in batches:
        with engine.begin() as conn:
            for model, values in rows.items():
                bulk_insert(conn, model, values)
    return time.perf_counter() - began


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        with scratch_engine(url, f"bench_syslog_{os.getpid()}") as engine:
            build(engine)
            sessions = make_session_factory(engine)
            seconds, _ = ingest(sessions, args)
            rows = stored(engine)
            raw_s = raw_insert(engine, sessions, args)
    ingest_mps, raw_mps = rows / seconds, args.messages / raw_s
    print(f"sent={args.messages} stored={rows} ingest_s={seconds:.2f} raw_insert_s={raw_s:.2f} "
          f"rate={args.rate:.0f}/s batch={args.batch}")
    print(f"ingest_mps={ingest_mps:.0f} raw_insert_mps={raw_mps:.0f} ratio={ingest_mps / raw_mps:.2f} "
          f"lost={args.messages - rows}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
