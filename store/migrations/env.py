"""Alembic environment: runs on a connection handed in by store.migrate, or on the URL."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import Connection

from store.base import Base
from store.db import make_engine

# Only autogenerate needs the models; the upgrade path runs the scripts alone.
MODEL_MODULES = ("store.keyring", "billing.models", "collectors.models", "api.models", "api.models_outbox")
for name in MODEL_MODULES:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        pass

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported")
run()
