"""Paging helpers for the API's own lists (works around store.paging returning 1-tuples for entities)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from store.paging import Page, paginate


def entity(item: Any) -> Any:
    """A row's entity: ``(Customer,)`` -> ``Customer``; anything else unchanged."""
    return item[0] if isinstance(item, tuple) and len(item) == 1 else item


def entities(page: Page[Any]) -> Page[Any]:
    """The same page with 1-tuples unwrapped."""
    return replace(page, items=[entity(item) for item in page.items])


def paginate_entities(session: Session, stmt: Select[Any], *, page: int, per_page: int) -> Page[Any]:
    """``store.paging.paginate`` for a select of one entity, yielding the entities themselves."""
    return entities(paginate(session, stmt, page=page, per_page=per_page))
