"""Shared shapes: the ``{data}`` and ``{data, meta}`` envelopes, the error body, times and money, and
the bounded input types (ids, days) that make an out-of-range value a 422 naming its field."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from starlette.responses import Response

from store.paging import Page

T = TypeVar("T")


def iso_z(value: datetime) -> str:
    """ISO-8601 in UTC with a ``Z`` (``2026-04-10T08:15:00Z``), whole seconds."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def number(value: Decimal) -> int | float:
    """An amount as a JSON number: whole amounts as integers (``1500``), else two places."""
    return int(value) if value == value.to_integral_value() else float(value)


UtcTime = Annotated[datetime, PlainSerializer(iso_z, return_type=str)]
Amount = Annotated[Decimal, PlainSerializer(number, return_type=float)]

MAX_ID = 2**63 - 1
"""The largest id the store can hold (a signed 64-bit integer)."""
MAX_PAGE = MAX_ID // 100
"""The last page number whose row offset the store can take at 100 records a page."""
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
"""The days the API takes: a year of headroom below Python's last date for the arithmetic on them
(due date plus grace, a period's end plus a day)."""

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A record id in a path, query or body: 1 to MAX_ID, else a 422 naming the field."""
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
"""A calendar day in a query or body: FIRST_DAY to LAST_DAY, else a 422 naming the field."""


def as_id(text: str) -> int | None:
    """``text`` as a record id when it is one written in ASCII digits (``"³"`` or ``"1e3"`` is not)."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class DataOut(BaseModel, Generic[T]):
    """A single record."""

    data: T


class PageMeta(BaseModel):
    """Where this page sits in the whole list."""

    current_page: int
    per_page: int
    total: int
    last_page: int


class ListOut(BaseModel, Generic[T]):
    """One page of records and its meta."""

    data: list[T]
    meta: PageMeta


def page_out(page: Page[Any], convert: Callable[[Any], T]) -> ListOut[T]:
    """Map a service's Page onto the list envelope with ``convert`` per row."""
    meta = PageMeta(current_page=page.page, per_page=page.per_page, total=page.total,
                    last_page=page.last_page)
    return ListOut[T](data=[convert(item) for item in page.items], meta=meta)


def json_response(model: BaseModel) -> Response:
    """``model`` as a JSON response, serialized once by pydantic: a route returning it declares its
    ``response_model`` for the docs, and FastAPI skips validating the model a second time."""
    return Response(model.model_dump_json(), media_type="application/json")


def many(items: Iterable[Any], convert: Callable[[Any], T]) -> list[T]:
    return [convert(item) for item in items]


class ErrorBody(BaseModel):
    """What went wrong: a code, a message and per-field details."""

    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """The error envelope of both versions."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"error": {
        "code": "VALIDATION_ERROR", "message": "The given data was invalid.",
        "details": {"email": ["The email field is required."],
                    "package_id": ["The selected package is invalid."]}}}]})

    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": text}
    for code, text in (
        (400, "Malformed JSON"), (401, "Missing, expired or invalid token"),
        (403, "Valid token, insufficient permissions"), (404, "Not found"),
        (413, "Request body too large"), (422, "Validation failed (see error.details)"),
        (429, "Rate limit exceeded"),
    )
}
