"""v1 VPN: list accounts, download an account's config file (by name or id)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import PlainTextResponse

from api import vpn as svc
from api.deps import PageDep, RuntimeDep, SessionDep, V1Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, ListOut, page_out
from api.schemas.vpn import CONFIG_RESPONSE, VpnAccountRead

router = APIRouter(prefix="/api/v1/vpn", tags=["vpn v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.BILLING))])


def config_file(name: str, text: str) -> PlainTextResponse:
    """The config as a text/plain attachment."""
    return PlainTextResponse(text, headers={"Content-Disposition": f'attachment; filename="{name}.conf"',
                                            "Cache-Control": "no-store"})


@router.get("/accounts")
def list_accounts(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[VpnAccountRead]:
    """VPN accounts in the caller's scope."""
    page = svc.list_accounts(session, operator_id=principal.operator_id, page=paging.page,
                             per_page=paging.per_page)
    return page_out(page, VpnAccountRead.of)


@router.get("/accounts/{account}/config", response_class=PlainTextResponse, responses=CONFIG_RESPONSE)
def download_config(account: str, session: SessionDep, principal: V1Client,
                    runtime: RuntimeDep) -> PlainTextResponse:
    """The account's wg-quick config file (``account`` is its name or id)."""
    row = svc.get_account(session, account, operator_id=principal.operator_id)
    server = svc.server_from(runtime.settings, runtime.secret)
    return config_file(row.name, svc.render_config(row, server, key=runtime.settings.credentials_key))
