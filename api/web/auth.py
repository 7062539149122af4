"""Dashboard logins: the staff user behind the signed session cookie, the CSRF token, and who may act."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.deps import RuntimeDep
from api.permissions import Area, allowed
from billing.enums import StaffRole
from billing.models import StaffUser
from store.db import session_scope

COOKIE = "ispnoc_session"
SESSION_SECONDS = 12 * 3600
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """No valid login on this request: the browser is sent to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class WebForbidden(Exception):
    """A logged-in staff user tried something their role or the CSRF check does not allow."""


@dataclass(frozen=True)
class Staff:
    """The logged-in staff user, as the pages need them."""

    id: int
    name: str
    email: str
    role: StaffRole
    operator_id: int | None

    @property
    def can_bill(self) -> bool:
        """May suspend, reactivate and record payments."""
        return allowed(self.role, Area.BILLING, "POST", scoped=self.operator_id is not None)


def cookie_key(secret_key: str) -> str:
    """The session cookie's signing key, derived from the app's secret (not the token key itself)."""
    return hmac.new(secret_key.encode(), b"ispnoc-dashboard-session", hashlib.sha256).hexdigest()


def csrf_token(request: Request) -> str:
    """This browser session's CSRF token (made on first use)."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def log_in(request: Request, user: StaffUser) -> None:
    """Start a fresh session for ``user`` (a new CSRF token too: no fixation)."""
    request.session.clear()
    request.session["staff_id"] = user.id
    csrf_token(request)


def log_out(request: Request) -> None:
    request.session.clear()


def _load(runtime: RuntimeDep, staff_id: object) -> Staff | None:
    if not isinstance(staff_id, int):
        return None
    with session_scope(runtime.sessions) as session:
        user = session.get(StaffUser, staff_id)
        if user is None or not user.active:
            return None
        return Staff(user.id, user.name, user.email, user.role, user.operator_id)


def current_staff(request: Request, runtime: RuntimeDep) -> Staff:
    """The logged-in, still active staff user; else the browser goes to the login page."""
    staff = _load(runtime, request.session.get("staff_id"))
    if staff is None:
        request.session.pop("staff_id", None)
        query = f"?{request.url.query}" if request.url.query else ""
        raise LoginRequired(request.url.path + query)
    return staff


StaffDep = Annotated[Staff, Depends(current_staff)]


async def check_csrf(request: Request) -> None:
    """Every POST form carries this session's CSRF token (403 else)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if not isinstance(sent, str) or not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise WebForbidden("The form has expired or did not come from this site; reload and try again.")


async def billing_actor(staff: StaffDep, _csrf: Annotated[None, Depends(check_csrf)]) -> Staff:
    """A staff user allowed to act on customers, on a form with a valid CSRF token."""
    if not staff.can_bill:
        raise WebForbidden("Your role may look but not act.")
    return staff


ActorDep = Annotated[Staff, Depends(billing_actor)]


def safe_next(path: str | None) -> str:
    """Where to go after login: a path on this site only (no open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path
