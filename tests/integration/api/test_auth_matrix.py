"""Every documented route (read from the OpenAPI schema) against every way a caller can be refused."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from api.app import create_app
from tests.integration.api.conftest import Api, make_settings
from tests.integration.api.network_world import build_network
from tests.integration.api.world import World

ROLES = ("admin", "billing", "noc", "read-only")
PUBLIC = {"/api/auth/login", "/api/auth/refresh", "/api/v2/auth/token"}
ADMIN_PREFIXES = ("/api/v2/clients", "/api/v2/logs/api-requests")
# A customer's network state (every role; an operator's client sees its own customers' rows).
SUBSCRIBER_PREFIXES = ("/api/v1/monitoring/onus", "/api/v1/logs/hotspot", "/api/v1/logs/ppp-auth",
                       "/api/v1/logs/auto-suspension", "/api/v2/network/onus", "/api/v2/network/sessions",
                       "/api/v2/logs/hotspot", "/api/v2/logs/ppp-auth", "/api/v2/logs/auto-suspension")
# The ISP's own network (admin, noc, read-only; never an operator-scoped client).
NETWORK_PREFIXES = ("/api/v1/routers", "/api/v1/olts", "/api/v1/noc/", "/api/v1/monitoring/",
                    "/api/v1/logs/router", "/api/v2/network/", "/api/v2/monitoring/", "/api/v2/logs/router",
                    "/api/v2/logs/access")
# Who may call: (area, writes) -> roles. Written from the brief, not from api/permissions.py.
EXPECTED = {
    ("billing", False): {"admin", "billing", "noc", "read-only"},
    ("billing", True): {"admin", "billing"},
    ("admin", False): {"admin"},
    ("admin", True): {"admin"},
    ("network", False): {"admin", "noc", "read-only"},
    ("subscriber", False): {"admin", "billing", "noc", "read-only"},
    ("own token", True): {"admin", "billing", "noc", "read-only"},
}
# Path parameters: a record of operator B (the "other" operator) by parameter name.
OTHER = {
    "customer_id": lambda w: w.b.customers[0], "bill_id": lambda w: w.b.bills[0],
    "payment_id": lambda w: w.b.payments[0], "package_id": lambda w: w.b.package,
    "operator_id": lambda w: w.b.operator,
}


def _routes() -> list[tuple[str, str]]:
    schema = create_app(make_settings()).openapi()
    return sorted((method.upper(), path) for path, ops in schema["paths"].items() for method in ops
                  if path not in PUBLIC)


ROUTES = _routes()


def version_of(path: str) -> str:
    return "v2" if path.startswith("/api/v2") else "v1"


def area_of(path: str, method: str = "GET") -> str:
    if path == "/api/v2/auth/revoke":
        return "own token"
    if path.startswith("/api/v1/operators") and method != "GET":
        return "admin"
    if path.startswith(SUBSCRIBER_PREFIXES):
        return "subscriber"
    if path.startswith(NETWORK_PREFIXES):
        return "network"
    return "admin" if path.startswith(ADMIN_PREFIXES) else "billing"


def fill(path: str, world: World) -> str:
    """Path parameters: operator B's record where there is one, else an id that does not exist."""
    return re.sub(r"{(\w+)}", lambda m: str(OTHER[m[1]](world)) if m[1] in OTHER else "999999", path)


def call(api: Api, method: str, path: str, token: str | None) -> int:
    headers = api.auth(token) if token is not None else {}
    return int(api.http.request(method, path, headers=headers).status_code)


def test_the_matrix_covers_the_routes() -> None:
    paths = {p for _, p in ROUTES}
    assert {"/api/v1/customers", "/api/v2/customers/{customer_id}", "/api/v2/auth/revoke",
            "/api/v2/logs/api-requests", "/api/v1/dashboard"} <= paths
    assert {"/api/v1/noc/dashboard", "/api/v1/routers", "/api/v1/olts", "/api/v1/monitoring/ubiquiti",
            "/api/v1/monitoring/cambium", "/api/v1/monitoring/access-logs", "/api/v1/monitoring/onus",
            "/api/v1/monitoring/status-checks", "/api/v1/monitoring/zabbix", "/api/v1/logs/router",
            "/api/v1/logs/hotspot", "/api/v1/logs/ppp-auth", "/api/v1/logs/auto-suspension",
            "/api/v2/network/routers", "/api/v2/network/routers/{router_id}", "/api/v2/network/olts",
            "/api/v2/network/onus", "/api/v2/network/onus/{onu_id}", "/api/v2/network/onus/{onu_id}/optics",
            "/api/v2/network/pools", "/api/v2/network/sessions", "/api/v2/monitoring/zabbix/hosts",
            "/api/v2/monitoring/zabbix/problems", "/api/v2/monitoring/devices",
            "/api/v2/monitoring/devices/{device_id}/samples", "/api/v2/monitoring/status-checks",
            "/api/v2/logs/router", "/api/v2/logs/hotspot", "/api/v2/logs/ppp-auth",
            "/api/v2/logs/auto-suspension", "/api/v2/logs/access"} <= paths
    assert {area_of(p) for p in paths} == {"billing", "admin", "own token", "network", "subscriber"}


