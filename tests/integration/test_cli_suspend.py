"""`ispnoc suspend run` as cron runs it: a real store file, quiet or JSON, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from billing.enums import CustomerStatus
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
