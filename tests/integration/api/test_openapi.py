"""The OpenAPI document at /docs: every route documented, bodies with the reference's examples."""

from __future__ import annotations

from datetime import timedelta

from api import auth
from api.models import ApiRevocation
from tests.integration.api.conftest import Api


def test_docs_page_and_schema(api: Api) -> None:
    assert api.http.get("/docs").status_code == 200
    schema = api.http.get("/openapi.json").json()
    for path in ("/api/auth/login", "/api/auth/refresh", "/api/v2/auth/token", "/api/v2/auth/revoke",
                 "/api/v1/customers", "/api/v2/customers/{customer_id}", "/api/v2/billing/bills"):
        assert path in schema["paths"], path
    models = schema["components"]["schemas"]
    assert models["CustomerRead"]["examples"][0]["package"] == {"id": 12, "name": "Fiber 100 Mbps"}
    assert models["V1CustomerRead"]["examples"][0]["package"] == "Premium 50 Mbps"
    assert models["ErrorOut"]["examples"][0]["error"]["code"] == "VALIDATION_ERROR"
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert schema["paths"]["/api/v2/customers"]["get"]["security"] == [{"HTTPBearer": []}]
    login = schema["paths"]["/api/auth/login"]["post"]
    assert {"401", "422", "429"} <= set(login["responses"])


def test_purge_drops_only_expired_revocations(api: Api) -> None:
    now = api.now[0]
    with api.db() as s:
        s.add_all([ApiRevocation(key="old", expires_at=now - timedelta(seconds=1), created_at=now),
                   ApiRevocation(key="live", expires_at=now + timedelta(hours=1), created_at=now)])
    with api.db() as s:
        assert auth.purge_expired(s, now=api.now[0]) == 1
        assert s.get(ApiRevocation, "live") is not None and s.get(ApiRevocation, "old") is None
