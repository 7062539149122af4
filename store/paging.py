"""Page through a select: the rows of one page and the total, in two queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
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
    rows = session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    single = len(stmt.column_descriptions) == 1
    items = list(rows.scalars()) if single else [tuple(r) for r in rows]
    return Page(items=items, page=page, per_page=per_page, total=int(total))
