"""v1 login with a staff user's email and password (billing/staff.py by B1)."""

from __future__ import annotations

import pytest

from tests.integration.api.conftest import Api

staff = pytest.importorskip("billing.staff", reason="billing/staff.py (B1) has not landed yet")


def _user(api: Api, role: str = "billing", operator_id: int | None = None) -> str:
    email = f"{role}@example.com"
    with api.db() as s:
        data = staff.StaffCreate(email=email, name=role.title(), password="s3cret-pw!", role=role,
                                 operator_id=operator_id)
        staff.create_staff_user(s, data=data, now=api.now[0])
    return email


def test_login_returns_the_documented_pair_and_the_token_works(api: Api) -> None:
    email = _user(api)
    r = api.http.post("/api/auth/login", json={"email": email, "password": "s3cret-pw!"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 3600)
    assert api.http.get("/api/v1/customers", headers=api.auth(body["access_token"])).status_code == 200
    assert api.http.get("/api/v2/customers", headers=api.auth(body["access_token"])).status_code == 401


def test_wrong_password_or_unknown_email_is_401(api: Api) -> None:
    email = _user(api)
    for body in ({"email": email, "password": "nope"}, {"email": "who@example.com", "password": "x"}):
        r = api.http.post("/api/auth/login", json=body)
        assert r.status_code == 401 and r.json()["error"]["code"] == "UNAUTHENTICATED"


def test_staff_role_applies_to_the_token(api: Api) -> None:
    email = _user(api, role="read-only")
    token = api.http.post("/api/auth/login", json={"email": email, "password": "s3cret-pw!"}).json()
    headers = api.auth(token["access_token"])
    assert api.http.get("/api/v1/customers", headers=headers).status_code == 200
    assert api.http.get("/api/v2/logs/api-requests", headers=headers).status_code == 401
