"""v1 ``POST /customers/{id}/action`` with ``extend``: a prepaid customer gets one more period,
charged from the balance; a postpaid one is refused naming the field."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from billing import enums as e
from billing.models import Customer, Operator, Package
from billing.renewals import current_subscription
from tests import factories as f
from tests.factories import NOW
from tests.integration.api.conftest import Api
from tests.integration.api.world import World


def _prepaid(api: Api, world: World, balance: str) -> int:
    with api.db() as s:
        op, pkg = s.get(Operator, world.a.operator), s.get(Package, world.a.package)
        assert op is not None and pkg is not None
        return f.customer(s, op, pkg, billing_type=e.BillingType.PREPAID, balance=Decimal(balance)).id


def test_extend_charges_one_period(api: Api, world: World) -> None:
    customer_id = _prepaid(api, world, "1500.00")
    headers = api.auth(api.token("v1", "billing"))
    r = api.http.post(f"/api/v1/customers/{customer_id}/action", json={"action": "extend"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["id"] == customer_id and r.json()["data"]["status"] == "active"
    with api.db() as s:
        sub = current_subscription(s, customer_id)
        customer = s.get(Customer, customer_id)
        assert sub is not None and sub.expires_at == NOW + timedelta(days=30)
        assert customer is not None and customer.balance == Decimal("500.00")


def test_extend_refusals(api: Api, world: World) -> None:
    headers = api.auth(api.token("v1", "billing"))
    postpaid = f"/api/v1/customers/{world.a.customers[0]}/action"
    r = api.http.post(postpaid, json={"action": "extend"}, headers=headers)
    assert r.status_code == 422 and "customer_id" in r.json()["error"]["details"]
    broke = _prepaid(api, world, "0")
    r = api.http.post(f"/api/v1/customers/{broke}/action", json={"action": "extend"}, headers=headers)
    assert r.status_code == 422 and "balance" in r.json()["error"]["details"]
    scoped = api.auth(api.token("v1", "billing", operator_id=world.b.operator))
    r = api.http.post(f"/api/v1/customers/{broke}/action", json={"action": "extend"}, headers=scoped)
    assert r.status_code == 404
