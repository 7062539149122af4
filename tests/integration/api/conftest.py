"""An API under test: the real app on the committed test database, driven by TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its TestClient; httpx still works (the lead may add httpx2).
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
    from fastapi.testclient import TestClient
from argon2 import PasswordHasher
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.clients import ClientCreate, create_client
from ispnoc.settings import Settings
from store.db import session_scope
from tests.factories import NOW
from tests.integration.api.world import World, build

KEY = "test-secret-key-of-at-least-thirty-two-bytes"


@dataclass
class Api:
    """The app, a TestClient and helpers to mint clients and tokens."""

    http: TestClient
    sessions: sessionmaker[Session]
    now: list[datetime] = field(default_factory=lambda: [NOW])

    @contextmanager
    def db(self) -> Iterator[Session]:
        with session_scope(self.sessions) as session:
            yield session

    def credentials(self, version: str = "v2", role: str = "admin", **kw: Any) -> tuple[int, dict[str, Any]]:
        """A new API client: its id and what it got once (secret or token pair)."""
        with self.db() as s:
            creds = create_client(s, ClientCreate(name=f"c-{role}", version=version, role=role, **kw),
                                  key=KEY, now=self.now[0])
            out = {"client_id": creds.client.client_id, "client_secret": creds.client_secret}
            if creds.tokens:
                out |= {"access_token": creds.tokens.access_token,
                        "refresh_token": creds.tokens.refresh_token}
            return creds.client.id, out

    def token(self, version: str = "v2", role: str = "admin", **kw: Any) -> str:
        """A bearer token for a new client of ``version`` and ``role``."""
        _, creds = self.credentials(version, role, **kw)
        if version == "v1":
            return str(creds["access_token"])
        r = self.http.post("/api/v2/auth/token", json={"client_id": creds["client_id"],
                                                        "client_secret": creds["client_secret"]})
        assert r.status_code == 200, r.text
        return str(r.json()["access_token"])

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def make_settings(**kw: Any) -> Settings:
    values: dict[str, Any] = dict(database_url="sqlite://", redis_url=None, secret_key=SecretStr(KEY))
    values.update(kw)
    return Settings(**values)


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Client secrets hashed with tiny argon2 parameters: same code path, milliseconds not 0.2 s."""
    import api.clients

    monkeypatch.setattr(api.clients, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def world(api: Api) -> World:
    """Two operators' records, committed."""
    with api.db() as s:
        return build(s)


@pytest.fixture
def api(session_factory: sessionmaker[Session]) -> Iterator[Api]:
    """A fresh app (fresh in-memory rate counters) whose clock reads NOW unless a test moves it."""
    app = create_app(make_settings(), session_factory=session_factory)
    holder = Api(http=TestClient(app, client=("192.0.2.10", 50000)), sessions=session_factory)
    app.state.runtime.clock = lambda: holder.now[0]
    with holder.http:
        yield holder
