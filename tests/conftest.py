"""Shared test fixtures: where the real device recordings are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def device_data_dir() -> Path | None:
    """The shared real-device recordings, from ISPNOC_DEVICE_DATA or ../shared/device_data."""
    configured = os.environ.get("ISPNOC_DEVICE_DATA")
    path = Path(configured) if configured else REPO.parent / "shared" / "device_data"
    return path if path.is_dir() else None


@pytest.fixture(scope="session")
def device_data() -> Path:
    """The recordings folder; the test is skipped, saying why, when it is absent."""
    path = device_data_dir()
    if path is None:
        pytest.skip(
            "real device recordings not found (set ISPNOC_DEVICE_DATA or put ../shared beside the repo)"
        )
    return path


# ---------------------------------------------------------------- the store under test
from collections.abc import Iterator  # noqa: E402

from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from store.base import Base  # noqa: E402
from store.db import make_session_factory, scratch_engine  # noqa: E402


def database_url_for_tests(tmp_dir: Path) -> str:
    """PostgreSQL when ISPNOC_TEST_DATABASE_URL is set, else a fresh SQLite file."""
    return os.environ.get("ISPNOC_TEST_DATABASE_URL") or f"sqlite:///{tmp_dir / 'test.db'}"


def _wipe(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            if names:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database for the whole run (PostgreSQL is reset to an empty schema first)."""
    import importlib

    for name in ("billing.models", "collectors.models", "api.models", "api.models_outbox"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            pass
    url = database_url_for_tests(tmp_path_factory.mktemp("db"))
    # PostgreSQL: a schema of this run's own, so runs side by side never touch each other's tables.
    with scratch_engine(url, f"ispnoc_test_{os.getpid()}") as eng:
        yield eng


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose whole test is rolled back at the end (services never commit)."""
    connection = engine.connect()
    outer = connection.begin()
    sess = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield sess
    finally:
        sess.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def committed(engine: Engine) -> Iterator[Engine]:
    """The engine for tests that need real commits (races, runs); every table is emptied after."""
    _wipe(engine)
    yield engine
    _wipe(engine)


@pytest.fixture
def session_factory(committed: Engine):  # type: ignore[no-untyped-def]
    """Sessions on the committed engine, for code that opens its own transactions."""
    return make_session_factory(committed)
