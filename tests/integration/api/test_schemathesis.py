"""The app against its own OpenAPI schema (schemathesis): no 5xx and every answer conforms to the
schema, for every operation, with a valid v2 admin token and a v1 admin token. Each operation is a
test of its own running a few generated examples (schemathesis' lazy pytest loader does not run on
pytest 9, so the operations are listed from the app and driven through hypothesis here)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from tests.integration.api.conftest import Api, make_settings
from tests.integration.api.world import World

# Routes that would kill the test's own credentials (revoke the token, rotate or delete its client).
SELF_HARM = {("POST", "/api/v2/auth/revoke"), ("POST", "/api/v2/clients/{client_pk}/rotate"),
             ("DELETE", "/api/v2/clients/{client_pk}")}
PUBLIC = {"/api/auth/login", "/api/auth/refresh", "/api/v2/auth/token"}
CHECKS = [not_a_server_error, response_schema_conformance]
EXAMPLES = 5


# Loaded once (building and parsing the schema takes a second); each test points it at its own app.
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", create_app(make_settings()))
OPERATIONS = sorted({(method.upper(), path) for path, ops in SCHEMA.raw_schema["paths"].items()
                     for method in ops} - SELF_HARM)


def _unlimited(api: Api) -> None:
    """Lift the rate limits so generated examples are never answered 429."""
    runtime = api.http.app.state.runtime  # type: ignore[attr-defined]
    big = dict.fromkeys(runtime.rates.per_minute, 1_000_000)
    runtime.rates = dataclasses.replace(runtime.rates, per_minute=big, intensive=1_000_000, per_ip=1_000_000)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms(api: Api, world: World, method: str, path: str) -> None:
    _unlimited(api)
    SCHEMA.app = api.http.app
    operation = SCHEMA[path][method]
    version = "v2" if path.startswith("/api/v2") else "v1"
    headers = {"Authorization": f"Bearer {api.token(version, 'admin')}"}

    statuses: list[int] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: Any) -> None:
        statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    check()
    assert statuses and (path in PUBLIC or set(statuses) != {401}), statuses  # the token was accepted
