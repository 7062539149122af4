"""WireGuard VPN accounts: X25519 key pairs, tunnel addresses from a subnet, and the ``wg-quick``
config file a peer downloads."""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.models_outbox import VpnAccount
from api.schemas.common import as_id
from api.webhooks import seal, unseal
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer
from store.paging import Page, paginate


@dataclass(frozen=True)
class VpnServer:
    """The server side every peer config names (from settings ``vpn_*`` when set)."""

    public_key: str
    endpoint: str = "vpn.example.net:51820"
    subnet: str = "10.66.0.0/24"
    dns: str = "1.1.1.1"
    allowed_ips: str = "0.0.0.0/0, ::/0"


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def public_of(private_key: str) -> str:
    """The base64 public key of a base64 X25519 private key."""
    key = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key))
    return _b64(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))


def keypair() -> tuple[str, str]:
    """A fresh (private, public) X25519 pair, base64 as WireGuard writes them."""
    key = X25519PrivateKey.generate()
    private = _b64(key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()))
    return private, public_of(private)


def server_private_key(secret_key: SecretStr) -> str:
    """The server's private key, derived from the app secret (stable across restarts)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"ispnoc-wireguard", info=b"server")
    return _b64(hkdf.derive(secret_key.get_secret_value().encode()))


def server_from(settings: Any, secret: SecretStr) -> VpnServer:
    """The server description from settings (``vpn_endpoint``, ``vpn_subnet``, ``vpn_dns``,
    ``vpn_server_public_key``; defaults where absent, the key pair derived from the app ``secret``)."""
    public = getattr(settings, "vpn_server_public_key", None)
    public = public or public_of(server_private_key(secret))
    values = {name: getattr(settings, f"vpn_{name}") for name in ("endpoint", "subnet", "dns", "allowed_ips")
              if getattr(settings, f"vpn_{name}", None)}
    return VpnServer(public_key=public, **values)


@dataclass(frozen=True)
class VpnCreate:
    """A new account: a unique name, optionally a customer, the operator scope."""

    name: str
    customer_id: int | None = None
    operator_id: int | None = None


def _address(session: Session, subnet: str) -> str:
    """The first free host address of ``subnet`` (the first host is the server's)."""
    taken = set(session.scalars(select(VpnAccount.address)))
    hosts = ipaddress.ip_network(subnet).hosts()
    next(hosts, None)
    for host in hosts:
        if str(host) not in taken:
            return str(host)
    raise Conflict("the VPN subnet is full", field="address")


def _operator_for(session: Session, data: VpnCreate) -> int | None:
    if data.customer_id is None:
        return data.operator_id
    customer = session.get(Customer, data.customer_id)
    if customer is None or data.operator_id not in (None, customer.operator_id):
        raise ValidationError("The selected customer is invalid.", field="customer_id")
    return customer.operator_id


def create_account(session: Session, data: VpnCreate, *, server: VpnServer, key: SecretStr | None,
                   now: datetime) -> VpnAccount:
    """A new peer with a fresh key pair (private key sealed at rest) and the next free address."""
    if session.scalars(select(VpnAccount.id).where(VpnAccount.name == data.name)).first() is not None:
        raise Conflict("a VPN account with this name exists", field="name")
    private, public = keypair()
    row = VpnAccount(name=data.name, operator_id=_operator_for(session, data), customer_id=data.customer_id,
                     address=_address(session, server.subnet), public_key=public,
                     private_key=seal(private, key), created_at=now)
    session.add(row)
    session.flush()
    return row


def list_accounts(session: Session, *, operator_id: int | None, page: int, per_page: int) -> Page[Any]:
    """Accounts in the caller's scope, oldest first."""
    stmt = select(VpnAccount).order_by(VpnAccount.id)
    if operator_id is not None:
        stmt = stmt.where(VpnAccount.operator_id == operator_id)
    return paginate(session, stmt, page=page, per_page=per_page)


def get_account(session: Session, account: int | str, *, operator_id: int | None) -> VpnAccount:
    """An account by id or by name, in scope; else NotFound."""
    number = account if isinstance(account, int) else as_id(account)
    if number is not None:
        row = session.get(VpnAccount, number)
    else:
        row = session.scalars(select(VpnAccount).where(VpnAccount.name == account)).first()
    if row is None or operator_id not in (None, row.operator_id):
        raise NotFound("VPN account not found", field="account")
    return row


def delete_account(session: Session, account_id: int, *, operator_id: int | None) -> None:
    """Remove a peer."""
    session.delete(get_account(session, account_id, operator_id=operator_id))
    session.flush()


def render_config(account: VpnAccount, server: VpnServer, *, key: SecretStr | None) -> str:
    """The peer's ``wg-quick`` file."""
    prefix = ipaddress.ip_network(server.subnet).prefixlen
    return (
        f"# ispnoc VPN account {account.name}\n"
        "[Interface]\n"
        f"PrivateKey = {unseal(account.private_key, key)}\n"
        f"Address = {account.address}/{prefix}\n"
        f"DNS = {server.dns}\n"
        "\n"
        "[Peer]\n"
        f"PublicKey = {server.public_key}\n"
        f"Endpoint = {server.endpoint}\n"
        f"AllowedIPs = {server.allowed_ips}\n"
        "PersistentKeepalive = 25\n"
    )
