"""The drift between a router's subscriber accounts (``/ppp/secret``, ``/ip/hotspot/user``) and the
store: accounts on the router that no customer of that router has, and customers of the router
whose account the router lacks. The MikroTik collector reads the accounts on its connection and
keeps the comparison on the device (``details["accounts"]``) for the NOC; whether an account is
suspended or enabled is the enforcement run's drift, repaired there."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.models import Customer

SAMPLE = 20
"""How many names of each kind of drift the device keeps (the counts are complete)."""
BUILT_IN = frozenset({"default-trial"})
"""Accounts RouterOS makes itself, never a customer's."""
PROPLIST = ".id,name,profile,disabled"


@dataclass(frozen=True)
class Account:
    """One PPP secret or hotspot user as the router lists it."""

    name: str
    hotspot: bool
    profile: str | None
    disabled: bool


@dataclass(frozen=True)
class AccountDrift:
    """Accounts the store does not know, and customers the router does not know."""

    accounts: int
    unknown_on_router: tuple[str, ...]
    missing_on_router: tuple[str, ...]

    def as_details(self, now: datetime) -> dict[str, Any]:
        """The JSON kept on the device: counts, and the first names of each kind."""
        return {"total": self.accounts, "checked_at": now.isoformat(),
                "unknown_on_router_count": len(self.unknown_on_router),
                "unknown_on_router": list(self.unknown_on_router[:SAMPLE]),
                "missing_on_router_count": len(self.missing_on_router),
                "missing_on_router": list(self.missing_on_router[:SAMPLE])}


Rows = Iterable[Mapping[str, Any]]


def parse_accounts(secrets: Rows, users: Rows) -> tuple[Account, ...]:
    """The router's accounts from its ``/ppp/secret`` and ``/ip/hotspot/user`` replies."""
    out: list[Account] = []
    for rows, hotspot in ((secrets, False), (users, True)):
        for row in rows:
            name = str(row.get("name") or "")
            if name and name not in BUILT_IN:
                out.append(Account(name, hotspot, str(row["profile"]) if row.get("profile") else None,
                                   str(row.get("disabled", "false")).lower() in ("true", "yes")))
    return tuple(out)


def compare(accounts: Iterable[Account], expected: Iterable[str]) -> AccountDrift:
    """Which account names only the router has, and which usernames only the store has (sorted)."""
    on_router = {a.name for a in accounts}
    wanted = set(expected)
    return AccountDrift(len(on_router), tuple(sorted(on_router - wanted)), tuple(sorted(wanted - on_router)))


def expected_usernames(session: Session, device_id: int) -> list[str]:
    """The usernames of the live customers the store puts on this router."""
    return [u for u in session.scalars(select(Customer.username).where(
        Customer.router_id == device_id, Customer.deleted_at.is_(None), Customer.username.is_not(None))) if u]
