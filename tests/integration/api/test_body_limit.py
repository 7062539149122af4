"""ISPNOC_MAX_BODY_BYTES through the real app: a body over it is a 413 in the documented envelope,
whether its length is declared or it is streamed in chunks; smaller bodies are served as before."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
    from fastapi.testclient import TestClient

from api.app import create_app
from ispnoc.settings import Settings
from tests.integration.api.conftest import Api, make_settings
from tests.integration.api.world import World

LIMIT = 2048


@pytest.fixture
def small(session_factory: sessionmaker[Session]) -> Iterator[Api]:
    """An app taking bodies of at most LIMIT bytes."""
    app = create_app(make_settings(max_body_bytes=LIMIT), session_factory=session_factory)
    with TestClient(app, client=("192.0.2.10", 50000)) as http:
        yield Api(http=http, sessions=session_factory)


def customer(world: World, note: str = "") -> bytes:
    return json.dumps({"name": "Rafiq Ahmed", "package_id": world.shared_package,
                       "operator_id": world.a.operator, "address": note}).encode()


def assert_too_large(r: Response) -> None:
    assert r.status_code == 413, r.text
    assert r.json() == {"error": {
        "code": "PAYLOAD_TOO_LARGE", "message": f"The request body is larger than {LIMIT} bytes.",
        "details": {"body": [f"The request body must be at most {LIMIT} bytes."]}}}


def test_a_declared_body_over_the_limit_is_413(small: Api, world: World) -> None:
    headers = small.auth(small.token()) | {"Content-Type": "application/json"}
    r = small.http.post("/api/v2/customers", content=customer(world, "x" * LIMIT), headers=headers)
    assert_too_large(r)
    assert "x-request-id" in r.headers and "x-ratelimit-limit" in r.headers
    ok = small.http.post("/api/v2/customers", content=customer(world), headers=headers)
    assert ok.status_code == 201, ok.text


def test_a_chunked_body_over_the_limit_is_413(small: Api, world: World) -> None:
    headers = small.auth(small.token()) | {"Content-Type": "application/json"}

    def chunks(total: int) -> Iterator[bytes]:
        body = customer(world, "y" * total)
        yield from (body[i:i + 500] for i in range(0, len(body), 500))

    r = small.http.post("/api/v2/customers", content=chunks(10 * LIMIT), headers=headers)
    assert "content-length" not in {k.lower() for k in r.request.headers}
    assert_too_large(r)
    ok = small.http.post("/api/v2/customers", content=chunks(100), headers=headers)
    assert ok.status_code == 201, ok.text


def test_the_dashboard_login_form_has_the_limit_too(small: Api) -> None:
    r = small.http.post("/login", data={"email": "a@b.c", "password": "p" * LIMIT})
    assert r.status_code == 413 and r.json()["error"]["code"] == "PAYLOAD_TOO_LARGE"


def test_the_limit_defaults_to_one_mebibyte_and_is_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISPNOC_MAX_BODY_BYTES", raising=False)
    assert Settings(_env_file=None).max_body_bytes == 1_048_576  # type: ignore[call-arg]
    monkeypatch.setenv("ISPNOC_MAX_BODY_BYTES", "4096")
    assert Settings(_env_file=None).max_body_bytes == 4096  # type: ignore[call-arg]
    schema = create_app(make_settings()).openapi()
    assert "413" in schema["paths"]["/api/v2/customers"]["post"]["responses"]
