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


def paginate(
    session: Session, stmt: Select[*tuple[Any, ...]], *, page: int = 1, per_page: int = 20
) -> Page[Any]:
    """Run ``stmt`` for one page (scalars when it selects one entity) and count all its rows."""
    if page < 1:
        raise ValueError("page must be >= 1")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}")
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (page - 1) * per_page
    key = _entity_key(stmt)
    if key is not None:
        return Page(items=_entities_by_key(session, stmt, key, per_page, offset), page=page,
                    per_page=per_page, total=int(total))
    rows = session.execute(stmt.limit(per_page).offset(offset))
    single = len(stmt.column_descriptions) == 1
    items = list(rows.scalars()) if single else [tuple(r) for r in rows]
    return Page(items=items, page=page, per_page=per_page, total=int(total))


def _entity_key(stmt: Select[*tuple[Any, ...]]) -> Any:
    """The one-column primary key of the single entity ``stmt`` selects, if that is what it selects."""
    descriptions = stmt.column_descriptions
    entity = descriptions[0].get("entity") if len(descriptions) == 1 else None
    if entity is None or descriptions[0].get("expr") is not entity:
        return None
    keys = inspect(entity).primary_key
    return keys[0] if len(keys) == 1 else None


def _entities_by_key(session: Session, stmt: Select[*tuple[Any, ...]], key: Any, limit: int,
                     offset: int) -> list[Any]:
    """The page's keys first (an index walk, cheap even deep in the list), then just those rows."""
    ids = list(session.scalars(stmt.with_only_columns(key).limit(limit).offset(offset)))
    if not ids:
        return []
    return list(session.scalars(stmt.where(key.in_(ids))).unique())
