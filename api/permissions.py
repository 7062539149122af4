"""Who may do what: a role, an area of the API and whether the request writes."""

from __future__ import annotations

from enum import StrEnum

from billing.enums import StaffRole


class Area(StrEnum):
    """What a route is about: billing records, the network itself, customers' network state, admin."""

    BILLING = "billing"
    NETWORK = "network"
    SUBSCRIBER = "subscriber"
    ADMIN = "admin"


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Areas an operator-scoped caller may not use at all: the device inventory is the ISP's, not a reseller's.
UNSCOPED_ONLY = frozenset({Area.ADMIN, Area.NETWORK})
# (area, writes) -> roles allowed
MATRIX: dict[tuple[Area, bool], frozenset[StaffRole]] = {
    (Area.BILLING, False): frozenset(StaffRole),
    (Area.BILLING, True): frozenset({StaffRole.ADMIN, StaffRole.BILLING}),
    (Area.NETWORK, False): frozenset({StaffRole.ADMIN, StaffRole.NOC, StaffRole.READ_ONLY}),
    (Area.NETWORK, True): frozenset({StaffRole.ADMIN, StaffRole.NOC}),
    (Area.SUBSCRIBER, False): frozenset(StaffRole),
    (Area.SUBSCRIBER, True): frozenset({StaffRole.ADMIN, StaffRole.NOC}),
    (Area.ADMIN, False): frozenset({StaffRole.ADMIN}),
    (Area.ADMIN, True): frozenset({StaffRole.ADMIN}),
}


def allowed(role: StaffRole, area: Area, method: str, *, scoped: bool = False) -> bool:
    """True when ``role`` may use ``area`` with ``method``; admin and network areas refuse scoped callers."""
    if area in UNSCOPED_ONLY and scoped:
        return False
    return role in MATRIX[(area, method.upper() not in READ_METHODS)]
