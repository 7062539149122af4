"""`ispnoc suspend run` as cron runs it: a real store file, quiet or JSON, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from billing.enums import CustomerStatus, ServiceState
from billing.models import Customer
from ispnoc.cli import app
from ispnoc.settings import get_settings
from ispnoc.wiring import open_store
from store.db import session_scope
from tests import factories as f


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cron.db'}"
    monkeypatch.setenv("ISPNOC_DATABASE_URL", url)
    get_settings.cache_clear()
    store = open_store()
    with session_scope(store.sessions) as session:
        op, pkg = f.operator(session), f.package(session)
        late, fine = f.customer(session, op, pkg), f.customer(session, op, pkg)
        f.bill(session, late, due=date(2026, 5, 1))
        f.bill(session, fine, due=date(2026, 5, 19))
    store.engine.dispose()
    yield url
    get_settings.cache_clear()


def statuses(url: str) -> list[CustomerStatus]:
    store = open_store(database_url=url)
    with session_scope(store.sessions) as session:
        return list(session.scalars(select(Customer.status).order_by(Customer.id)))


def test_quiet_by_default_and_json_on_request(store_url: str) -> None:
    runner = CliRunner()
    dry = runner.invoke(app, ["suspend", "run", "--dry-run", "--json", "--now", "2026-05-20T12:00:00Z"])
    assert dry.exit_code == 0, dry.output
    summary = json.loads(dry.stdout)
    assert (summary["dry_run"], summary["suspended"], summary["run_id"]) == (True, 1, None)
    assert statuses(store_url) == [CustomerStatus.ACTIVE, CustomerStatus.ACTIVE]
    quiet = runner.invoke(app, ["suspend", "run", "--now", "2026-05-20T18:00:00+06:00"])
    assert (quiet.exit_code, quiet.stdout) == (0, "")
    assert statuses(store_url) == [CustomerStatus.SUSPENDED, CustomerStatus.ACTIVE]
    again = runner.invoke(app, ["suspend", "run", "--json", "--now", "2026-05-20T12:00:00Z"])
    assert json.loads(again.stdout)["suspended"] == 0


@pytest.mark.parametrize("bad", ["2026-05-20T12:00:00", "yesterday"])
def test_a_bad_now_fails_with_one_line(store_url: str, bad: str) -> None:
    result = CliRunner().invoke(app, ["suspend", "run", "--now", bad])
    assert result.exit_code != 0
    assert "--now" in result.output


def test_a_run_in_progress_exits_non_zero_with_a_reason(store_url: str) -> None:
    from billing.locks import acquire
    from store.types import utcnow

    acquire(open_store(database_url=store_url).sessions, "suspension", now=utcnow())
    result = CliRunner().invoke(app, ["suspend", "run"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: another suspension run is in progress"


def test_a_cron_run_suspends_on_the_simulated_router(store_url: str) -> None:
    from collectors.enums import DeviceKind, Vendor
    from collectors.models import Device
    from device_fixtures.routeros.server import serve_routeros
    from device_fixtures.routeros.state import SubscriberKind
    from device_fixtures.routeros.subscribers import build_router
    from store.types import utcnow

    state = build_router("rtr-cron", 10, seed=5)
    pppoe = next(s for s in state.subscribers.values() if s.kind is SubscriberKind.PPPOE)
    with serve_routeros([state]) as fleet:
        store = open_store(database_url=store_url)
        with session_scope(store.sessions) as session:
            device = Device(name="rtr-cron", kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host=fleet.host,
                            api_port=fleet.port, username="admin", password_enc="admin", enabled=True,
                            created_at=utcnow())
            session.add(device)
            session.flush()
            late = session.scalars(select(Customer).order_by(Customer.id)).first()
            assert late is not None
            late.router_id, late.username = device.id, pppoe.name
        result = CliRunner().invoke(app, ["suspend", "run", "--json", "--now", "2026-05-20T12:00:00Z"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["suspended"], summary["applied"], summary["failed"]) == (1, 1, 0)
    with state.lock:
        secret = next(r for r in state.menus["/ppp/secret"] if r.get("name") == pppoe.name)
        assert secret["profile"] == "suspended"
        assert not [r for r in state.menus["/ppp/active"] if r.get("name") == pppoe.name]


def test_a_customer_without_a_router_stays_pending_with_the_reason(store_url: str) -> None:
    result = CliRunner().invoke(app, ["suspend", "run", "--json", "--now", "2026-05-20T12:00:00Z"])
    summary = json.loads(result.stdout)
    assert (summary["suspended"], summary["applied"], summary["failed"]) == (1, 0, 1)
    store = open_store(database_url=store_url)
    with session_scope(store.sessions) as session:
        late = session.scalars(select(Customer).order_by(Customer.id)).first()
        assert late is not None and late.applied_state == ServiceState.ENABLED  # not applied yet
        assert late.enforce_attempts == 1 and "no router" in (late.enforce_error or "")


def test_a_cron_run_reports_drift_in_its_json_and_repairs_it(store_url: str) -> None:
    from collectors.enums import DeviceKind, Vendor
    from collectors.models import Device
    from device_fixtures.routeros.server import serve_routeros
    from device_fixtures.routeros.state import SubscriberKind
    from device_fixtures.routeros.subscribers import build_router
    from store.types import utcnow

    state = build_router("rtr-drift", 10, seed=6)
    fine_sub = next(s for s in state.subscribers.values() if s.kind is SubscriberKind.PPPOE)
    with serve_routeros([state]) as fleet:
        store = open_store(database_url=store_url)
        with session_scope(store.sessions) as session:
            device = Device(name="rtr-drift", kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host=fleet.host,
                            api_port=fleet.port, username="admin", password_enc="admin", enabled=True,
                            created_at=utcnow())
            session.add(device)
            session.flush()
            fine = session.scalars(select(Customer).order_by(Customer.id.desc())).first()
            assert fine is not None
            fine.router_id, fine.username, fine_id = device.id, fine_sub.name, fine.id
        with state.lock:
            next(r for r in state.menus["/ppp/secret"] if r["name"] == fine_sub.name)["profile"] = "suspended"
        result = CliRunner().invoke(app, ["suspend", "run", "--json", "--now", "2026-05-20T12:00:00Z"])
    assert result.exit_code == 0, result.output
    (drift,) = json.loads(result.stdout)["drift"]
    assert (drift["customer_id"], drift["router_id"], drift["store"]) == (fine_id, device.id, "enabled")
    assert "on profile 'suspended'" in drift["found"] and f"drift: customer {fine_id}" in result.stderr
    with state.lock:
        secret = next(r for r in state.menus["/ppp/secret"] if r["name"] == fine_sub.name)
    assert secret["profile"] == "20M"  # the package's profile, put back
