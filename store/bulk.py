"""A lean bulk INSERT: compiled once, values through each column's own bind processor, handed to
the driver's executemany. For the big set-based writes (logs, events) where per-row statement
machinery would cost more than the database work."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.sql.compiler import SQLCompiler

from store.base import Base

Procs = dict[str, Callable[[Any], Any] | None]


@functools.lru_cache(maxsize=256)
def _compiled(table: Table, keys: tuple[str, ...], dialect: Dialect) -> tuple[SQLCompiler, str, Procs]:
    """The INSERT for ``keys`` and their bind processors, compiled once per table, keys and dialect
    (compiling cost more than the insert itself for the one- and two-row outbox writes)."""
    compiled = table.insert().compile(dialect=dialect, column_keys=list(keys))
    return compiled, str(compiled), {k: table.c[k].type._cached_bind_processor(dialect) for k in keys}


def bulk_insert(conn: Connection, model: type[Base], rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys) into ``model``'s table; returns how many."""
    if not rows:
        return 0
    table = cast(Table, model.__table__)
    keys = list(rows[0])
    compiled, sql, procs = _compiled(table, tuple(keys), conn.dialect)

    def value(row: Mapping[str, Any], key: str) -> Any:
        proc = procs[key]
        raw = row[key]
        return proc(raw) if proc is not None and raw is not None else raw

    if compiled.positional:
        order = list(compiled.positiontup or ())
        params: list[Any] = [tuple(value(r, k) for k in order) for r in rows]
    else:
        params = [{k: value(r, k) for k in keys} for r in rows]
    conn.exec_driver_sql(sql, params)
    return len(rows)
