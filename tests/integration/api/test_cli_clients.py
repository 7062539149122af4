"""`ispnoc clients create|list|rotate|delete` against a fresh SQLite store."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ispnoc.cli_clients import clients_app
from tests.integration.api.conftest import make_settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setattr("ispnoc.wiring.get_settings", lambda: settings)
    return CliRunner()


def test_create_list_rotate_delete(cli: CliRunner) -> None:
    made = cli.invoke(clients_app, ["create", "Mobile App", "--role", "billing", "--allow", "10.0.0.0/8"])
    assert made.exit_code == 0, made.output
    secret = re.search(r"client_secret: (\S+)", made.output)
    assert secret and len(secret[1]) >= 32
    old = cli.invoke(clients_app, ["create", "Legacy", "--version", "v1"])
    assert "access_token:" in old.output and "refresh_token:" in old.output
    listed = cli.invoke(clients_app, ["list"])
    assert listed.exit_code == 0 and "Mobile App" in listed.output and "2 clients" in listed.output
    assert secret[1] not in listed.output
    rotated = cli.invoke(clients_app, ["rotate", "1"])
    new = re.search(r"client_secret: (\S+)", rotated.output)
    assert new and new[1] != secret[1]
    assert cli.invoke(clients_app, ["delete", "2"]).exit_code == 0
    missing = cli.invoke(clients_app, ["delete", "2"])
    assert missing.exit_code == 1 and "no such API client" in missing.output


def test_bad_input_exits_non_zero_naming_the_field(cli: CliRunner) -> None:
    r = cli.invoke(clients_app, ["create", "x", "--tier", "gold"])
    assert r.exit_code == 1 and "tier" in r.output
    r = cli.invoke(clients_app, ["create", "x", "--allow", "not-an-ip"])
    assert r.exit_code == 1 and "allowed_ips" in r.output
