"""Per-resource read tests as data on one base case (netbox style): URL, fields, what operator A sees."""

from __future__ import annotations

from typing import Any, ClassVar

from tests.integration.api.conftest import Api
from tests.integration.api.world import World

V2_CUSTOMER = {"id", "name", "email", "phone", "package", "connection_type", "status", "created_at",
               "updated_at"}
V1_CUSTOMER = {"id", "name", "email", "phone", "package", "status", "created_at"}
BILL = {"id", "customer_id", "amount", "currency", "status", "due_date", "description", "created_at"}
INVOICE = BILL | {"number", "period", "amount_paid", "issued_on"}
PAYMENT = {"id", "customer_id", "package_id", "amount", "currency", "payment_method", "status", "reference",
           "transaction_id", "received_at", "created_at"}
SUBSCRIPTION = {"id", "customer_id", "package_id", "billing_type", "status", "price", "starts_at",
                "expires_at", "cycle_day", "created_at"}
PACKAGE = {"id", "name", "service_type", "speed_down_kbps", "speed_up_kbps", "price", "currency",
           "validity_days", "active"}
OPERATOR = {"id", "name", "email", "phone", "status", "fund_balance", "credit_limit", "timezone", "currency",
            "created_at", "updated_at"}
VOUCHER = {"id", "code", "package_id", "value", "status", "activated_by_id", "activated_at", "created_at"}


class ReadCase:
    """A resource: its list URL (``{a.customers[0]}`` style placeholders), detail URL and fields."""

    version: ClassVar[str] = "v2"
    list_url: ClassVar[str]
    detail_url: ClassVar[str | None] = None
    fields: ClassVar[set[str]]
    own: ClassVar[staticmethod[[World], set[int]]]
    other: ClassVar[staticmethod[[World], int] | None] = None

    def url(self, template: str, world: World, **kw: Any) -> str:
        return template.format(a=world.a, b=world.b, **kw)

    def get(self, api: Api, path: str, **token: Any) -> Any:
        headers = api.auth(api.token(self.version, token.pop("role", "read-only"), **token))
        return api.http.get(path, headers=headers)

    def test_list_shape_and_fields(self, api: Api, world: World) -> None:
        r = self.get(api, self.url(self.list_url, world), role="admin")
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"data", "meta"}
        assert set(body["meta"]) == {"current_page", "per_page", "total", "last_page"}
        assert body["data"] and all(set(item) == self.fields for item in body["data"])
        assert body["meta"]["total"] >= len(self.own(world))

    def test_scoped_caller_sees_only_its_operator(self, api: Api, world: World) -> None:
        r = self.get(api, self.url(self.list_url, world), operator_id=world.a.operator)
        assert r.status_code == 200, r.text
        assert {item["id"] for item in r.json()["data"]} == self.own(world)
        assert r.json()["meta"]["total"] == len(self.own(world))

    def test_get_one(self, api: Api, world: World) -> None:
        if self.detail_url is None:
            return
        record = min(self.own(world))
        r = self.get(api, self.url(self.detail_url, world, id=record), operator_id=world.a.operator)
        assert r.status_code == 200, r.text
        assert set(r.json()) == {"data"} and set(r.json()["data"]) == self.fields
        assert r.json()["data"]["id"] == record

    def test_other_operators_record_is_404(self, api: Api, world: World) -> None:
        if self.detail_url is None or self.other is None:
            return
        path = self.url(self.detail_url, world, id=self.other(world))
        r = self.get(api, path, operator_id=world.a.operator)
        assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND"
        assert self.get(api, path, role="admin").status_code == 200


class TestV2Customers(ReadCase):
    list_url, detail_url, fields = "/api/v2/customers", "/api/v2/customers/{id}", V2_CUSTOMER
    own = staticmethod(lambda w: set(w.a.customers))
    other = staticmethod(lambda w: w.b.customers[0])


class TestV2CustomerBills(ReadCase):
    list_url, fields = "/api/v2/customers/{a.customers[0]}/bills", BILL
    own = staticmethod(lambda w: set(w.a.bills))


class TestV2CustomerPayments(ReadCase):
    list_url, fields = "/api/v2/customers/{a.customers[0]}/payments", PAYMENT
    own = staticmethod(lambda w: set(w.a.payments))


class TestV2CustomerSubscriptions(ReadCase):
    list_url, fields = "/api/v2/customers/{a.customers[0]}/subscriptions", SUBSCRIPTION
    own = staticmethod(lambda w: set(w.a.subscriptions))


