"""`ispnoc demo`: the whole system on one machine. The simulated ISP network (device_fixtures) on
127.0.0.1, a fresh SQLite store with customers matched to its subscribers and ONUs, and in one
process the API with the NOC dashboard, the scheduler, the collectors and the syslog receiver.
While it runs, an auto-suspension cuts the overdue customers off on the simulated routers, and one
of them pays through the v2 API and is back within seconds. Ctrl-C stops everything."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from rich.console import Console
from sqlalchemy import func, select

from api.app import create_app
from billing.models import Customer
from device_fixtures.network import run_network
from device_fixtures.scenario import load_scenario
from device_fixtures.syslog import SyslogTarget
from ispnoc import demo_setup, demo_story
from ispnoc.cli_scheduler import scheduler_for, stop_on_signals
from ispnoc.demo_hooks import Delivery, HookBox, webhook_receiver
from ispnoc.demo_panel import Panel
from ispnoc.enforcers import wire_push
from ispnoc.server import with_scheduler
from ispnoc.settings import Settings, get_settings
from ispnoc.wiring import Store, open_store
from store.db import session_scope
from store.types import utcnow

LIVE_FILE = Path("ispnoc-demo.db")
DEMO_INTERVALS = {"collect_mikrotik_s": 10.0, "collect_olt_ssh_s": 20.0, "collect_olt_snmp_s": 15.0,
                  "collect_radio_snmp_s": 10.0, "collect_zabbix_s": 15.0, "collect_status_s": 15.0,
                  "delivery_s": 2.0, "suspension_cron": ""}
"""The demo polls faster than production and runs its suspension itself (the cron is off)."""


@dataclass(frozen=True)
class DemoOptions:
    """How ``ispnoc demo`` was asked to run."""

    host: str = "127.0.0.1"
    port: int = 8000
    scenario: str = "demo"
    database_url: str | None = None
    pay_after_s: float = 20.0


def free_udp_port(host: str) -> int:
    """A UDP port nobody holds right now (for the syslog receiver the routers send to)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def demo_settings(options: DemoOptions, database_url: str, syslog_port: int) -> Settings:
    """The operator's settings with the demo's store, address, intervals, syslog and webhook receivers."""
    return get_settings().model_copy(update={
        **DEMO_INTERVALS, "database_url": database_url, "host": options.host, "port": options.port,
        "syslog_enabled": True, "syslog_host": options.host, "syslog_port": syslog_port,
        "scheduler_enabled": True,
        # the demo's webhook receiver is on 127.0.0.1, an address webhooks refuse unless allowed
        "webhook_allow_private": True})


@contextmanager
def serving(app: Any, host: str, port: int) -> Iterator[uvicorn.Server]:
    """uvicorn in a thread until the block ends (its lifespan starts and stops the scheduler)."""
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                           lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, name="demo-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"the API did not start on {host}:{port} (is the port in use?)")
        time.sleep(0.1)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=60)


def run_live_demo(options: DemoOptions, console: Console | None = None) -> int:
    """Start everything, tell the story, show live numbers until Ctrl-C; 0 when stopped cleanly."""
    out = console or Console()
    stop = threading.Event()
    url = options.database_url or _fresh(LIVE_FILE)
    syslog_port = free_udp_port(options.host)
    settings = demo_settings(options, url, syslog_port)
    with ExitStack() as stack:
        stack.enter_context(stop_on_signals(stop))
        with out.status(f"Starting the simulated network ({options.scenario})"):
            net = stack.enter_context(run_network(load_scenario(options.scenario), host=options.host,
                                                  syslog=SyslogTarget(options.host, syslog_port)))
        store = open_store(settings)
        stack.callback(store.engine.dispose)
        _refuse_used(store)
        box = stack.enter_context(webhook_receiver(HookBox(on_delivery=lambda d: _hook(out, d))))
        with out.status("Building the demo ISP: inventory, customers, two months of bills"):
            access = _build(store, net.inventory(), box)
        app = with_scheduler(wire_push(create_app(settings, store.sessions), settings),
                             lambda: scheduler_for(store))
        stack.enter_context(serving(app, options.host, options.port))
        base = f"http://{options.host}:{options.port}"
        _banner(out, base, access, net.inventory())
        story = demo_story.Story(store, base, access, say=out.print)
        Panel(store, out).run(stop, story.step)
    out.print("[bold]ispnoc demo stopped[/]: network, API, scheduler and collectors are down.")
    return 0


def _fresh(path: Path) -> str:
    for suffix in ("", "-wal", "-shm", ".key"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def _refuse_used(store: Store) -> None:
    """The demo fills the store itself: a store that already has customers is refused."""
    with session_scope(store.sessions) as session:
        if session.scalar(select(func.count(Customer.id))):
            raise ValueError("the demo needs an empty database; this one already has customers")


def _build(store: Store, inventory: dict[str, Any], box: HookBox) -> demo_setup.DemoAccess:
    now = utcnow()
    router_ids = demo_setup.import_network(store, inventory, now=now)
    demo_setup.build_customers(store, inventory, now=now, router_ids=router_ids)
    access = demo_setup.grant_access(store, now=now, webhook_url=box.url)
    box.secret = access.webhook_secret
    return access


def _hook(out: Console, delivery: Delivery) -> None:
    if delivery.event in ("customer.suspended", "customer.activated"):
        data = delivery.data
        why = f" ({data['reason']})" if data.get("reason") else ""
        mark = "signed" if delivery.signed else "[red]BAD SIGNATURE[/]"
        out.print(f"  webhook [cyan]{delivery.event}[/] customer {data.get('customer_id')}{why}, {mark}")


def _banner(out: Console, base: str, access: demo_setup.DemoAccess, inventory: dict[str, Any]) -> None:
    out.rule("[bold]ispnoc demo is running")
    out.print(f"Dashboard      [bold]{base}/[/]   (log in as [bold]{access.admin_email}[/] / "
              f"[bold]{access.admin_password}[/])")
    out.print(f"API docs       [bold]{base}/docs[/]   metrics {base}/metrics")
    out.print(f"v2 API client  client_id [bold]{access.client_id}[/]  client_secret "
              f"[bold]{access.client_secret}[/]")
    out.print(f"Network        {len(inventory['routers'])} MikroTik routers, {len(inventory['olts'])} OLTs "
              f"with {len(inventory['onus'])} ONUs, {len(inventory['radios'])} radios, a Zabbix server, "
              f"{len(inventory['subscribers'])} subscribers (all on 127.0.0.1)")
    out.print("Press [bold]Ctrl-C[/] to stop.\n")
