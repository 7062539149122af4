"""Who may do what: a role, an area of the API and whether the request writes."""

from __future__ import annotations

from enum import StrEnum

from billing.enums import StaffRole


class Area(StrEnum):
    BILLING = "billing"
    NETWORK = "network"
    ADMIN = "admin"


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# (area, writes) -> roles allowed
MATRIX: dict[tuple[Area, bool], frozenset[StaffRole]] = {
    (Area.BILLING, False): frozenset(StaffRole),
    (Area.BILLING, True): frozenset({StaffRole.ADMIN, StaffRole.BILLING}),
    (Area.NETWORK, False): frozenset(StaffRole),
    (Area.NETWORK, True): frozenset({StaffRole.ADMIN, StaffRole.NOC}),
    (Area.ADMIN, False): frozenset({StaffRole.ADMIN}),
    (Area.ADMIN, True): frozenset({StaffRole.ADMIN}),
}


def allowed(role: StaffRole, area: Area, method: str, *, scoped: bool = False) -> bool:
    """True when ``role`` may call a route of ``area`` with ``method``; admin routes (clients, logs)
    need an unscoped caller, so an operator's admin cannot mint clients beyond its operator."""
    if area is Area.ADMIN and scoped:
        return False
    return role in MATRIX[(area, method.upper() not in READ_METHODS)]
