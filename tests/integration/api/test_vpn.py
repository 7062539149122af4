"""VPN accounts: create, list, delete, and a config download that is a valid wg-quick file whose
private key matches the account's public key."""

from __future__ import annotations

import base64
import configparser

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import SecretStr

from api.models_outbox import VpnAccount
from tests.integration.api.conftest import Api
from tests.integration.api.world import World


def _parse(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keep PrivateKey's case
    parser.read_string(text)
    return parser


def _public(private_b64: str) -> str:
    key = X25519PrivateKey.from_private_bytes(base64.b64decode(private_b64))
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def test_create_list_download_delete(api: Api, world: World) -> None:
    token = api.auth(api.token("v2", "admin"))
    body = {"name": "rafiq-home", "customer_id": world.a.customers[0]}
    r = api.http.post("/api/v2/vpn/accounts", json=body, headers=token)
    assert r.status_code == 201, r.text
    made = r.json()["data"]
    assert made["address"] == "10.66.0.2" and made["operator_id"] == world.a.operator
    assert "private_key" not in made and len(base64.b64decode(made["public_key"])) == 32
    second = api.http.post("/api/v2/vpn/accounts", json={"name": "noc-laptop"}, headers=token).json()["data"]
    assert second["address"] == "10.66.0.3"
    listed = api.http.get("/api/v2/vpn/accounts", headers=token).json()
    assert [a["name"] for a in listed["data"]] == ["rafiq-home", "noc-laptop"]

    r = api.http.get(f"/api/v2/vpn/accounts/{made['id']}/config", headers=token)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert r.headers["content-disposition"] == 'attachment; filename="rafiq-home.conf"'
    conf = _parse(r.text)
    assert _public(conf["Interface"]["PrivateKey"]) == made["public_key"]
    assert conf["Interface"]["Address"] == "10.66.0.2/24" and conf["Interface"]["DNS"] == "1.1.1.1"
    assert len(base64.b64decode(conf["Peer"]["PublicKey"])) == 32
    assert conf["Peer"]["Endpoint"].endswith(":51820") and conf["Peer"]["AllowedIPs"] == "0.0.0.0/0, ::/0"

    assert api.http.delete(f"/api/v2/vpn/accounts/{made['id']}", headers=token).status_code == 204
    assert api.http.get(f"/api/v2/vpn/accounts/{made['id']}/config", headers=token).status_code == 404


def test_v1_list_and_download_by_name(api: Api) -> None:
    api.http.post("/api/v2/vpn/accounts", json={"name": "branch-1"}, headers=api.auth(api.token()))
    v1 = api.auth(api.token("v1", "read-only"))
    listed = api.http.get("/api/v1/vpn/accounts", headers=v1).json()["data"]
    assert [a["name"] for a in listed] == ["branch-1"]
    r = api.http.get("/api/v1/vpn/accounts/branch-1/config", headers=v1)
    assert r.status_code == 200 and "[Interface]" in r.text and "[Peer]" in r.text
    assert api.http.get("/api/v1/vpn/accounts/nobody/config", headers=v1).status_code == 404


def test_validation_conflicts_and_scope(api: Api, world: World) -> None:
    token = api.auth(api.token("v2", "admin"))
    assert api.http.post("/api/v2/vpn/accounts", json={"name": "x"}, headers=token).status_code == 201
    r = api.http.post("/api/v2/vpn/accounts", json={"name": "x"}, headers=token)
    assert r.status_code == 409 and "name" in r.json()["error"]["details"]
    r = api.http.post("/api/v2/vpn/accounts", json={"name": "bad name!"}, headers=token)
    assert r.status_code == 422 and "name" in r.json()["error"]["details"]
    scoped = api.auth(api.token("v2", "admin", operator_id=world.a.operator))
    r = api.http.post("/api/v2/vpn/accounts", json={"name": "y", "customer_id": world.b.customers[0]},
                      headers=scoped)
    assert r.status_code == 422 and "customer_id" in r.json()["error"]["details"]
    assert api.http.get("/api/v2/vpn/accounts", headers=scoped).json()["meta"]["total"] == 0
    assert api.http.get("/api/v2/vpn/accounts/1/config", headers=scoped).status_code == 404


def test_private_key_is_sealed_when_a_key_is_set(api: Api) -> None:
    key = Fernet.generate_key().decode()
    api.http.app.state.runtime.settings.credentials_key = SecretStr(key)  # type: ignore[attr-defined]
    token = api.auth(api.token())
    made = api.http.post("/api/v2/vpn/accounts", json={"name": "sealed"}, headers=token).json()["data"]
    conf = _parse(api.http.get(f"/api/v2/vpn/accounts/{made['id']}/config", headers=token).text)
    with api.db() as s:
        row = s.get(VpnAccount, made["id"])
        assert row is not None and row.private_key.startswith("fernet:")
        assert conf["Interface"]["PrivateKey"] not in row.private_key
    assert _public(conf["Interface"]["PrivateKey"]) == made["public_key"]
