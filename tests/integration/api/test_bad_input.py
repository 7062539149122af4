"""Values past the store's range answer the documented 422 envelope naming the field, and a path id
in other digits than ASCII (``³``) a 404 or 422, never a 500: every operation of the app's OpenAPI
document, each of its integer, number and date inputs (path, query and JSON body)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from api.app import create_app
from api.schemas.common import MAX_ID
from tests.integration.api.conftest import Api, make_settings

SPEC = create_app(make_settings()).openapi()
PATH_IDS = [str(MAX_ID + 1), str(2**64), "9" * 30, "0", "-1", "%C2%B3", "%D9%A3", "1e3"]
"""Integer path values that are no record id: past 2**63-1, not positive, or not ASCII digits."""
NAME_OR_ID = [str(MAX_ID + 1), "9" * 30, "%C2%B3", "%D9%A3"]
BAD: dict[str, list[Any]] = {
    "integer": [MAX_ID + 1, 10**30, -MAX_ID - 2],
    "number": [1e30, "1e30", -1e30, 1e300],
    "date": ["9999-12-31", "0001-01-01", "99999-01-01"],
    "date-time": ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+23:59"],
}


@dataclasses.dataclass(frozen=True)
class Case:
    """One request: ``value`` as the input ``name`` found ``where`` (path, query or body); a path
    value that may be a name as well as an id (``lookup``) may also find no record (404)."""

    where: str
    name: str
    value: Any
    lookup: bool = False


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema behind a ``$ref`` and a nullable ``anyOf``."""
    if "$ref" in schema:
        return resolve(SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return resolve(option)
    return schema


def kind(schema: dict[str, Any]) -> str:
    schema = resolve(schema)
    return str(schema.get("format") if schema.get("format") in ("date", "date-time") else schema.get("type"))


def body_schema(op: dict[str, Any]) -> dict[str, Any] | None:
    content = op.get("requestBody", {}).get("content", {}).get("application/json")
    return resolve(content["schema"]) if content else None


def cases(op: dict[str, Any]) -> list[Case]:
    found: list[Case] = []
    for p in op.get("parameters", []):
        lookup = p["in"] == "path" and kind(p["schema"]) != "integer"
        if p["in"] == "path":
            values = NAME_OR_ID if lookup else PATH_IDS
        else:
            values = BAD.get(kind(p["schema"]), [])
        found += [Case(p["in"], p["name"], v, lookup) for v in values]
    for name, schema in (body_schema(op) or {}).get("properties", {}).items():
        found += [Case("body", name, v) for v in BAD.get(kind(schema), [])]
    return found


OPERATIONS = sorted((method.upper(), path) for path, ops in SPEC["paths"].items()
                    for method, op in ops.items() if cases(op))


def request(api: Api, method: str, path: str, case: Case, headers: dict[str, str]) -> Any:
    op = SPEC["paths"][path][method.lower()]
    url = path
    for p in op.get("parameters", []):
        if p["in"] == "path":
            url = url.replace(f"{{{p['name']}}}", str(case.value) if p["name"] == case.name else "1")
    schema = body_schema(op)
    body = dict((schema or {}).get("examples", [{}])[0]) if schema else None
    if case.where == "body":
        body = (body or {}) | {case.name: case.value}
    params = {case.name: str(case.value)} if case.where == "query" else None
    return api.http.request(method, url, params=params, json=body, headers=headers)


def test_every_operation_with_an_id_or_a_day_is_covered() -> None:
    with_path_ids = {path for _, path in OPERATIONS if "_id}" in path or "_pk}" in path}
    assert len(OPERATIONS) > 60 and len(with_path_ids) >= 25
    assert ("GET", "/api/v1/vpn/accounts/{account}/config") in OPERATIONS
    assert ("GET", "/api/v2/customers/{customer_id}/statement") in OPERATIONS


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_out_of_range_inputs_answer_422_naming_the_field(api: Api, method: str, path: str) -> None:
    runtime = api.http.app.state.runtime  # type: ignore[attr-defined]
    big = dict.fromkeys(runtime.rates.per_minute, 10**9)
    runtime.rates = dataclasses.replace(runtime.rates, per_minute=big, intensive=10**9, per_ip=10**9)
    headers = api.auth(api.token("v2" if path.startswith("/api/v2") else "v1", "admin"))
    wrong = []
    for case in cases(SPEC["paths"][path][method.lower()]):
        r = request(api, method, path, case, headers)
        named = r.status_code == 422 and case.name in r.json()["error"]["details"]
        if not (named or (case.lookup and r.status_code == 404)):
            wrong.append((case, r.status_code, r.text[:200]))
    assert wrong == []
