"""Write routes as data on one base case (netbox style): create payload, update payload, fields."""

from __future__ import annotations

from typing import Any, ClassVar

from tests.integration.api.conftest import Api
from tests.integration.api.world import World

V2_CUSTOMER = {"id", "name", "email", "phone", "package", "connection_type", "status", "created_at",
               "updated_at"}
V2_UPDATED = {"id", "name", "package", "address", "status", "updated_at"}
V1_CUSTOMER = {"id", "name", "email", "phone", "package", "status", "created_at"}
BILL = {"id", "customer_id", "amount", "currency", "status", "due_date", "description", "created_at"}


class WriteCase:
    """A writable resource: where to POST, what to send, what comes back; PUT/DELETE on ``{id}``."""

    version: ClassVar[str] = "v2"
    url: ClassVar[str]
    detail_url: ClassVar[str | None] = None
    create: ClassVar[staticmethod[[World], dict[str, Any]]]
    created_fields: ClassVar[set[str]]
    update: ClassVar[staticmethod[[World], dict[str, Any]] | None] = None
    updated_fields: ClassVar[set[str]] = set()
    other: ClassVar[staticmethod[[World], int] | None] = None

    def headers(self, api: Api, role: str = "billing", **kw: Any) -> dict[str, str]:
        return api.auth(api.token(self.version, role, **kw))

    def test_create(self, api: Api, world: World) -> None:
        headers = self.headers(api, operator_id=world.a.operator)
        r = api.http.post(self.url, json=self.create(world), headers=headers)
        assert r.status_code == 201, r.text
        data = r.json()["data"]
        assert set(r.json()) == {"data"} and set(data) == self.created_fields
        assert data["created_at"].endswith("Z")

    def test_create_validation_is_422_per_field(self, api: Api, world: World) -> None:
        r = api.http.post(self.url, json={}, headers=self.headers(api, operator_id=world.a.operator))
        assert r.status_code == 422
        details = r.json()["error"]["details"]
        assert details and all(isinstance(v, list) and v for v in details.values())

    def test_read_only_may_not_write(self, api: Api, world: World) -> None:
        headers = self.headers(api, "read-only")
        r = api.http.post(self.url, json=self.create(world), headers=headers)
        assert r.status_code == 403

    def test_update_and_delete(self, api: Api, world: World) -> None:
        if self.detail_url is None or self.update is None or self.other is None:
            return
        headers = self.headers(api)
        created = api.http.post(self.url, json=self.create(world), headers=headers).json()["data"]
        path = self.detail_url.format(id=created["id"])
        r = api.http.put(path, json=self.update(world), headers=headers)
        assert r.status_code == 200, r.text
        assert set(r.json()["data"]) == self.updated_fields
        assert api.http.delete(path, headers=headers).status_code == 204
        assert api.http.delete(path, headers=headers).status_code == 404

    def test_other_operators_record_is_404_for_writes(self, api: Api, world: World) -> None:
        if self.detail_url is None or self.update is None or self.other is None:
            return
        path = self.detail_url.format(id=self.other(world))
        headers = self.headers(api, operator_id=world.a.operator)
        assert api.http.put(path, json=self.update(world), headers=headers).status_code == 404
        assert api.http.delete(path, headers=headers).status_code == 404


class TestV2CustomerWrites(WriteCase):
    url, detail_url = "/api/v2/customers", "/api/v2/customers/{id}"
    create = staticmethod(lambda w: {
        "name": "Fatima Begum", "email": "fatima@example.com", "phone": "01898765432",
        "package_id": w.shared_package, "address": "Apt 4B, Gulshan Tower, Dhaka", "connection_type": "fiber",
        "onu_mac": "AA:BB:CC:DD:EE:FF", "operator_id": w.a.operator})
    created_fields, updated_fields = V2_CUSTOMER, V2_UPDATED
    update = staticmethod(lambda w: {"address": "Suite 6A, Banani Heights, Dhaka"})
    other = staticmethod(lambda w: w.b.customers[0])


