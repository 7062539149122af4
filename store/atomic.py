"""Writes that must not lose an update: a column moved by a delta in the database itself, and a row
read only after the caller holds the lock that keeps it from changing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from store.db import begin_write

T = TypeVar("T")


def increment(session: Session, row: Any, attr: str, delta: Any) -> Any:
    """``UPDATE t SET attr = attr + :delta WHERE pk RETURNING attr``, never Python's read plus
    ``delta``; ``row`` is given the stored result (not marked changed). Returns it."""
    mapper = inspect(row).mapper
    column = getattr(mapper.class_, attr)
    (pk,) = mapper.primary_key
    stmt = (update(mapper.class_).where(pk == getattr(row, pk.key)).values({attr: column + delta})
            .returning(column).execution_options(synchronize_session=False))
    value = session.execute(stmt).scalar_one()
    set_committed_value(row, attr, value)
    return value


def locked(session: Session, stmt: Select[T]) -> T | None:
    """The first row of ``stmt`` read fresh under a lock held until the transaction ends: FOR NO KEY
    UPDATE on PostgreSQL, the database's write lock on SQLite (taken before the read)."""
    begin_write(session.connection())
    entity = stmt.column_descriptions[0]["entity"]  # lock its row only, not eagerly joined ones
    # FOR NO KEY UPDATE: rows inserted meanwhile that refer to it (a payment naming its operator) take
    # a key-share lock, which this must not block, or a payment and a transfer deadlock
    query = stmt.with_for_update(of=entity, key_share=True).execution_options(populate_existing=True)
    return session.scalars(query).first()


def lock_rows(session: Session, model: type[Any], ids: Sequence[int], *, chunk: int = 1000) -> bool:
    """Lock the rows ``ids`` of ``model`` until the transaction ends, in id order (no deadlocks).

    True on PostgreSQL, where rows read before may have changed until now: read them again. False
    on SQLite, where this transaction already is (or now becomes) the only writer: nothing changed."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        begin_write(connection)
        return False
    (pk,) = inspect(model).primary_key
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), chunk):
        part = ordered[start:start + chunk]
        session.execute(select(pk).where(pk.in_(part)).order_by(pk).with_for_update(key_share=True))
    return True
