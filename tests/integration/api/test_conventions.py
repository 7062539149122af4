"""Conventions every route shares: rate limits, the error envelope, paging 422s, the request log."""

from __future__ import annotations

import socket
import uuid

import pytest
from fastapi import FastAPI
from limits.storage import RedisStorage

from api.app import create_app
from api.models import ApiClient
from api.ratelimit import RateLimiter, make_storage
from tests.integration.api.conftest import Api, make_settings

LOGS = "/api/v2/logs/api-requests"


def test_every_response_carries_rate_headers_and_the_limit_follows_version_and_tier(api: Api) -> None:
    standard, high = api.token("v2", "admin"), api.token("v2", "admin", tier="high")
    r = api.http.get(LOGS, headers=api.auth(standard))
    assert (r.headers["X-RateLimit-Limit"], r.headers["X-RateLimit-Remaining"]) == ("120", "119")
    assert api.http.get(LOGS, headers=api.auth(high)).headers["X-RateLimit-Limit"] == "300"
    for path in (LOGS, "/api/v2/nothing-here"):
        assert "X-RateLimit-Remaining" in api.http.get(path).headers


def test_429_with_retry_after_once_the_minute_is_used_up(api: Api) -> None:
    token = api.token("v2", "admin")
    for n in range(120):
        r = api.http.get(LOGS, headers=api.auth(token), params={"per_page": 1})
        assert r.status_code == 200, n
    assert r.headers["X-RateLimit-Remaining"] == "0"
    r = api.http.get(LOGS, headers=api.auth(token))
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert r.headers["X-RateLimit-Limit"] == "120"
    # another client is counted apart
    assert api.http.get(LOGS, headers=api.auth(api.token("v2", "admin"))).status_code == 200


def test_unauthenticated_auth_endpoints_are_limited_per_source_address(api: Api) -> None:
    codes = [api.http.post("/api/auth/refresh", json={"refresh_token": f"rt_{n}"}).status_code
             for n in range(31)]
    assert codes[:30] == [401] * 30 and codes[30] == 429


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379 to share counters through")
def test_redis_counters_are_shared_between_app_instances(api: Api) -> None:
    url = "redis://127.0.0.1:6379/0"
    assert isinstance(create_app(make_settings(redis_url=url), api.sessions).state.runtime.limiter.storage,
                      RedisStorage)
    token = api.token("v2", "admin")
    prefix = f"ispnoc-test-{uuid.uuid4().hex}"
    first: FastAPI = api.http.app  # type: ignore[assignment]
    first.state.runtime.limiter = RateLimiter(make_storage(url, prefix=prefix))
    other = create_app(make_settings(redis_url=url), api.sessions)
    other.state.runtime.limiter = RateLimiter(make_storage(url, prefix=prefix))
    other.state.runtime.clock = first.state.runtime.clock
    try:
        assert api.http.get(LOGS, headers=api.auth(token)).headers["X-RateLimit-Remaining"] == "119"
        from fastapi.testclient import TestClient

        with TestClient(other, client=("192.0.2.10", 1)) as second:
            assert second.get(LOGS, headers=api.auth(token)).headers["X-RateLimit-Remaining"] == "118"
    finally:
        first.state.runtime.limiter.storage.reset()


def test_error_envelopes(api: Api) -> None:
    token = api.auth(api.token("v2", "admin"))
    json_type = {**token, "content-type": "application/json"}
    bad_json = api.http.post("/api/v2/clients", content=b"{nope", headers=json_type)
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "MALFORMED_JSON"
    missing = api.http.post("/api/v2/clients", json={"version": "v3"}, headers=token)
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["code"] == "VALIDATION_ERROR" and set(error["details"]) == {"name", "version"}
    assert all(isinstance(m, list) and m for m in error["details"].values())
    domain = api.http.post("/api/v2/clients", json={"name": "x", "allowed_ips": ["nonsense"]}, headers=token)
    assert domain.status_code == 422 and "allowed_ips" in domain.json()["error"]["details"]
    gone = api.http.delete("/api/v2/clients/99999", headers=token)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "NOT_FOUND"
    assert api.http.get("/api/v2/nope", headers=token).json()["error"]["code"] == "NOT_FOUND"
    assert api.http.put(LOGS, headers=token).status_code == 405


@pytest.mark.parametrize("query", ["per_page=101", "per_page=0", "page=0", "per_page=abc", "page=-1"])
def test_paging_out_of_range_is_422_naming_the_parameter(api: Api, query: str) -> None:
    r = api.http.get(f"{LOGS}?{query}", headers=api.auth(api.token("v2", "admin")))
    assert r.status_code == 422
    assert set(r.json()["error"]["details"]) == {query.split("=")[0]}


def test_list_envelope_and_meta(api: Api) -> None:
    token = api.auth(api.token("v2", "admin"))
    for _ in range(4):
        api.http.get("/api/v2/nope", headers=token)
    api.http.app.state.runtime.request_log.flush()  # type: ignore[attr-defined]
    r = api.http.get(LOGS, headers=token, params={"per_page": 3, "page": 2})
    body = r.json()
    assert body["meta"]["current_page"] == 2 and body["meta"]["per_page"] == 3
    assert body["meta"]["last_page"] == -(-body["meta"]["total"] // 3)
    assert len(body["data"]) == min(3, body["meta"]["total"] - 3)


def test_500_shows_a_request_id_and_nothing_internal(api: Api) -> None:
    app: FastAPI = api.http.app  # type: ignore[assignment]

    def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app.add_api_route("/api/v2/boom", boom)
    r = api.http.get("/api/v2/boom")
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "INTERNAL_ERROR"
    assert r.json()["error"]["details"] == {"request_id": r.headers["X-Request-ID"]}
    assert "hunter2" not in r.text and "RuntimeError" not in r.text


def test_request_log_is_written_off_path_and_moves_last_used(api: Api) -> None:
    client_pk, creds = api.credentials("v2", "admin")
    token = api.http.post("/api/v2/auth/token", json={"client_id": creds["client_id"],
                                                       "client_secret": creds["client_secret"]}).json()
    headers = api.auth(token["access_token"])
    api.http.get("/api/v2/clients", headers=headers)
    api.http.delete("/api/v2/clients/99999", headers=headers)
    api.http.app.state.runtime.request_log.flush()  # type: ignore[attr-defined]
    r = api.http.get(LOGS, headers=headers, params={"client_id": client_pk})
    rows = r.json()["data"]
    assert [(x["method"], x["path"], x["status"]) for x in rows[:2]] == [
        ("DELETE", "/api/v2/clients/99999", 404), ("GET", "/api/v2/clients", 200)]
    assert all(x["client_id"] == client_pk and x["latency_ms"] >= 0 for x in rows)
    with api.db() as s:
        client = s.get(ApiClient, client_pk)
        assert client is not None and client.last_used_at is not None


def test_a_dead_counter_store_fails_open(api: Api) -> None:
    limiter = RateLimiter(make_storage("redis://127.0.0.1:1/0", prefix="ispnoc-dead"))
    state = limiter.hit("k", 5)
    assert state.allowed and state.limit == 5
