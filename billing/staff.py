"""Staff users: create with an argon2 password hash, authenticate, change the password.

The hash stays on the model: nothing here logs or returns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.enums import StaffRole
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import StaffUser
from billing.operators import active_operator, clean_choice, clean_email, clean_name, insert_unique

HASHER = PasswordHasher()
MIN_PASSWORD, MAX_PASSWORD = 8, 1024
TAKEN = "a staff user with this email already exists"


@dataclass(frozen=True)
class StaffCreate:
    """A new staff user; ``operator_id`` scopes the user to one operator."""

    email: str
    name: str
    password: str
    role: StaffRole | str
    operator_id: int | None = None


def _password(value: Any) -> str:
    if not isinstance(value, str) or not MIN_PASSWORD <= len(value) <= MAX_PASSWORD:
        raise ValidationError(f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password")
    return value


def _email(value: Any) -> str:
    email = clean_email(value, required=True)
    assert email is not None
    return email.lower()


def _by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(func.lower(StaffUser.email) == email.lower())).first()


def create_staff_user(session: Session, *, data: StaffCreate, now: datetime) -> StaffUser:
    """Create an active staff user (email lowercased, password argon2-hashed)."""
    email = _email(data.email)
    name = clean_name(data.name)
    password = _password(data.password)
    role = clean_choice(StaffRole, data.role, field="role")
    if data.operator_id is not None:
        active_operator(session, data.operator_id)
    if _by_email(session, email) is not None:
        raise Conflict(TAKEN, field="email")
    user = StaffUser(email=email, name=name, password_hash=HASHER.hash(password), role=role,
                     operator_id=data.operator_id, active=True, created_at=now, last_login_at=None)
    insert_unique(session, user, field="email", message=TAKEN)
    return user


@cache
def _decoy() -> str:
    """A hash to check unknown emails against, so they take as long as wrong passwords."""
    return HASHER.hash("not-a-password-of-anyone")


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, *, email: str, password: str, now: datetime) -> StaffUser | None:
    """The active user with this email and password (its last login set to ``now``), else None."""
    if not isinstance(email, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD:
        return None
    user = _by_email(session, email.strip())
    if user is None:
        _verify(_decoy(), password)
        return None
    if not user.active or not _verify(user.password_hash, password):
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.last_login_at = now
    session.flush()
    return user


def set_password(session: Session, user_id: int, *, password: str, now: datetime,
                 operator_id: int | None = None) -> StaffUser:
    """Replace a user's password (same length rules as on creation)."""
    user = session.get(StaffUser, user_id)
    if user is None or operator_id not in (None, user.operator_id):
        raise NotFound("staff user not found", field="id")
    user.password_hash = HASHER.hash(_password(password))
    session.flush()
    return user


def set_active(session: Session, user_id: int, *, active: bool, now: datetime,
               operator_id: int | None = None) -> StaffUser:
    """Allow or stop a user's logins."""
    user = session.get(StaffUser, user_id)
    if user is None or operator_id not in (None, user.operator_id):
        raise NotFound("staff user not found", field="id")
    user.active = active
    session.flush()
    return user
