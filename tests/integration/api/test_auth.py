"""Tokens end to end: v2 issue/revoke, v1 refresh families, expiry, forgery, allow-lists, rotation."""

from __future__ import annotations

from datetime import timedelta

import jwt

from api.auth import client_subject
from api.models import ApiClient, ApiVersion
from api.tokens import encode, new_claims
from tests.integration.api.conftest import KEY, Api

LOGS = "/api/v2/logs/api-requests"


def test_v2_token_works_then_revoke_kills_it_at_once(api: Api) -> None:
    token = api.token("v2", "admin")
    assert token.startswith("v2_")
    assert api.http.get(LOGS, headers=api.auth(token)).status_code == 200
    assert api.http.post("/api/v2/auth/revoke", headers=api.auth(token)).status_code == 204
    r = api.http.get(LOGS, headers=api.auth(token))
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "UNAUTHENTICATED"


def test_v2_token_response_shape(api: Api) -> None:
    _, creds = api.credentials("v2", "admin")
    r = api.http.post("/api/v2/auth/token", json={k: creds[k] for k in ("client_id", "client_secret")})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert (body["token_type"], body["expires_in"]) == ("bearer", 1800)


def test_wrong_secret_or_unknown_client_is_401(api: Api) -> None:
    _, creds = api.credentials("v2", "admin")
    for body in ({"client_id": creds["client_id"], "client_secret": "nope"},
                 {"client_id": "00000000-0000-0000-0000-000000000000", "client_secret": "nope"}):
        assert api.http.post("/api/v2/auth/token", json=body).status_code == 401


def test_versions_do_not_mix(api: Api) -> None:
    v1 = api.token("v1", "admin")
    assert api.http.get(LOGS, headers=api.auth(v1)).status_code == 401
    assert api.http.get(LOGS, headers=api.auth("v2_" + v1)).status_code == 401


def test_expired_forged_and_malformed_tokens_are_401(api: Api) -> None:
    token = api.token("v2", "admin")
    claims = jwt.decode(token[3:], options={"verify_signature": False})
    forged = "v2_" + jwt.encode(claims, "another-key-that-is-long-enough-for-hs256!", algorithm="HS256")
    for bad in (forged, "v2_abc.def.ghi", "garbage", ""):
        assert api.http.get(LOGS, headers=api.auth(bad)).status_code == 401, bad
    assert api.http.get(LOGS, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert api.http.get(LOGS).status_code == 401
    api.now[0] += timedelta(seconds=1799)
    assert api.http.get(LOGS, headers=api.auth(token)).status_code == 200
    api.now[0] += timedelta(seconds=1)
    assert api.http.get(LOGS, headers=api.auth(token)).status_code == 401


def test_refresh_gives_a_new_pair_once_and_reuse_revokes_the_family(api: Api) -> None:
    _, creds = api.credentials("v1", "admin")
    first = api.http.post("/api/auth/refresh", json={"refresh_token": creds["refresh_token"]})
    assert first.status_code == 200
    fresh = api.auth(first.json()["access_token"])
    assert api.http.get("/api/v1/dashboard", headers=fresh).status_code == 200
    pair = first.json()
    assert set(pair) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert pair["expires_in"] == 3600 and pair["refresh_token"] != creds["refresh_token"]
    # the spent token comes back: 401, and everything in its family dies with it
    again = api.http.post("/api/auth/refresh", json={"refresh_token": creds["refresh_token"]})
    assert again.status_code == 401
    reuse_new = api.http.post("/api/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert reuse_new.status_code == 401
    for token in (creds["access_token"], pair["access_token"]):
        assert api.http.get("/api/v1/dashboard", headers=api.auth(token)).status_code == 401


def test_refresh_with_unknown_or_expired_token_is_401(api: Api) -> None:
    _, creds = api.credentials("v1", "admin")
    assert api.http.post("/api/auth/refresh", json={"refresh_token": "rt_unknown"}).status_code == 401
    api.now[0] += timedelta(days=31)
    late = api.http.post("/api/auth/refresh", json={"refresh_token": creds["refresh_token"]})
    assert late.status_code == 401


def test_allow_list_refuses_other_addresses(api: Api) -> None:
    _, creds = api.credentials("v2", "admin", allowed_ips=("10.0.0.0/8",))
    body = {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}
    assert api.http.post("/api/v2/auth/token", json=body).status_code == 401
    client_pk, _ = api.credentials("v2", "admin", allowed_ips=("10.0.0.0/8", "2001:db8::/32"))
    claims = new_claims(client_subject(client_pk), ApiVersion.V2, generation=1, now=api.now[0])
    outside = encode(claims, KEY, now=api.now[0])
    inside = api.token("v2", "admin", allowed_ips=("192.0.2.0/24",))
    exact = api.token("v2", "admin", allowed_ips=("192.0.2.10",))
    assert api.http.get(LOGS, headers=api.auth(outside)).status_code == 401
    assert api.http.get(LOGS, headers=api.auth(inside)).status_code == 200
    assert api.http.get(LOGS, headers=api.auth(exact)).status_code == 200


def test_rotation_and_deletion_kill_issued_tokens(api: Api) -> None:
    admin = api.token("v2", "admin")
    victim_id, creds = api.credentials("v2", "billing")
    body = {"client_id": creds["client_id"], "client_secret": creds["client_secret"]}
    old = api.http.post("/api/v2/auth/token", json=body).json()["access_token"]
    rotated = api.http.post(f"/api/v2/clients/{victim_id}/rotate", headers=api.auth(admin))
    assert rotated.status_code == 200
    assert api.http.get("/api/v2/clients", headers=api.auth(old)).status_code in (401, 403)
    assert api.http.post("/api/v2/auth/revoke", headers=api.auth(old)).status_code == 401
    assert api.http.post("/api/v2/auth/token", json=body).status_code == 401
    body["client_secret"] = rotated.json()["data"]["client_secret"]
    fresh = api.http.post("/api/v2/auth/token", json=body).json()["access_token"]
    assert api.http.delete(f"/api/v2/clients/{victim_id}", headers=api.auth(admin)).status_code == 204
    assert api.http.post("/api/v2/auth/revoke", headers=api.auth(fresh)).status_code == 401


def test_client_secrets_are_stored_hashed(api: Api) -> None:
    client_pk, creds = api.credentials("v2", "admin")
    with api.db() as s:
        row = s.get(ApiClient, client_pk)
        assert row is not None and row.secret_hash is not None
        assert creds["client_secret"] not in row.secret_hash and row.secret_hash.startswith("$argon2")