class TestV1CustomerWrites(WriteCase):
    version, url = "v1", "/api/v1/customers"
    create = staticmethod(lambda w: {
        "name": "Rafiq Ahmed", "email": "rafiq@example.com", "phone": "01712345678",
        "package_id": w.shared_package, "address": "House 12, Road 7, Dhanmondi, Dhaka",
        "connection_type": "pppoe", "operator_id": w.a.operator})
    created_fields = V1_CUSTOMER


class TestV2BillWrites(WriteCase):
    url, detail_url = "/api/v2/billing/bills", "/api/v2/billing/bills/{id}"
    create = staticmethod(lambda w: {
        "customer_id": w.a.customers[0], "amount": 1500, "currency": "BDT", "due_date": "2026-05-01",
        "description": "Monthly subscription — Fiber 200 Mbps (May 2026)"})
    created_fields = updated_fields = BILL
    update = staticmethod(lambda w: {"due_date": "2026-05-10"})
    other = staticmethod(lambda w: w.b.bills[0])


def test_v2_update_answers_like_the_document(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing"))
    r = api.http.put(f"/api/v2/customers/{world.a.customers[0]}", headers=headers,
                     json={"package_id": world.a.package, "address": "Suite 6A, Banani Heights, Dhaka"})
    data = r.json()["data"]
    assert data["package"]["id"] == world.a.package and data["address"] == "Suite 6A, Banani Heights, Dhaka"


def test_scoped_client_creates_under_its_own_operator(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing", operator_id=world.a.operator))
    body = {"name": "Mine", "package_id": world.shared_package, "operator_id": world.b.operator}
    created = api.http.post("/api/v2/customers", json=body, headers=headers).json()["data"]
    mine = api.http.get(f"/api/v2/customers/{created['id']}", headers=headers)
    assert mine.status_code == 200


def test_service_validation_names_the_field(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing", operator_id=world.a.operator))
    r = api.http.post("/api/v2/customers", json={"name": "X", "package_id": 999999}, headers=headers)
    assert r.status_code == 422 and set(r.json()["error"]["details"]) == {"package_id"}


def test_v1_customer_action(api: Api, world: World) -> None:
    headers = api.auth(api.token("v1", "billing", operator_id=world.a.operator))
    path = f"/api/v1/customers/{world.a.customers[0]}/action"
    r = api.http.post(path, json={"action": "suspend", "reason": "manual"}, headers=headers)
    assert r.status_code == 200 and r.json()["data"]["status"] == "suspended"
    assert api.http.post(path, json={"action": "explode"}, headers=headers).status_code == 422
    other = f"/api/v1/customers/{world.b.customers[0]}/action"
    assert api.http.post(other, json={"action": "suspend"}, headers=headers).status_code == 404


def test_record_payment_is_idempotent_on_its_key(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing", operator_id=world.a.operator))
    body = {"customer_id": world.a.customers[1], "amount": 10000, "payment_method": "cash",
            "reference": "CASH-001"}
    keyed = {**headers, "Idempotency-Key": "k-1"}
    first = api.http.post("/api/v2/billing/payments", json=body, headers=keyed)
    again = api.http.post("/api/v2/billing/payments", json=body, headers=keyed)
    assert first.status_code == again.status_code == 201, first.text
    assert first.json() == again.json()
    listed = api.http.get(f"/api/v2/customers/{world.a.customers[1]}/payments", headers=headers).json()
    assert listed["meta"]["total"] == 1
    clash = api.http.post("/api/v2/billing/payments", json=body | {"amount": 5}, headers=keyed)
    assert clash.status_code == 409
    fetched = api.http.get(f"/api/v2/payments/{first.json()['data']['id']}", headers=headers).json()
    assert fetched["data"]["amount"] == 10000 and fetched["data"]["payment_method"] == "cash"


def test_amounts_with_more_than_two_places_are_422(api: Api, world: World) -> None:
    headers = api.auth(api.token("v2", "billing"))
    body = {"customer_id": world.a.customers[0], "amount": 10.001}
    r = api.http.post("/api/v2/billing/payments", json=body, headers=headers)
    assert r.status_code == 422 and "amount" in r.json()["error"]["details"]
