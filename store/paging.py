"""Page through a select: the rows of one page and the total, in two queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import Session

T = TypeVar("T")
MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results with what a client needs to fetch the others."""

    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _check(page: int, per_page: int) -> None:
    if page < 1:
        raise ValueError("page must be >= 1")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")


def count(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``stmt`` selects."""
    return int(session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0)


def page_keys(session: Session, stmt: Select[*tuple[Any, ...]], key: Any, *, page: int = 1,
              per_page: int = 20) -> tuple[list[Any], int]:
    """One page of ``key`` values of ``stmt`` in its order (an index walk, cheap even deep in the
    list) and the total row count: for a caller that then loads just those rows its own way."""
    _check(page, per_page)
    total = count(session, stmt)
    keys = session.scalars(stmt.with_only_columns(key).limit(per_page).offset((page - 1) * per_page))
    return list(keys), total


def paginate(
    session: Session, stmt: Select[*tuple[Any, ...]], *, page: int = 1, per_page: int = 20
) -> Page[Any]:
    """Run ``stmt`` for one page (scalars when it selects one entity) and count all its rows."""
    key = _entity_key(stmt)
    if key is not None:
        ids, total = page_keys(session, stmt, key, page=page, per_page=per_page)
        items = list(session.scalars(stmt.where(key.in_(ids))).unique()) if ids else []
        return Page(items=items, page=page, per_page=per_page, total=total)
    _check(page, per_page)
    total = count(session, stmt)
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    single = len(stmt.column_descriptions) == 1
    items = list(rows.scalars()) if single else [tuple(r) for r in rows]
    return Page(items=items, page=page, per_page=per_page, total=total)


def _entity_key(stmt: Select[*tuple[Any, ...]]) -> Any:
    """The one-column primary key of the single entity ``stmt`` selects, if that is what it selects."""
    descriptions = stmt.column_descriptions
    entity = descriptions[0].get("entity") if len(descriptions) == 1 else None
    if entity is None or descriptions[0].get("expr") is not entity:
        return None
    keys = inspect(entity).primary_key
    return keys[0] if len(keys) == 1 else None
