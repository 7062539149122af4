"""billing.customers: creation rules, updates, package moves, manual actions and soft delete."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import customers as svc
from billing import enums as e
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer, Operator, Package, Subscription, SuspensionLog
from tests import factories as f
from tests.factories import NOW
from tests.unit.billing._b1 import counts, events


@pytest.fixture
def op(session: Session) -> Operator:
    return f.operator(session)


@pytest.fixture
def pkg(session: Session, op: Operator) -> Package:
    return f.package(session, operator_id=op.id)


def new(op: Operator, pkg: Package, **kw: Any) -> svc.CustomerCreate:
    values: dict[str, Any] = dict(operator_id=op.id, package_id=pkg.id, name="Rafiq Ahmed")
    values.update(kw)
    return svc.CustomerCreate(**values)


def subs(session: Session, customer_id: int) -> list[Subscription]:
    stmt = select(Subscription).where(Subscription.customer_id == customer_id).order_by(Subscription.id)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------- create
def test_create_sets_defaults_state_and_a_postpaid_subscription(session: Session, op: Operator,
                                                                pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, username="rafiq", secret="pw"), now=NOW)
    assert (c.status, c.billing_type, c.connection_type) == (e.CustomerStatus.ACTIVE, e.BillingType.POSTPAID,
                                                             e.ServiceType.PPPOE)
    assert (c.desired_state, c.applied_state, c.enforce_attempts) == (e.ServiceState.ENABLED, None, 0)
    assert (c.balance, c.credit_limit, c.never_suspend, c.deleted_at) == (Decimal("0.00"), Decimal("0.00"),
                                                                          False, None)
    assert (c.created_at, c.updated_at, c.package.id) == (NOW, NOW, pkg.id)
    [sub] = subs(session, c.id)
    assert (sub.status, sub.billing_type, sub.cycle_day, sub.expires_at) == (
        e.SubscriptionStatus.ACTIVE, e.BillingType.POSTPAID, NOW.day, None)
    assert (sub.package_id, sub.price, sub.starts_at) == (pkg.id, pkg.price, NOW)


def test_prepaid_subscription_runs_for_the_package_validity(session: Session, op: Operator) -> None:
    pkg = f.package(session, validity_days=7, price=Decimal("300.00"))
    c = svc.create_customer(session, data=new(op, pkg, billing_type="prepaid"), now=NOW)
    [sub] = subs(session, c.id)
    assert (sub.billing_type, sub.expires_at, sub.cycle_day, sub.price) == (
        e.BillingType.PREPAID, NOW + timedelta(days=7), None, Decimal("300.00"))


def test_postpaid_cycle_day_is_capped_at_28_in_the_operators_timezone(session: Session) -> None:
    dhaka = f.operator(session, timezone="Asia/Dhaka")
    pkg = f.package(session)
    late = NOW.replace(day=30, hour=20)  # 31st, 02:00 in Dhaka
    c = svc.create_customer(session, data=new(dhaka, pkg), now=late)
    assert subs(session, c.id)[0].cycle_day == 28
    early = NOW.replace(day=2, hour=20)  # the 3rd in Dhaka
    assert subs(session, svc.create_customer(session, data=new(dhaka, pkg), now=early).id)[0].cycle_day == 3


def test_created_event_carries_no_secret(session: Session, op: Operator, pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, username="ev1", secret="hunter22"), now=NOW)
    [payload] = events(session, "customer.created")
    assert payload["customer_id"] == c.id and payload["operator_id"] == op.id
    assert payload["username"] == "ev1" and payload["billing_type"] == "postpaid"
    assert "hunter22" not in str(payload)


def test_fields_are_normalised(session: Session, op: Operator, pkg: Package) -> None:
    data = new(op, pkg, name="  Fatima Begum ", email="Fatima@Example.COM", phone="01898-765432",
               onu_mac="aa-bb-cc-dd-ee-0f", onu_serial="hwtc1234abcd", static_ip="2001:DB8:0:0::1",
               connection_type="fiber", status="new", credit_limit=Decimal("500"), router_id=3,
               never_suspend=True, promise_to_pay_until=NOW.date())
    c = svc.create_customer(session, data=data, now=NOW)
    assert (c.name, c.email, c.phone) == ("Fatima Begum", "Fatima@example.com", "+8801898765432")
    assert (c.onu_mac, c.onu_serial, c.static_ip) == ("AA:BB:CC:DD:EE:0F", "HWTC1234ABCD", "2001:db8::1")
    assert (c.connection_type, c.status, c.credit_limit) == (e.ServiceType.FIBER, e.CustomerStatus.NEW,
                                                             Decimal("500.00"))
    assert (c.router_id, c.never_suspend, c.promise_to_pay_until) == (3, True, NOW.date())


def test_phone_region_is_a_keyword(session: Session, op: Operator, pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, phone="650 253 0000"), now=NOW, default_region="US")
    assert c.phone == "+16502530000"


def test_connection_type_defaults_to_the_packages_service(session: Session, op: Operator) -> None:
    hotspot = f.package(session, service_type=e.ServiceType.HOTSPOT)
    made = svc.create_customer(session, data=new(op, hotspot), now=NOW)
    assert made.connection_type is e.ServiceType.HOTSPOT


def test_pppoe_customer_without_username_gets_a_generated_one(session: Session, op: Operator,
                                                              pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg), now=NOW)
    assert c.username == f"c{c.id}"
    static = svc.create_customer(session, data=new(op, pkg, connection_type="static"), now=NOW)
    assert static.username is None


def test_generated_username_skips_a_taken_one(session: Session, op: Operator, pkg: Package) -> None:
    static = svc.create_customer(session, data=new(op, pkg, connection_type="static"), now=NOW)
    svc.create_customer(session, data=new(op, pkg, username=f"c{static.id}"), now=NOW)
    moved = svc.update_customer(session, static.id, data=svc.CustomerUpdate(connection_type="pppoe"), now=NOW)
    assert moved.username == f"c{static.id}-2"


def test_global_package_is_allowed_for_any_operator(session: Session, op: Operator) -> None:
    shared = f.package(session, operator_id=None)
    assert svc.create_customer(session, data=new(op, shared), now=NOW).package_id == shared.id


INVALID: list[tuple[str, dict[str, Any]]] = [
    ("name", {"name": "   "}), ("name", {"name": "x" * 121}), ("email", {"email": "not-an-email"}),
    ("email", {"email": "a@b"}), ("phone", {"phone": "12345"}), ("phone", {"phone": "call me"}),
    ("static_ip", {"static_ip": "10.0.0.300"}), ("onu_mac", {"onu_mac": "AA:BB:CC:DD:EE"}),
    ("onu_mac", {"onu_mac": "GG:BB:CC:DD:EE:FF"}), ("onu_serial", {"onu_serial": "bad serial!"}),
    ("credit_limit", {"credit_limit": Decimal("-1")}), ("credit_limit", {"credit_limit": Decimal("1.001")}),
    ("connection_type", {"connection_type": "carrier-pigeon"}), ("billing_type", {"billing_type": "weekly"}),
    ("status", {"status": "suspended"}), ("status", {"status": "bogus"}), ("username", {"username": "a b"}),
    ("username", {"secret": "pw-without-user"}), ("secret", {"username": "ok", "secret": " "}),
    ("router_id", {"router_id": 0}), ("never_suspend", {"never_suspend": "yes"}),
    ("promise_to_pay_until", {"promise_to_pay_until": NOW.date() - timedelta(days=1)}),
    ("promise_to_pay_until", {"promise_to_pay_until": NOW}),
    ("operator_id", {"operator_id": None}), ("operator_id", {"operator_id": 10**9}),
    ("package_id", {"package_id": 10**9}),
]


@pytest.mark.parametrize(("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_invalid_input_names_the_field_and_writes_nothing(session: Session, op: Operator, pkg: Package,
                                                          field: str, change: dict[str, Any]) -> None:
    before = counts(session)
    with pytest.raises(ValidationError) as err:
        svc.create_customer(session, data=new(op, pkg, **change), now=NOW)
    assert err.value.field == field
    assert counts(session) == before


def test_package_must_be_active_and_the_operators_own_or_global(session: Session, op: Operator) -> None:
    other = f.operator(session)
    refused = [f.package(session, active=False), f.package(session, operator_id=other.id)]
    before = counts(session)
    for package in refused:
        with pytest.raises(ValidationError) as err:
            svc.create_customer(session, data=new(op, package), now=NOW)
        assert err.value.field == "package_id"
    assert counts(session) == before


def test_suspended_operator_takes_no_customers(session: Session, pkg: Package) -> None:
    halted = f.operator(session, status=e.OperatorStatus.SUSPENDED)
    with pytest.raises(ValidationError) as err:
        svc.create_customer(session, data=new(halted, pkg), now=NOW)
    assert err.value.field == "operator_id"


def test_username_and_static_ip_must_be_free(session: Session, op: Operator, pkg: Package) -> None:
    first = svc.create_customer(session, data=new(op, pkg, username="dup", static_ip="10.1.1.1"), now=NOW)
    before = counts(session)
    for change, field in (({"username": "dup"}, "username"), ({"static_ip": "10.1.1.1"}, "static_ip")):
        with pytest.raises(Conflict) as err:
            svc.create_customer(session, data=new(op, pkg, **change), now=NOW)
        assert err.value.field == field
    assert counts(session) == before
    svc.delete_customer(session, first.id, now=NOW)
    with pytest.raises(Conflict):  # a deleted customer keeps its username
        svc.create_customer(session, data=new(op, pkg, username="dup"), now=NOW)
    again = svc.create_customer(session, data=new(op, pkg, static_ip="10.1.1.1"), now=NOW)
    assert again.static_ip == "10.1.1.1"


# ---------------------------------------------------------------- update / package
def test_update_changes_only_the_given_fields(session: Session, op: Operator, pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, email="a@example.com", phone="01712345678"), now=NOW)
    later = NOW + timedelta(hours=1)
    data = svc.CustomerUpdate(address="Road 7", phone="+8801898765432", credit_limit=Decimal("200"))
    svc.update_customer(session, c.id, data=data, now=later, operator_id=op.id)
    assert (c.address, c.phone, c.credit_limit) == ("Road 7", "+8801898765432", Decimal("200.00"))
    assert (c.name, c.email, c.updated_at, c.created_at) == ("Rafiq Ahmed", "a@example.com", later, NOW)
    svc.update_customer(session, c.id, data=svc.CustomerUpdate(email=""), now=later)
    assert c.email is None


def test_update_refuses_invalid_input_and_keeps_the_customer(session: Session, op: Operator,
                                                             pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, username="keep"), now=NOW)
    other = svc.create_customer(session, data=new(op, pkg, username="taken"), now=NOW)
    snapshot = {col: getattr(c, col) for col in ("name", "address", "username", "package_id", "updated_at")}
    before = counts(session)
    bad: list[tuple[dict[str, Any], str, type[Exception]]] = [
        ({"name": "", "address": "x"}, "name", ValidationError), ({"package_id": 10**9}, "package_id",
                                                                  ValidationError),
        ({"address": "y", "username": "taken"}, "username", Conflict), ({"onu_mac": "zz"}, "onu_mac",
                                                                       ValidationError),
    ]
    for change, field, kind in bad:
        with pytest.raises(kind) as err:
            svc.update_customer(session, c.id, data=svc.CustomerUpdate(**change), now=NOW + timedelta(days=1))
        assert err.value.field == field  # type: ignore[attr-defined]
    session.refresh(c)
    assert {col: getattr(c, col) for col in snapshot} == snapshot
    assert counts(session) == before and other.username == "taken"


def test_changing_package_moves_the_subscription_keeping_its_expiry(session: Session, op: Operator) -> None:
    old, bigger = f.package(session), f.package(session, price=Decimal("1500.00"))
    c = svc.create_customer(session, data=new(op, old, billing_type="prepaid"), now=NOW)
    later = NOW + timedelta(days=10)
    svc.update_customer(session, c.id, data=svc.CustomerUpdate(package_id=bigger.id), now=later)
    assert (c.package_id, c.package.id) == (bigger.id, bigger.id)
    first, second = subs(session, c.id)
    assert (first.status, second.status) == (e.SubscriptionStatus.CANCELLED, e.SubscriptionStatus.ACTIVE)
    assert (second.package_id, second.price, second.starts_at) == (bigger.id, Decimal("1500.00"), later)
    assert second.expires_at == first.expires_at == NOW + timedelta(days=30)


def test_change_package_keeps_the_billing_day_and_checks_the_package(session: Session, op: Operator,
                                                                     pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg), now=NOW)
    assert svc.change_package(session, c.id, package_id=pkg.id, now=NOW) is c
    assert len(subs(session, c.id)) == 1
    with pytest.raises(ValidationError) as err:
        svc.change_package(session, c.id, package_id=f.package(session, active=False).id, now=NOW)
    assert err.value.field == "package_id"
    target = f.package(session)
    svc.change_package(session, c.id, package_id=target.id, now=NOW + timedelta(days=3), operator_id=op.id)
    assert [s.cycle_day for s in subs(session, c.id)] == [NOW.day, NOW.day]
    assert c.package_id == target.id


# ---------------------------------------------------------------- scope, lookups, delete
def test_another_operators_customer_is_not_found(session: Session, op: Operator, pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg), now=NOW)
    other = f.operator(session).id
    calls: list[Callable[[], object]] = [
        lambda: svc.get_customer(session, c.id, operator_id=other),
        lambda: svc.update_customer(session, c.id, data=svc.CustomerUpdate(name="X"), now=NOW,
                                    operator_id=other),
        lambda: svc.change_package(session, c.id, package_id=pkg.id, now=NOW, operator_id=other),
        lambda: svc.delete_customer(session, c.id, now=NOW, operator_id=other),
        lambda: svc.suspend_customer(session, c.id, now=NOW, operator_id=other),
        lambda: svc.get_customer(session, 10**9),
    ]
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert svc.get_customer(session, c.id, operator_id=op.id) is c and c.name == "Rafiq Ahmed"


def test_delete_is_soft_and_cuts_the_service(session: Session, op: Operator, pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, username="gone"), now=NOW)
    c.applied_state = e.ServiceState.ENABLED
    later = NOW + timedelta(days=2)
    svc.delete_customer(session, c.id, now=later, operator_id=op.id)
    row = session.get(Customer, c.id)
    assert row is not None and row.deleted_at == later
    assert (row.status, row.suspend_reason, row.desired_state, row.applied_state) == (
        e.CustomerStatus.DISABLED, e.SuspendReason.DISABLED, e.ServiceState.SUSPENDED, e.ServiceState.ENABLED)
    assert [s.status for s in subs(session, c.id)] == [e.SubscriptionStatus.CANCELLED]
    with pytest.raises(NotFound):
        svc.get_customer(session, c.id)
    with pytest.raises(NotFound):
        svc.delete_customer(session, c.id, now=later)


# ---------------------------------------------------------------- manual actions
def test_suspend_sets_manual_state_leaves_applied_and_announces(session: Session, op: Operator,
                                                                pkg: Package) -> None:
    c = f.customer(session, op, pkg, enforce_attempts=3, enforce_error="timeout")
    later = NOW + timedelta(hours=2)
    out = svc.suspend_customer(session, c.id, now=later, reason="asked by phone", operator_id=op.id)
    assert out is c
    assert (c.status, c.suspend_reason, c.desired_state, c.applied_state) == (
        e.CustomerStatus.SUSPENDED, e.SuspendReason.MANUAL, e.ServiceState.SUSPENDED, e.ServiceState.ENABLED)
    assert (c.enforce_attempts, c.enforce_error, c.updated_at) == (0, None, later)
    [payload] = events(session, "customer.suspended")
    assert payload == {"customer_id": c.id, "operator_id": op.id, "reason": "manual",
                       "note": "asked by phone", "bill_ids": [], "amount_due": "0.00"}
    [entry] = session.scalars(select(SuspensionLog).where(SuspensionLog.customer_id == c.id))
    assert (entry.action, entry.reason, entry.run_id) == (
        e.SuspensionAction.SUSPEND, "manual: asked by phone", None)
    before = counts(session)
    svc.suspend_customer(session, c.id, now=later)  # already there: no second event or log
    assert counts(session) == before


def test_activate_and_disable(session: Session, op: Operator, pkg: Package) -> None:
    c = f.customer(session, op, pkg, status=e.CustomerStatus.SUSPENDED,
                   suspend_reason=e.SuspendReason.OVERDUE, desired_state=e.ServiceState.SUSPENDED,
                   applied_state=e.ServiceState.SUSPENDED)
    svc.activate_customer(session, c.id, now=NOW)
    assert (c.status, c.suspend_reason, c.desired_state, c.applied_state) == (
        e.CustomerStatus.ACTIVE, None, e.ServiceState.ENABLED, e.ServiceState.SUSPENDED)
    assert events(session, "customer.activated") == [
        {"customer_id": c.id, "operator_id": op.id, "reason": "manual", "note": None}]
    svc.disable_customer(session, c.id, now=NOW, reason="moved away")
    assert (c.status, c.suspend_reason, c.desired_state) == (
        e.CustomerStatus.DISABLED, e.SuspendReason.DISABLED, e.ServiceState.SUSPENDED)
    assert events(session, "customer.suspended")[-1]["reason"] == "disabled"


def test_activate_a_new_customer_and_refuse_a_long_reason(session: Session, op: Operator,
                                                          pkg: Package) -> None:
    c = svc.create_customer(session, data=new(op, pkg, status="new"), now=NOW)
    before = counts(session)
    with pytest.raises(ValidationError) as err:
        svc.suspend_customer(session, c.id, now=NOW, reason="x" * 201)
    assert err.value.field == "reason" and counts(session) == before
    assert svc.activate_customer(session, c.id, now=NOW).status is e.CustomerStatus.ACTIVE


def test_input_dataclasses_are_frozen_and_update_fields_default_to_unchanged() -> None:
    data = svc.CustomerUpdate()
    assert all(getattr(data, fld.name) is None for fld in dataclasses.fields(data))
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.name = "x"  # type: ignore[misc]
    assert "status" not in {fld.name for fld in dataclasses.fields(svc.CustomerUpdate)}
