"""Recharge cards: batches of unguessable codes, and activation that works exactly once."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from billing import events, ledger, renewals
from billing.enums import BillingType, CustomerStatus, LedgerKind, VoucherStatus
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Customer, Package, Voucher, VoucherBatch
from store.atomic import locked

MAX_QUANTITY = 10_000
CHUNK = 900


@dataclass(frozen=True)
class VoucherConfig:
    """How codes look: ``prefix`` plus ``length`` characters drawn from ``charset``."""

    length: int = 12
    charset: str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    prefix: str = ""


def _check_config(config: VoucherConfig) -> None:
    if not isinstance(config.length, int) or not 6 <= config.length <= 64 - len(config.prefix):
        raise ValidationError("The code length must be 6 to 64 characters with the prefix.", field="length")
    if len(set(config.charset)) < 10:
        raise ValidationError("The charset needs at least 10 distinct characters.", field="charset")


def _draw(config: VoucherConfig) -> str:
    return config.prefix + "".join(secrets.choice(config.charset) for _ in range(config.length))


def _taken(session: Session, codes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(codes), CHUNK):
        found.update(session.scalars(select(Voucher.code).where(Voucher.code.in_(codes[i:i + CHUNK]))))
    return found


def new_codes(session: Session, quantity: int, config: VoucherConfig) -> list[str]:
    """``quantity`` fresh codes, unique in the batch and against every stored voucher."""
    codes: set[str] = set()
    for _ in range(100):
        while len(codes) < quantity:
            codes.add(_draw(config))
        clash = _taken(session, sorted(codes))
        if not clash:
            return sorted(codes)
        codes -= clash
    raise Conflict("Could not draw unique codes; use a longer code.", field="length")


def _package(session: Session, package_id: int, operator_id: int | None) -> Package:
    package = session.get(Package, package_id)
    if package is None or (operator_id is not None and package.operator_id not in (None, operator_id)):
        raise ValidationError("The selected package is invalid.", field="package_id")
    return package


def generate_vouchers(session: Session, *, package_id: int, quantity: int, now: datetime,
                      operator_id: int | None = None, config: VoucherConfig | None = None) -> list[Voucher]:
    """A batch of ``quantity`` unused cards worth the package price, in one bulk insert."""
    config = config or VoucherConfig()
    if not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(f"The quantity must be 1 to {MAX_QUANTITY}.", field="quantity")
    _check_config(config)
    package = _package(session, package_id, operator_id)
    codes = new_codes(session, quantity, config)
    batch = VoucherBatch(operator_id=operator_id, package_id=package.id, quantity=quantity,
                         value=package.price, created_at=now)
    session.add(batch)
    session.flush()
    session.execute(insert(Voucher), [
        {"batch_id": batch.id, "code": code, "package_id": package.id, "value": package.price,
         "status": VoucherStatus.UNUSED, "created_at": now} for code in codes])
    return list(session.scalars(select(Voucher).where(Voucher.batch_id == batch.id).order_by(Voucher.id)))


def _card(session: Session, code: object, operator_id: int | None) -> Voucher:
    if not isinstance(code, str) or not 1 <= len(code.strip()) <= 64:
        raise ValidationError("The code is required.", field="code")
    stmt = (select(Voucher).join(VoucherBatch, VoucherBatch.id == Voucher.batch_id)
            .where(Voucher.code == code.strip()))
    if operator_id is not None:
        stmt = stmt.where(or_(VoucherBatch.operator_id.is_(None), VoucherBatch.operator_id == operator_id))
    card = session.scalars(stmt).first()
    if card is None:
        raise NotFound("no such voucher", field="code")
    if card.status == VoucherStatus.DISABLED:
        raise Conflict("voucher disabled", field="code")
    if card.status == VoucherStatus.USED:
        raise Conflict("voucher already used", field="code")
    return card


def _holder(session: Session, phone: str | None, customer_id: int | None,
            operator_id: int | None) -> Customer | None:
    """The customer a card is for: by id, else the one customer with that phone (None: phone only)."""
    if customer_id is None and not phone:
        raise ValidationError("A customer id or a phone number is required.", field="customer_id")
    if phone is not None and (not isinstance(phone, str) or len(phone) > 32):
        raise ValidationError("The phone must be at most 32 characters.", field="phone")
    stmt = select(Customer).where(Customer.deleted_at.is_(None))
    if operator_id is not None:
        stmt = stmt.where(Customer.operator_id == operator_id)
    if customer_id is not None:
        found = locked(session, stmt.where(Customer.id == customer_id))
        if found is None:
            raise NotFound("customer not found", field="customer_id")
        return found
    matches = session.scalars(stmt.where(Customer.phone == phone).limit(2)).all()
    return locked(session, stmt.where(Customer.id == matches[0].id)) if len(matches) == 1 else None


def _claim(session: Session, card: Voucher, holder: Customer | None, phone: str | None,
           now: datetime) -> None:
    """Mark the card used only if it is still unused: of two at once, exactly one gets the row."""
    stmt = (update(Voucher).where(Voucher.id == card.id, Voucher.status == VoucherStatus.UNUSED)
            .values(status=VoucherStatus.USED, activated_by_id=holder.id if holder else None,
                    activated_phone=phone, activated_at=now)
            .returning(Voucher.id).execution_options(synchronize_session=False))
    if session.execute(stmt).first() is None:
        raise Conflict("voucher already used", field="code")
    session.refresh(card)


def _credit(session: Session, card: Voucher, customer_id: int, now: datetime) -> None:
    """Put the card's value on the customer's account; a prepaid customer is renewed with it."""
    customer = ledger.lock_customer(session, customer_id)
    if customer is None:
        raise NotFound("customer not found", field="customer_id")
    ledger.post(session, customer, LedgerKind.PAYMENT, card.value, now=now,
                description=f"voucher {card.code}")
    session.flush()
    ledger.apply_credit(session, customer, now=now)
    covers = customer.balance - customer.package.price >= -customer.credit_limit
    if customer.billing_type == BillingType.PREPAID and customer.status != CustomerStatus.DISABLED and covers:
        renewals.renew_prepaid(session, customer.id, now=now)  # else the value waits on the balance


def activate_voucher(session: Session, *, code: str, phone: str | None = None, customer_id: int | None = None,
                     now: datetime, operator_id: int | None = None) -> Voucher:
    """Use a card once for a customer (by id, or by phone); the loser of a race gets a Conflict."""
    holder = _holder(session, phone, customer_id, operator_id)
    card = _card(session, code, operator_id if holder is None else holder.operator_id)
    _claim(session, card, holder, phone, now)
    if holder is not None:
        _credit(session, card, holder.id, now)
    events.emit(session, "voucher.activated", {
        "voucher_id": card.id, "code": card.code, "package_id": card.package_id, "value": card.value,
        "customer_id": holder.id if holder else None, "phone": phone}, now=now)
    session.flush()
    return card
