"""Dashboard pages: login, logout and the NOC overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from api.deps import NowDep, RuntimeDep, SessionDep, ip_limited
from api.web import queries
from api.web.auth import StaffDep, check_csrf, log_in, log_out, safe_next
from api.web.render import page
from billing.staff import authenticate

router = APIRouter(include_in_schema=False)


def low_optics_dbm(runtime: RuntimeDep) -> float:
    """The low-optics threshold from the settings (dBm)."""
    return float(getattr(runtime.settings, "low_optics_dbm", -27.0))


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    """The login form."""
    return page(request, "login.html", None, next=safe_next(next))


@dataclass(frozen=True)
class LoginForm:
    """The posted login form."""

    email: str
    password: str
    next: str


async def login_form_data(request: Request) -> LoginForm:
    """The login form's fields (missing ones empty)."""
    form = await request.form()
    values = [form.get(name, "") for name in ("email", "password", "next")]
    email, password, target = (v if isinstance(v, str) else "" for v in values)
    return LoginForm(email, password, safe_next(target))


@router.post("/login", dependencies=[Depends(ip_limited), Depends(check_csrf)])
def login(request: Request, session: SessionDep, now: NowDep,
          form: Annotated[LoginForm, Depends(login_form_data)]) -> Response:
    """Check the staff user's email and password; on success a fresh session and back to ``next``."""
    user = authenticate(session, email=form.email, password=form.password, now=now)
    if user is None:
        return page(request, "login.html", None, status_code=401, next=form.next, email=form.email,
                    error="Wrong email or password.")
    log_in(request, user)
    return RedirectResponse(form.next, status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    """End the session."""
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def overview(request: Request, staff: StaffDep, session: SessionDep, now: NowDep,
             threshold: Annotated[float, Depends(low_optics_dbm)]) -> Response:
    """Devices, ONUs, sessions, problems, the last suspension run and today's collections."""
    data = queries.overview(session, now=now, low_optics_dbm=threshold)
    return page(request, "overview.html", staff, data=data, threshold=threshold)
