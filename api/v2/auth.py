"""v2 client-credentials token and revocation."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from api import auth
from api.config import V2_ACCESS_SECONDS
from api.deps import NowDep, RuntimeDep, SessionDep, V2Client, ip_limited
from api.middleware import client_host
from api.schemas.auth import AccessTokenOut, ClientCredentialsIn
from api.schemas.common import ERRORS

router = APIRouter(prefix="/api/v2/auth", tags=["auth v2"], responses=ERRORS)


@router.post("/token", dependencies=[Depends(ip_limited)])
def token(body: ClientCredentialsIn, request: Request, session: SessionDep, runtime: RuntimeDep,
          now: NowDep) -> AccessTokenOut:
    """Exchange a client id and secret for a ``v2_`` access token (30 minutes)."""
    issued = auth.issue_v2(session, client_id=body.client_id, client_secret=body.client_secret,
                           key=runtime.key, now=now, source=client_host(request.scope))
    return AccessTokenOut(access_token=issued, expires_in=V2_ACCESS_SECONDS)


@router.post("/revoke", status_code=204, response_class=Response)
def revoke(principal: V2Client, session: SessionDep, now: NowDep) -> Response:
    """Revoke the presented token at once."""
    auth.revoke(session, principal, now=now)
    return Response(status_code=204)
