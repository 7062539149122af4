"""Admin-only v2 routes: the API request log and API client management."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api import clients
from api.deps import NowDep, PageDep, RuntimeDep, SessionDep, guard
from api.models import ApiVersion
from api.permissions import Area
from api.requestlog import list_request_logs
from api.schemas.admin import ClientCreateIn, ClientCredentialsRead, ClientRead, RequestLogRead
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out

router = APIRouter(prefix="/api/v2", tags=["admin v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.ADMIN))])


@router.get("/logs/api-requests")
def api_request_log(session: SessionDep, paging: PageDep,
                    client_id: Annotated[Id | None, Query(description="only this client's requests")] = None,
                    ) -> ListOut[RequestLogRead]:
    """The API request log, newest first."""
    page = list_request_logs(session, client_id=client_id, page=paging.page, per_page=paging.per_page)
    return page_out(page, RequestLogRead.of)


@router.get("/clients")
def list_clients(session: SessionDep, paging: PageDep) -> ListOut[ClientRead]:
    """API clients with their created and last-used times (no secrets)."""
    return page_out(clients.list_clients(session, page=paging.page, per_page=paging.per_page), ClientRead.of)


@router.post("/clients", status_code=201)
def create_client(body: ClientCreateIn, session: SessionDep, runtime: RuntimeDep,
                  now: NowDep) -> DataOut[ClientCredentialsRead]:
    """Create a client; its secret (or v1 token pair) is in this response only."""
    data = clients.ClientCreate(**body.model_dump())
    creds = clients.create_client(session, data, key=runtime.key, now=now)
    return DataOut(data=ClientCredentialsRead.issued(creds))


@router.post("/clients/{client_pk}/rotate")
def rotate_client(client_pk: Id, session: SessionDep, runtime: RuntimeDep,
                  now: NowDep) -> DataOut[ClientCredentialsRead]:
    """New credentials; every token issued before dies."""
    creds = clients.rotate_secret(session, client_pk, key=runtime.key, now=now)
    return DataOut(data=ClientCredentialsRead.issued(creds))


@router.delete("/clients/{client_pk}", status_code=204, response_class=Response)
def delete_client(client_pk: Id, session: SessionDep) -> Response:
    """Delete a client."""
    clients.delete_client(session, client_pk)
    return Response(status_code=204)