class TestV2Bills(ReadCase):
    list_url, detail_url, fields = "/api/v2/billing/bills", "/api/v2/billing/bills/{id}", BILL
    own = staticmethod(lambda w: set(w.a.bills))
    other = staticmethod(lambda w: w.b.bills[0])


class TestV2Payments(ReadCase):
    list_url, detail_url, fields = "/api/v2/billing/payments", "/api/v2/payments/{id}", PAYMENT
    own = staticmethod(lambda w: set(w.a.payments))
    other = staticmethod(lambda w: w.b.payments[0])


class TestV2Packages(ReadCase):
    list_url, detail_url, fields = "/api/v2/packages", "/api/v2/packages/{id}", PACKAGE
    own = staticmethod(lambda w: {w.shared_package, w.a.package})
    other = staticmethod(lambda w: w.b.package)


class TestV1Customers(ReadCase):
    version = "v1"
    list_url, detail_url, fields = "/api/v1/customers", "/api/v1/customers/{id}", V1_CUSTOMER
    own = staticmethod(lambda w: set(w.a.customers))
    other = staticmethod(lambda w: w.b.customers[0])


class TestV1Invoices(ReadCase):
    version, list_url, fields = "v1", "/api/v1/invoices", INVOICE
    own = staticmethod(lambda w: set(w.a.bills))


class TestV1Bills(ReadCase):
    version, list_url, fields = "v1", "/api/v1/bills", BILL
    own = staticmethod(lambda w: set(w.a.bills))


class TestV1Subscriptions(ReadCase):
    version, list_url, fields = "v1", "/api/v1/subscriptions", SUBSCRIPTION
    own = staticmethod(lambda w: set(w.a.subscriptions))


class TestV1Payments(ReadCase):
    version, list_url, fields = "v1", "/api/v1/payments", PAYMENT
    own = staticmethod(lambda w: set(w.a.payments))


class TestV1Operators(ReadCase):
    version, list_url, fields = "v1", "/api/v1/operators", OPERATOR
    own = staticmethod(lambda w: {w.a.operator})


class TestV1RechargeCards(ReadCase):
    version, list_url, fields = "v1", "/api/v1/recharge-cards", VOUCHER
    own = staticmethod(lambda w: set(w.vouchers))


def test_v1_and_v2_customer_shapes_follow_the_document(api: Api, world: World) -> None:
    v1 = api.http.get(f"/api/v1/customers/{world.a.customers[0]}", headers=api.auth(api.token("v1")))
    v2 = api.http.get(f"/api/v2/customers/{world.a.customers[0]}", headers=api.auth(api.token("v2")))
    assert v1.json()["data"]["package"] == "Premium 50 Mbps"
    assert v2.json()["data"]["package"] == {"id": world.shared_package, "name": "Premium 50 Mbps"}
    assert v2.json()["data"]["created_at"] == "2026-05-15T12:00:00Z"


def test_amounts_are_json_numbers(api: Api, world: World) -> None:
    token = api.auth(api.token("v2"))
    bill = api.http.get(f"/api/v2/billing/bills/{world.a.bills[0]}", headers=token).json()["data"]
    payment = api.http.get(f"/api/v2/payments/{world.a.payments[0]}", headers=token).json()["data"]
    assert (bill["amount"], bill["due_date"], payment["amount"]) == (1500, "2026-01-10", 500.5)


def test_usage_for_a_period(api: Api, world: World) -> None:
    token = api.auth(api.token("v2", operator_id=world.a.operator))
    r = api.http.get(f"/api/v2/customers/{world.a.customers[0]}/usage", headers=token,
                     params={"from": "2026-05-14", "to": "2026-05-15"})
    body = r.json()["data"]
    assert (body["from"], body["to"], body["bytes_in"], body["bytes_out"]) == ("2026-05-14", "2026-05-15",
                                                                              3000, 200)
    assert [d["day"] for d in body["days"]] == ["2026-05-14", "2026-05-15"]
    other = api.http.get(f"/api/v2/customers/{world.b.customers[0]}/usage", headers=token)
    assert other.status_code == 404


def test_v1_dashboard_summary_is_scoped(api: Api, world: World) -> None:
    every = api.http.get("/api/v1/dashboard", headers=api.auth(api.token("v1"))).json()["data"]
    mine = api.http.get("/api/v1/dashboard",
                        headers=api.auth(api.token("v1", operator_id=world.a.operator))).json()["data"]
    assert (every["customers_total"], mine["customers_total"]) == (4, 2)
    assert (mine["open_bills"], mine["amount_due"], mine["payments_today"]) == (2, 3000, 500.5)
