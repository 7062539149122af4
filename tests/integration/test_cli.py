"""The `ispnoc` commands on a real store file: db upgrade, bills generate, users create."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from billing.models import Bill, StaffUser
from ispnoc.cli import app
from ispnoc.settings import get_settings
from ispnoc.wiring import open_store
from store.db import session_scope
from tests import factories as f


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ISPNOC_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_db_upgrade_creates_the_store_and_is_idempotent(store_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["db", "upgrade"])
    again = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == again.exit_code == 0
    assert first.stdout == again.stdout and "database at" in first.stdout


def test_bills_generate_bills_once_per_period(store_url: str) -> None:
    store = open_store()
    with session_scope(store.sessions) as session:
        op, pkg = f.operator(session), f.package(session)
        for _ in range(3):
            f.customer(session, op, pkg)
    runner = CliRunner()
    first = runner.invoke(app, ["bills", "generate", "--period", "2026-06"])
    second = runner.invoke(app, ["bills", "generate", "--period", "2026-06"])
    assert first.exit_code == second.exit_code == 0, first.output
    assert "3 bills generated" in first.stdout and "0 bills generated, 3 already billed" in second.stdout
    with session_scope(store.sessions) as session:
        assert session.scalar(select(func.count()).select_from(Bill)) == 3
    bad = runner.invoke(app, ["bills", "generate", "--period", "2026-13"])
    assert bad.exit_code == 1 and bad.stderr.startswith("error: period")


def test_users_create_hashes_the_password_and_never_prints_it(store_url: str) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["users", "create", "--email", "Noc@Example.com", "--name", "NOC desk",
                             "--role", "noc", "--password", "a-long-password"])
    assert ok.exit_code == 0, ok.output
    assert "a-long-password" not in ok.output and "noc@example.com" in ok.stdout
    with session_scope(open_store().sessions) as session:
        user = session.scalars(select(StaffUser)).one()
        assert user.password_hash.startswith("$argon2") and user.role == "noc"
    short = runner.invoke(app, ["users", "create", "--email", "x@example.com", "--name", "X",
                                "--password", "short"])
    assert short.exit_code == 1 and short.stderr.startswith("error: password")
    twice = runner.invoke(app, ["users", "create", "--email", "noc@example.com", "--name", "Again",
                                "--password", "another-password"])
    assert twice.exit_code == 1 and "email" in twice.stderr


@pytest.mark.parametrize("key", ["", "a-key-of-thirty-one-characters!"])
def test_a_short_secret_key_is_refused_before_any_command_without_echoing_it(
        store_url: str, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISPNOC_SECRET_KEY", key)
    get_settings.cache_clear()
    r = CliRunner().invoke(app, ["db", "upgrade"])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith("error: ISPNOC_SECRET_KEY: must be at least 32 characters")
    assert len(r.stderr.splitlines()) == 1 and (not key or key not in r.stderr)
    assert not Path(store_url.removeprefix("sqlite:///")).exists()
