"""Without ISPNOC_SECRET_KEY the app signs with a key the store made for itself: no string written in
the source signs a token it accepts, and the key outlives a restart (a 0600 file beside a SQLite
database, a row of ``app_secrets`` in PostgreSQL)."""

from __future__ import annotations

import ast
import base64
import dataclasses
import hashlib
import hmac
import json
import re
import stat
import warnings
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
    from fastapi.testclient import TestClient

from api.app import create_app
from ispnoc import server
from ispnoc.cli_clients import clients_app
from ispnoc.wiring import open_store
from store.db import make_engine, make_session_factory
from store.keyring import SIGNING_KEY, AppSecret
from store.migrate import upgrade
from tests.conftest import REPO
from tests.integration.api.conftest import Api, make_settings

SKIP_DIRS = {".venv", "venv", ".git", "build", "dist", "node_modules", ".mypy_cache", ".ruff_cache",
             ".pytest_cache", "__pycache__"}
# The key every installation without ISPNOC_SECRET_KEY used to sign with (kept out of the source as one
# literal, so that grepping for it finds nothing).
OLD_DEV_KEY = "-".join(("change", "me", "in", "production", "this", "is", "the", "dev", "key"))


@cache
def source_strings() -> tuple[str, ...]:
    """Every string literal of 8 characters or more in the repository's .py files, and the old key."""
    found = {OLD_DEV_KEY}
    for path in REPO.rglob("*.py"):
        if SKIP_DIRS.isdisjoint(path.relative_to(REPO).parts):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found.update(node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                         and isinstance(node.value, str) and len(node.value) >= 8)
    return tuple(sorted(found))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a ``v2_`` token, unverified."""
    payload = token.removeprefix("v2_").split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def forge(claims: dict[str, Any], key: str) -> str:
    """A v2 token for ``claims`` signed HS256 with ``key`` (by hand: no library, no key-length rules)."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"v2_{head}.{body}.{_b64(mac)}"


def keyless_app(sessions: sessionmaker[Session] | None = None, **settings: Any) -> Any:
    """The app as ``ispnoc serve`` builds it when ISPNOC_SECRET_KEY is not set."""
    return create_app(make_settings(secret_key=None, **settings), session_factory=sessions)


@pytest.fixture
def keyless(session_factory: sessionmaker[Session]) -> Iterator[Api]:
    """An app without a configured key on the test store, its rate limits lifted."""
    app = keyless_app(session_factory)
    runtime = app.state.runtime
    big = dict.fromkeys(runtime.rates.per_minute, 10**9)
    runtime.rates = dataclasses.replace(runtime.rates, per_minute=big, intensive=10**9, per_ip=10**9)
    with TestClient(app, client=("192.0.2.10", 50000)) as http:
        yield Api(http=http, sessions=session_factory)


@pytest.mark.slow
def test_no_string_in_the_source_signs_a_token_the_app_accepts(keyless: Api) -> None:
    token = keyless.token("v2", "admin")
    claims = claims_of(token)
    key = keyless.http.app.state.runtime.key  # type: ignore[attr-defined]
    assert re.fullmatch(r"[A-Za-z0-9_-]{64}", key)
    assert keyless.http.get("/api/v2/customers", headers=keyless.auth(forge(claims, key))).status_code == 200
    candidates = source_strings()
    assert OLD_DEV_KEY in candidates and len(candidates) > 1000
    answers = {c: keyless.http.get("/api/v2/customers", headers=keyless.auth(forge(claims, c))).status_code
               for c in candidates}
    assert [c for c, status in answers.items() if status != 401] == []


def _client_token(http: TestClient, sessions: sessionmaker[Session]) -> str:
    return Api(http=http, sessions=sessions).token("v2", "admin")


def test_the_key_is_kept_in_a_0600_file_beside_a_sqlite_store_and_survives_a_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'noc.db'}"
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    with TestClient(keyless_app(database_url=url)) as http:
        token = _client_token(http, sessions)
    key_file = tmp_path / "noc.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with TestClient(keyless_app(database_url=url)) as http:  # a restart: a new engine, the same store
        assert http.get("/api/v2/customers", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    other = f"sqlite:///{tmp_path / 'other.db'}"
    upgrade(other)
    with TestClient(keyless_app(database_url=other)) as http:
        assert http.get("/api/v2/customers", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_serve_without_a_key_signs_with_the_key_file_every_time(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    apps: list[Any] = []
    monkeypatch.setattr("uvicorn.run", lambda app, **_: apps.append(app))
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'noc.db'}", secret_key=None,
                             scheduler_enabled=False)
    open_store(settings)
    server.serve(settings)
    server.serve(settings)
    kept = (tmp_path / "noc.db.key").read_text().strip()
    assert [a.state.runtime.key for a in apps] == [kept, kept] and len(kept) == 64


def test_the_clients_command_signs_with_the_key_the_app_reads(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    settings = make_settings(database_url=url, secret_key=None)
    monkeypatch.setattr("ispnoc.wiring.get_settings", lambda: settings)
    made = CliRunner().invoke(clients_app, ["create", "Legacy", "--version", "v1", "--role", "admin"])
    assert made.exit_code == 0, made.output
    found = re.search(r"access_token:\s+(\S+)", made.output)
    assert found
    with TestClient(keyless_app(database_url=url)) as http:
        ok = http.get("/api/v1/customers", headers={"Authorization": f"Bearer {found[1]}"})
        assert ok.status_code == 200, ok.text
        forged = http.get("/api/v1/customers", headers={"Authorization": f"Bearer {found[1]}x"})
        assert forged.status_code == 401
    assert (tmp_path / "cli.db.key").exists()


@pytest.mark.postgres
def test_postgresql_keeps_the_key_in_a_row_that_survives_a_restart(committed: Engine, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if committed.dialect.name != "postgresql":
        pytest.skip("needs ISPNOC_TEST_DATABASE_URL (PostgreSQL)")
    monkeypatch.chdir(tmp_path)
    sessions = make_session_factory(committed)
    with TestClient(keyless_app(sessions)) as http:
        token = _client_token(http, sessions)
        key = http.app.state.runtime.key  # type: ignore[attr-defined]
    with sessions() as session:
        assert session.scalar(select(AppSecret.value).where(AppSecret.name == SIGNING_KEY)) == key
    with TestClient(keyless_app(make_session_factory(committed))) as http:
        assert http.get("/api/v2/customers", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert list(tmp_path.iterdir()) == []
