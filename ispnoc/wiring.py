"""Builds the pieces from settings: the store now; the app, scheduler and collectors later."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ispnoc.settings import Settings, get_settings
from store import keyring
from store.db import make_engine, make_session_factory
from store.migrate import current, upgrade


@dataclass
class Store:
    """An upgraded database: its engine and session factory."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    def revision(self) -> str | None:
        return current(self.engine)

    def signing_key(self) -> SecretStr:
        """What signs tokens and cookies: ISPNOC_SECRET_KEY, else the key this store keeps for itself
        (made on first use; the API app resolves the same one)."""
        return keyring.signing_key(self.engine, self.settings.secret_key)


def open_store(settings: Settings | None = None, *, database_url: str | None = None) -> Store:
    """Open the configured database, creating or upgrading it first (every command does)."""
    settings = settings or get_settings()
    engine = make_engine(database_url or settings.database_url)
    upgrade(engine)
    return Store(settings=settings, engine=engine, sessions=make_session_factory(engine))
