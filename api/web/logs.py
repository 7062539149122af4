"""The dashboard's logs page: hotspot, PPP auth, router, access and auto-suspension, searched by time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from api.deps import SessionDep
from api.web.auth import StaffDep
from api.web.network import PageNo
from api.web.queries_logs import TABS, LogQuery, search_logs
from api.web.render import blank, page

router = APIRouter(include_in_schema=False)


def moment(value: str | None) -> datetime | None:
    """A ``datetime-local`` form value (or ISO 8601) as UTC; None when blank or unreadable."""
    text = blank(value)
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


async def log_query(tab: str = "hotspot", q: str | None = None, since: str | None = None,
                    until: str | None = None) -> LogQuery:
    """The logs page's tab, search and time range from the query string (unknown tab: hotspot)."""
    return LogQuery(tab if tab in TABS else "hotspot", blank(q), moment(since), moment(until))


@router.get("/logs")
def logs(request: Request, staff: StaffDep, session: SessionDep,
         query: Annotated[LogQuery, Depends(log_query)], page_no: PageNo = 1) -> Response:
    """One log tab, newest first."""
    found = search_logs(session, query, page=page_no)
    return page(request, "logs.html", staff, found=found, query=query, tabs=list(TABS.values()),
                tab=TABS[query.tab])
