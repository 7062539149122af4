"""v1 login and refresh (limited per source address)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import auth
from api.deps import NowDep, RuntimeDep, SessionDep, ip_limited
from api.schemas.auth import LoginIn, RefreshIn, TokenPairOut
from api.schemas.common import ERRORS

router = APIRouter(prefix="/api/auth", tags=["auth v1"], dependencies=[Depends(ip_limited)], responses=ERRORS)


def _out(pair: auth.TokenPair) -> TokenPairOut:
    return TokenPairOut(access_token=pair.access_token, expires_in=pair.expires_in,
                        refresh_token=pair.refresh_token)


@router.post("/login")
def login(body: LoginIn, session: SessionDep, runtime: RuntimeDep, now: NowDep) -> TokenPairOut:
    """Exchange a staff user's email and password for an access token (1 h) and a refresh token."""
    pair = auth.login(session, email=body.email, password=body.password, key=runtime.key, now=now)
    return _out(pair)


@router.post("/refresh")
def refresh(body: RefreshIn, session: SessionDep, runtime: RuntimeDep, now: NowDep) -> TokenPairOut:
    """Spend a refresh token for a new pair; reusing a spent one revokes the whole token family."""
    return _out(auth.refresh(session, refresh_token=body.refresh_token, key=runtime.key, now=now))
