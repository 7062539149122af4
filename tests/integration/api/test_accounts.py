"""Vouchers, balance statements, operator funds and operator admin over HTTP."""

from __future__ import annotations

from tests.integration.api.conftest import Api
from tests.integration.api.world import World


def test_generate_vouchers_is_limited_as_resource_intensive(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing"))
    r = api.http.post("/api/v2/vouchers/generate", json={"package_id": world.shared_package, "quantity": 3},
                      headers=headers)
    assert r.status_code == 201, r.text
    assert len(r.json()["data"]) == 3 and r.headers["X-RateLimit-Limit"] == "10"
    codes = {card["code"] for card in r.json()["data"]}
    assert len(codes) == 3
    none = {"package_id": world.shared_package, "quantity": 0}
    assert api.http.post("/api/v2/vouchers/generate", json=none, headers=headers).status_code == 422


def test_activate_a_voucher_once(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing"))
    body = {"code": "CODE0XYZ", "phone": "01712345678"}
    first = api.http.post("/api/v2/vouchers/activate", json=body, headers=headers)
    assert first.status_code == 200 and first.json()["data"]["status"] == "used"
    again = api.http.post("/api/v2/vouchers/activate", json=body, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["details"] == {"code": ["voucher already used"]}


def test_statement_for_a_period(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "read-only", operator_id=world.a.operator))
    path = f"/api/v2/customers/{world.a.customers[0]}/statement"
    r = api.http.get(path, headers=headers, params={"from": "2026-04-01", "to": "2026-04-30"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert set(data) == {"customer_id", "from", "to", "opening_balance", "payments", "adjustments", "charges",
                         "closing_balance"}
    assert (data["from"], data["to"]) == ("2026-04-01", "2026-04-30")
    bad = api.http.get(path, headers=headers, params={"from": "2026-04-30", "to": "2026-04-01"})
    assert bad.status_code == 422 and "to" in bad.json()["error"]["details"]


def test_transfer_between_operator_and_customer(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing", operator_id=world.a.operator))
    path = f"/api/v2/operators/{world.a.operator}/funds/transfer"
    body = {"customer_id": world.a.customers[0], "amount": 500, "direction": "to_customer"}
    short = api.http.put(path, json=body, headers=headers)
    assert short.status_code == 422 and short.json()["error"]["code"] == "INSUFFICIENT_FUNDS"
    admin = api.auth(api.token("v1", "admin"))
    funded = api.http.post(f"/api/v1/operators/{world.a.operator}/fund", json={"amount": 1000}, headers=admin)
    assert funded.status_code == 200, funded.text
    moved = api.http.put(path, json=body, headers=headers)
    assert moved.status_code == 200, moved.text
    after = moved.json()["data"]
    assert set(after) == {"customer_balance", "customer_credit_limit", "operator_fund_balance"}
    assert after["operator_fund_balance"] == 500
    back = api.http.put(path, json=body | {"amount": 200, "direction": "from_customer"}, headers=headers)
    assert back.status_code == 200, back.text
    assert back.json()["data"]["operator_fund_balance"] == 700
    assert back.json()["data"]["customer_balance"] == after["customer_balance"] - 200
    drain = body | {"amount": 100000, "direction": "from_customer"}
    too_much = api.http.put(path, json=drain, headers=headers)
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "INSUFFICIENT_FUNDS"
    other = api.http.put(f"/api/v2/operators/{world.b.operator}/funds/transfer", json=body, headers=headers)
    assert other.status_code == 404


def test_operator_admin_v1(api: Api, world: World) -> None:
    headers = api.auth(api.token("v1", "admin"))
    created = api.http.post("/api/v1/operators", json={"name": "Dhanmondi Net", "credit_limit": 5000},
                            headers=headers)
    assert created.status_code == 201, created.text
    op = created.json()["data"]["id"]
    funded = api.http.post(f"/api/v1/operators/{op}/fund", json={"amount": 10000}, headers=headers)
    assert funded.json()["data"]["fund_balance"] == 10000
    suspended = api.http.post(f"/api/v1/operators/{op}/suspend", headers=headers)
    assert suspended.json()["data"]["status"] == "suspended"
    billing = api.auth(api.token("v1", "billing"))
    refused = api.http.post(f"/api/v1/operators/{op}/fund", json={"amount": 1}, headers=billing)
    assert refused.status_code == 403
