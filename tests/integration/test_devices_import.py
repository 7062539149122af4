"""From a running simulated network to a suspension on its router: the inventory `ispnoc fixtures up`
writes is imported with `ispnoc devices import`, and `ispnoc suspend run` reaches the router."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from typer.testing import CliRunner

from collectors.models import Device
from device_fixtures.network import Network, run_network
from device_fixtures.scenario import Scenario
from ispnoc.cli import app
from ispnoc.settings import get_settings
from ispnoc.wiring import open_store
from store.db import session_scope
from tests import factories as f

TINY = Scenario(name="tiny", routers=1, subscribers_per_router=8, olts=1, onus_per_olt=4, radios=2,
                zabbix_hosts=4, zabbix_problems=1, tick_seconds=60)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ISPNOC_DATABASE_URL", f"sqlite:///{tmp_path / 'noc.db'}")
    monkeypatch.setenv("ISPNOC_CREDENTIALS_KEY", Fernet.generate_key().decode())
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def net() -> Iterator[Network]:
    with run_network(TINY, tick=False) as running:
        yield running


def test_import_then_suspend_on_the_imported_router(env: Path, net: Network) -> None:
    inventory = net.write_inventory(env / "inv.json")
    runner = CliRunner()
    first = runner.invoke(app, ["devices", "import", str(inventory)])
    again = runner.invoke(app, ["devices", "import", str(inventory)])
    assert first.exit_code == again.exit_code == 0, first.output
    assert "router: 1 added" in first.stdout and "router: 0 added, 1 updated" in again.stdout
    store = open_store()
    router = net.routers[0]
    pppoe = next(s for s in net.subscribers if s["service"] == "pppoe")
    with session_scope(store.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 1 + 1 + 2 + 1
        device = session.scalars(select(Device).where(Device.name == router["name"])).one()
        assert device.password_enc and router["api"]["password"] not in device.password_enc
        cust = f.customer(session, f.operator(session), f.package(session), router_id=device.id,
                          username=pppoe["username"])
        f.bill(session, cust, due=date(2026, 5, 1))
    result = runner.invoke(app, ["suspend", "run", "--json", "--now", "2026-05-20T12:00:00Z"])
    assert result.exit_code == 0, result.output
    assert {k: json.loads(result.stdout)[k] for k in ("suspended", "applied", "failed")} == {
        "suspended": 1, "applied": 1, "failed": 0}


def test_a_broken_inventory_names_the_entry_and_imports_nothing(env: Path) -> None:
    bad = env / "bad.json"
    bad.write_text(json.dumps({"routers": [{"name": "r1", "host": "127.0.0.1"}, {"host": "127.0.0.2"}]}))
    result = CliRunner().invoke(app, ["devices", "import", str(bad)])
    assert result.exit_code == 1 and "routers[1]: missing 'name'" in result.stderr
    with session_scope(open_store().sessions) as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 0


def test_a_csv_inventory_on_stdin_is_imported_and_listed(env: Path) -> None:
    csv_text = ("name,kind,host,vendor,family,api_port,snmp_port,snmp_community,username,password\n"
                "core-rt1,router,10.0.0.1,,,8728,161,public,api,s3cret\n"
                "ap-1,radio,10.0.2.1,,epmp,,161,ro-comm,,\n")
    runner = CliRunner()
    result = runner.invoke(app, ["devices", "import", "-"], input=csv_text)
    assert result.exit_code == 0, result.output
    assert "radio: 1 added" in result.stdout and "router: 1 added" in result.stdout
    listed = runner.invoke(app, ["devices", "list"])
    assert listed.exit_code == 0 and "core-rt1" in listed.stdout and "ap-1" in listed.stdout
    assert "s3cret" not in listed.stdout and "ro-comm" not in listed.stdout
    with session_scope(open_store().sessions) as session:
        router = session.scalars(select(Device).where(Device.name == "core-rt1")).one()
        assert (router.api_port, router.username) == (8728, "api")
        assert router.password_enc and "s3cret" not in router.password_enc  # sealed with the key


def test_a_bad_csv_row_names_its_line_and_imports_nothing(env: Path) -> None:
    bad = env / "bad.csv"
    bad.write_text("name,kind,host,api_port\nr1,router,10.0.0.1,8728\nr2,router,10.0.0.2,99999\n")
    result = CliRunner().invoke(app, ["devices", "import", str(bad)])
    assert result.exit_code == 1 and "line 3: api_port must be a port number" in result.stderr
    with session_scope(open_store().sessions) as session:
        assert session.scalar(select(func.count()).select_from(Device)) == 0
