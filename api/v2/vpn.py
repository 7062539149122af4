"""v2 VPN: list, create and delete WireGuard accounts, download a config file."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from fastapi.responses import PlainTextResponse

from api import vpn as svc
from api.deps import NowDep, PageDep, RuntimeDep, SessionDep, V2Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out
from api.schemas.vpn import CONFIG_RESPONSE, VpnAccountCreateIn, VpnAccountRead
from api.v1.vpn import config_file

router = APIRouter(prefix="/api/v2/vpn", tags=["vpn v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.get("/accounts")
def list_accounts(session: SessionDep, principal: V2Client, paging: PageDep) -> ListOut[VpnAccountRead]:
    """VPN accounts in the caller's scope."""
    page = svc.list_accounts(session, operator_id=principal.operator_id, page=paging.page,
                             per_page=paging.per_page)
    return page_out(page, VpnAccountRead.of)


@router.post("/accounts", status_code=201)
def create_account(body: VpnAccountCreateIn, session: SessionDep, principal: V2Client, runtime: RuntimeDep,
                   now: NowDep) -> DataOut[VpnAccountRead]:
    """A new peer with a fresh key pair; its private key is only in the config download."""
    data = svc.VpnCreate(name=body.name, customer_id=body.customer_id,
                         operator_id=principal.operator_id or body.operator_id)
    row = svc.create_account(session, data, server=svc.server_from(runtime.settings, runtime.secret),
                             key=runtime.settings.credentials_key, now=now)
    return DataOut(data=VpnAccountRead.of(row))


@router.delete("/accounts/{account_id}", status_code=204, response_class=Response)
def delete_account(account_id: Id, session: SessionDep, principal: V2Client) -> Response:
    """Delete a peer."""
    svc.delete_account(session, account_id, operator_id=principal.operator_id)
    return Response(status_code=204)


@router.get("/accounts/{account_id}/config", response_class=PlainTextResponse, responses=CONFIG_RESPONSE)
def download_config(account_id: Id, session: SessionDep, principal: V2Client,
                    runtime: RuntimeDep) -> PlainTextResponse:
    """The account's wg-quick config file."""
    row = svc.get_account(session, account_id, operator_id=principal.operator_id)
    server = svc.server_from(runtime.settings, runtime.secret)
    return config_file(row.name, svc.render_config(row, server, key=runtime.settings.credentials_key))
