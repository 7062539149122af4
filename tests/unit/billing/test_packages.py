"""billing.packages: create, update, look up, and which packages a customer may have."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from billing import enums as e
from billing import packages as svc
from billing.errors import NotFound, ValidationError
from tests import factories as f
from tests.factories import NOW
from tests.unit.billing._b1 import counts


def spec(**kw: Any) -> svc.PackageCreate:
    values: dict[str, Any] = dict(name="Home 20 Mbps", service_type="pppoe", speed_down_kbps=20_000,
                                  speed_up_kbps=10_000, price=Decimal("800"))
    values.update(kw)
    return svc.PackageCreate(**values)


def test_create_a_global_package_with_defaults(session: Session) -> None:
    pkg = svc.create_package(session, data=spec(router_profile="20M", enforcement="address-list"), now=NOW)
    assert (pkg.operator_id, pkg.service_type, pkg.price, pkg.currency, pkg.validity_days) == (
        None, e.ServiceType.PPPOE, Decimal("800.00"), "BDT", 30)
    assert (pkg.router_profile, pkg.enforcement, pkg.active, pkg.created_at) == (
        "20M", e.EnforcementStyle.ADDRESS_LIST, True, NOW)


def test_create_an_operators_package(session: Session) -> None:
    op = f.operator(session)
    pkg = svc.create_package(session, data=spec(operator_id=op.id, currency="usd", validity_days=366,
                                                grace_days=0), now=NOW)
    assert (pkg.operator_id, pkg.currency, pkg.validity_days, pkg.grace_days) == (op.id, "USD", 366, 0)


INVALID: list[tuple[str, dict[str, Any]]] = [
    ("name", {"name": ""}), ("service_type", {"service_type": "dialup"}),
    ("speed_down_kbps", {"speed_down_kbps": 0}), ("speed_up_kbps", {"speed_up_kbps": -5}),
    ("speed_up_kbps", {"speed_up_kbps": 1.5}), ("price", {"price": Decimal("0")}),
    ("price", {"price": Decimal("-10")}), ("price", {"price": Decimal("9.999")}), ("price", {"price": None}),
    ("currency", {"currency": "TK"}), ("validity_days", {"validity_days": 0}),
    ("validity_days", {"validity_days": 367}), ("enforcement", {"enforcement": "firewall"}),
    ("grace_days", {"grace_days": -1}), ("router_profile", {"router_profile": "p" * 65}),
    ("active", {"active": "yes"}), ("operator_id", {"operator_id": 10**9}),
]


@pytest.mark.parametrize(("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_invalid_input_names_the_field_and_writes_nothing(session: Session, field: str,
                                                          change: dict[str, Any]) -> None:
    before = counts(session)
    with pytest.raises(ValidationError) as err:
        svc.create_package(session, data=spec(**change), now=NOW)
    assert err.value.field == field
    assert counts(session) == before


def test_a_suspended_operator_gets_no_new_package(session: Session) -> None:
    op = f.operator(session, status=e.OperatorStatus.SUSPENDED)
    with pytest.raises(ValidationError) as err:
        svc.create_package(session, data=spec(operator_id=op.id), now=NOW)
    assert err.value.field == "operator_id"


def test_update_changes_only_given_fields(session: Session) -> None:
    pkg = f.package(session)
    later = NOW + timedelta(days=1)
    change = svc.PackageUpdate(price=Decimal("1200"), active=False)
    svc.update_package(session, pkg.id, data=change, now=later)
    assert (pkg.price, pkg.active, pkg.name, pkg.speed_down_kbps, pkg.updated_at) == (
        Decimal("1200.00"), False, pkg.name, 20_000, later)


def test_update_refuses_bad_input_and_keeps_the_package(session: Session) -> None:
    pkg = f.package(session)
    with pytest.raises(ValidationError) as err:
        svc.update_package(session, pkg.id, data=svc.PackageUpdate(name="New", validity_days=400), now=NOW)
    assert err.value.field == "validity_days"
    session.refresh(pkg)
    assert pkg.name.startswith("Home") and pkg.validity_days == 30


def test_scope(session: Session) -> None:
    mine, theirs = f.operator(session), f.operator(session)
    own, other, shared = (f.package(session, operator_id=mine.id), f.package(session, operator_id=theirs.id),
                          f.package(session))
    assert svc.get_package(session, own.id, operator_id=mine.id) is own
    assert svc.get_package(session, shared.id, operator_id=mine.id) is shared
    assert svc.get_package(session, other.id) is other
    rename = svc.PackageUpdate(name="x")
    calls: list[Callable[[], object]] = [
        lambda: svc.get_package(session, other.id, operator_id=mine.id),
        lambda: svc.get_package(session, 10**9),
        lambda: svc.update_package(session, other.id, data=rename, now=NOW, operator_id=mine.id),
        lambda: svc.update_package(session, shared.id, data=rename, now=NOW, operator_id=mine.id)]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert svc.update_package(session, own.id, data=svc.PackageUpdate(name="Mine"), now=NOW,
                              operator_id=mine.id).name == "Mine"


def test_usable_package(session: Session) -> None:
    mine, theirs = f.operator(session), f.operator(session)
    assert svc.usable_package(session, (p := f.package(session)).id, operator_id=mine.id) is p
    for pkg in (f.package(session, operator_id=theirs.id), f.package(session, active=False)):
        with pytest.raises(ValidationError) as err:
            svc.usable_package(session, pkg.id, operator_id=mine.id)
        assert err.value.field == "package_id"
