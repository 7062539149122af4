"""The demo's live numbers, read from the store every few seconds: devices up, ONUs online and with
low optics, radio stations, active sessions, open Zabbix problems, logs received, suspended
customers and webhook deliveries. On a terminal a rich table redraws in place; elsewhere (a pipe,
a log file) one line is printed every few seconds."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.models_outbox import WebhookDelivery
from billing.enums import CustomerStatus
from billing.models import Customer
from collectors.enums import DeviceStatus, OnuStatus
from collectors.models import (
    Device,
    HotspotLog,
    Onu,
    PppAuthLog,
    RadioStation,
    RouterLog,
    SubscriberSession,
    ZabbixProblem,
)
from ispnoc.wiring import Store
from store.db import session_scope


@dataclass(frozen=True)
class Numbers:
    """One reading of the store."""

    devices: int
    up: int
    onus: int
    onus_online: int
    low_optics: int
    stations: int
    sessions: int
    problems: int
    logs: int
    suspended: int
    webhooks: int

    def line(self) -> str:
        return (f"devices {self.up}/{self.devices} up · ONUs {self.onus_online}/{self.onus} online, "
                f"{self.low_optics} low optics · {self.stations} radio stations · {self.sessions} sessions · "
                f"{self.problems} problems · {self.logs} log lines · {self.suspended} suspended · "
                f"{self.webhooks} webhooks delivered")


def _count(session: Session, *where: object, model: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def read(store: Store) -> Numbers:
    """The numbers the panel shows, in one read transaction."""
    low = store.settings.low_optics_dbm
    with session_scope(store.sessions) as s:
        return Numbers(
            devices=_count(s, model=Device), up=_count(s, Device.status == DeviceStatus.UP, model=Device),
            onus=_count(s, model=Onu), onus_online=_count(s, Onu.status == OnuStatus.ONLINE, model=Onu),
            low_optics=_count(s, Onu.rx_dbm < low, model=Onu), stations=_count(s, model=RadioStation),
            sessions=_count(s, SubscriberSession.ended_at.is_(None), model=SubscriberSession),
            problems=_count(s, ZabbixProblem.resolved_at.is_(None), model=ZabbixProblem),
            logs=sum(_count(s, model=m) for m in (RouterLog, HotspotLog, PppAuthLog)),
            suspended=_count(s, Customer.status == CustomerStatus.SUSPENDED, model=Customer),
            webhooks=_count(s, WebhookDelivery.status == "delivered", model=WebhookDelivery),
        )


def table(n: Numbers) -> Table:
    """The numbers as a two-column table."""
    t = Table(title="ispnoc demo — live from the store", show_header=False, min_width=60)
    rows = (("devices up", f"{n.up} / {n.devices}"), ("ONUs online", f"{n.onus_online} / {n.onus}"),
            ("ONUs with low optics", str(n.low_optics)), ("radio stations", str(n.stations)),
            ("active PPP + hotspot sessions", str(n.sessions)), ("open Zabbix problems", str(n.problems)),
            ("router / hotspot / PPP log lines", str(n.logs)), ("suspended customers", str(n.suspended)),
            ("webhooks delivered", str(n.webhooks)))
    for label, value in rows:
        t.add_row(label, value)
    return t


class Panel:
    """Redraws the numbers until ``stop`` is set, calling ``tick`` (the story) about once a second."""

    def __init__(self, store: Store, console: Console, every_s: float = 3.0) -> None:
        self.store, self.console, self.every_s = store, console, every_s

    def run(self, stop: threading.Event, tick: Callable[[], None]) -> None:
        if self.console.is_terminal:
            with Live(table(read(self.store)), console=self.console, refresh_per_second=2) as live:
                self._loop(stop, tick, lambda n: live.update(table(n)))
        else:
            self._loop(stop, tick, lambda n: self.console.print(n.line(), highlight=False))

    def _loop(self, stop: threading.Event, tick: Callable[[], None], show: Callable[[Numbers], None]) -> None:
        beats = 0
        while not stop.wait(1.0):
            tick()
            beats += 1
            if beats % max(1, round(self.every_s)) == 0:
                show(read(self.store))