@pytest.mark.parametrize(("method", "template"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_refusals(api: Api, world: World, method: str, template: str) -> None:
    version, path = version_of(template), fill(template, world)
    other = "v1" if version == "v2" else "v2"
    for token in (None, "", "garbage", api.token(other, "admin")):
        assert call(api, method, path, token) == 401, (token, "must be 401")
    for role in ROLES:
        status = call(api, method, path, api.token(version, role))
        if role in EXPECTED[(area_of(template, method), method != "GET")]:
            assert status not in (401, 403), (role, status)
        else:
            assert status == 403, (role, status)
    expiring = api.token(version, "admin")
    api.now[0] += timedelta(hours=1, seconds=1)
    assert call(api, method, path, expiring) == 401, "expired"


SCOPED = [r for r in ROUTES if r[0] == "GET" and re.search(r"{(customer|bill|payment|package)_id}", r[1])]


@pytest.mark.parametrize(("method", "template"), SCOPED, ids=[f"{m} {p}" for m, p in SCOPED])
def test_another_operators_record_is_404(api: Api, world: World, method: str, template: str) -> None:
    scoped = api.token(version_of(template), "admin", operator_id=world.a.operator)
    assert call(api, method, fill(template, world), scoped) == 404


ADMIN = [r for r in ROUTES if area_of(r[1], r[0]) in ("admin", "network")]


@pytest.mark.parametrize(("method", "template"), ADMIN, ids=[f"{m} {p}" for m, p in ADMIN])
def test_admin_and_network_routes_refuse_an_operator_scoped_admin(api: Api, world: World, method: str,
                                                      template: str) -> None:
    scoped = api.token(version_of(template), "admin", operator_id=world.a.operator)
    assert call(api, method, fill(template, world), scoped) == 403


ONU_ROUTES = [r for r in ROUTES if "{onu_id}" in r[1]]


@pytest.mark.parametrize(("method", "template"), ONU_ROUTES, ids=[f"{m} {p}" for m, p in ONU_ROUTES])
def test_another_operators_onu_is_404(api: Api, world: World, method: str, template: str) -> None:
    with api.db() as s:
        net = build_network(s, world)
    scoped = api.token(version_of(template), "billing", operator_id=world.a.operator)
    for onu, status in ((net.onu_b, 404), (net.onu_free, 404), (net.onus_a[0], 200)):
        assert call(api, method, template.replace("{onu_id}", str(onu)), scoped) == status, onu


def _many_refusals(api: Api) -> None:
    """One source address is refused on every route here: lift the per-address limit (else 429s)."""
    runtime = api.http.app.state.runtime  # type: ignore[attr-defined]
    runtime.rates = dataclasses.replace(runtime.rates, per_ip=10_000)


def test_revoked_v2_token_is_401_everywhere(api: Api, world: World) -> None:
    _many_refusals(api)
    token = api.token("v2", "admin")
    assert api.http.post("/api/v2/auth/revoke", headers=api.auth(token)).status_code == 204
    for method, template in ROUTES:
        if version_of(template) == "v2":
            assert call(api, method, fill(template, world), token) == 401, template


def test_family_revoked_v1_token_is_401_everywhere(api: Api, world: World) -> None:
    _many_refusals(api)
    _, creds = api.credentials("v1", "admin")
    for _ in range(2):
        api.http.post("/api/auth/refresh", json={"refresh_token": creds["refresh_token"]})
    for method, template in ROUTES:
        if version_of(template) == "v1":
            assert call(api, method, fill(template, world), str(creds["access_token"])) == 401, template
