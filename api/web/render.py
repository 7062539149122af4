"""Rendering dashboard pages: the Jinja2 environment, its filters, flash messages and the page helper."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from api.web.auth import CSRF_FIELD, Staff, csrf_token

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
UNITS = ("B", "KB", "MB", "GB", "TB")


def when(value: datetime | date | None) -> str:
    """A time as the pages show it (UTC, minutes)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def size(value: float | int | None) -> str:
    """Bytes in the largest unit under 1024."""
    if value is None:
        return "—"
    amount, unit = float(value), 0
    while amount >= 1024 and unit < len(UNITS) - 1:
        amount, unit = amount / 1024, unit + 1
    return f"{amount:.1f} {UNITS[unit]}" if unit else f"{int(amount)} B"


def number(value: float | Decimal | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals, or a dash."""
    return "—" if value is None else f"{value:,.{digits}f}"


TEMPLATES.env.filters.update(when=when, size=size, number=number)


def blank(value: str | None) -> str | None:
    """A query or form value with blanks meaning "not given"."""
    return value.strip() or None if value else None


def flash(request: Request, kind: str, message: str) -> None:
    """A message shown once on the next page (``ok`` or ``error``)."""
    request.session.setdefault("flash", []).append([kind, message])


def page(request: Request, name: str, staff: Staff | None, status_code: int = 200,
         **context: Any) -> Response:
    """Render template ``name`` with the staff user, the CSRF field and pending flash messages."""
    messages = request.session.pop("flash", []) if "flash" in request.session else []
    context |= {"staff": staff, "csrf_field": CSRF_FIELD, "csrf": csrf_token(request), "flashes": messages}
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
