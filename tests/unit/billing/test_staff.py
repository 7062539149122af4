"""billing.staff: argon2-hashed staff users, authentication and password changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy.orm import Session

from billing import enums as e
from billing import staff as svc
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import StaffUser
from tests import factories as f
from tests.factories import NOW
from tests.unit.billing._b1 import counts

PASSWORD = "s3cret-pw!"


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> PasswordHasher:
    """Tiny argon2 parameters: the same code path in milliseconds."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(svc, "HASHER", hasher)
    svc._decoy.cache_clear()
    return hasher


def user(session: Session, **kw: Any) -> StaffUser:
    values: dict[str, Any] = dict(email="Billing@Example.com", name="Billing Desk", password=PASSWORD,
                                  role="billing")
    values.update(kw)
    return svc.create_staff_user(session, data=svc.StaffCreate(**values), now=NOW)


def test_create_hashes_the_password_and_lowercases_the_email(session: Session) -> None:
    u = user(session)
    assert (u.email, u.name, u.role, u.active, u.operator_id) == (
        "billing@example.com", "Billing Desk", e.StaffRole.BILLING, True, None)
    assert u.password_hash.startswith("$argon2id$") and PASSWORD not in u.password_hash
    assert (u.created_at, u.last_login_at) == (NOW, None)


def test_scoped_user(session: Session) -> None:
    op = f.operator(session)
    assert user(session, operator_id=op.id, role=e.StaffRole.READ_ONLY).operator_id == op.id


INVALID: list[tuple[str, dict[str, Any]]] = [
    ("password", {"password": "short7!"}), ("password", {"password": "x" * 1025}), ("role", {"role": "root"}),
    ("email", {"email": "nobody"}), ("email", {"email": ""}), ("name", {"name": ""}),
    ("operator_id", {"operator_id": 10**9}),
]


@pytest.mark.parametrize(("field", "change"), INVALID, ids=[f"{f}-{i}" for i, (f, _) in enumerate(INVALID)])
def test_invalid_input_names_the_field_and_writes_nothing(session: Session, field: str,
                                                          change: dict[str, Any]) -> None:
    before = counts(session)
    with pytest.raises(ValidationError) as err:
        user(session, **change)
    assert err.value.field == field and counts(session) == before
    assert PASSWORD not in str(err.value)


def test_email_is_unique_ignoring_case(session: Session) -> None:
    user(session)
    before = counts(session)
    with pytest.raises(Conflict) as err:
        user(session, email="BILLING@example.com")
    assert err.value.field == "email" and counts(session) == before


def test_authenticate(session: Session) -> None:
    u = user(session)
    later = NOW + timedelta(hours=3)
    assert svc.authenticate(session, email=" billing@EXAMPLE.com ", password=PASSWORD, now=later) is u
    assert u.last_login_at == later
    for email, password in (("billing@example.com", "wrong-password"), ("who@example.com", PASSWORD),
                            ("billing@example.com", "")):
        assert svc.authenticate(session, email=email, password=password, now=NOW) is None
    assert u.last_login_at == later


def test_inactive_user_cannot_log_in(session: Session) -> None:
    u = user(session)
    svc.set_active(session, u.id, active=False, now=NOW)
    assert svc.authenticate(session, email=u.email, password=PASSWORD, now=NOW) is None
    svc.set_active(session, u.id, active=True, now=NOW)
    assert svc.authenticate(session, email=u.email, password=PASSWORD, now=NOW) is u


def test_a_hash_with_old_parameters_is_upgraded_on_login(session: Session,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    u = user(session)
    old = u.password_hash
    monkeypatch.setattr(svc, "HASHER", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert svc.authenticate(session, email=u.email, password=PASSWORD, now=NOW) is u
    assert u.password_hash != old and "t=2" in u.password_hash
    assert svc.authenticate(session, email=u.email, password=PASSWORD, now=NOW) is u


def test_a_corrupt_hash_is_just_a_failed_login(session: Session) -> None:
    u = user(session)
    u.password_hash = "not-a-hash"
    assert svc.authenticate(session, email=u.email, password=PASSWORD, now=NOW) is None


def test_set_password(session: Session) -> None:
    u = user(session)
    svc.set_password(session, u.id, password="another-pass", now=NOW)
    assert svc.authenticate(session, email=u.email, password=PASSWORD, now=NOW) is None
    assert svc.authenticate(session, email=u.email, password="another-pass", now=NOW) is u
    old = u.password_hash
    with pytest.raises(ValidationError) as err:
        svc.set_password(session, u.id, password="short", now=NOW)
    assert err.value.field == "password" and u.password_hash == old
    for uid, scope in ((10**9, None), (u.id, f.operator(session).id)):
        with pytest.raises(NotFound):
            svc.set_password(session, uid, password="long-enough", now=NOW, operator_id=scope)
