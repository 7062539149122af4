"""The dashboard under test: the real app on the committed test database, seeded, driven by TestClient."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
    from fastapi.testclient import TestClient

from api.app import create_app
from store.db import session_scope
from tests.factories import NOW
from tests.integration.api.conftest import make_settings
from tests.integration.web.seed import PASSWORD, Seeded, seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Dashboard:
    """A TestClient on the app, the session factory and the seeded ids."""

    http: TestClient
    sessions: sessionmaker[Session]
    ids: Seeded

    def csrf(self, path: str = "/login") -> str:
        """The CSRF token from a form on ``path``."""
        found = CSRF.search(self.http.get(path).text)
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    def login(self, email: str, password: str = PASSWORD) -> None:
        """Log in through the form (302 back to the overview)."""
        r = self.http.post("/login", data={"email": email, "password": password, "csrf_token": self.csrf(),
                                           "next": "/"}, follow_redirects=False)
        assert r.status_code == 303, r.text


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff passwords hashed with tiny argon2 parameters: same code path, milliseconds not 0.2 s."""
    import billing.staff

    monkeypatch.setattr(billing.staff, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def dash(session_factory: sessionmaker[Session]) -> Iterator[Dashboard]:
    """The app with the dashboard, its clock at NOW, and the seeded ISP."""
    with session_scope(session_factory) as session:
        ids = seed(session, now=NOW)
    app = create_app(make_settings(), session_factory=session_factory)
    app.state.runtime.clock = lambda: NOW
    with TestClient(app) as http:
        yield Dashboard(http, session_factory, ids)
