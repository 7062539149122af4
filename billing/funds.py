"""An operator's fund: top-ups, and money moved to or from one of its customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import ledger
from billing.enums import FundKind, LedgerKind
from billing.errors import InsufficientFunds, NotFound, ValidationError
from billing.models import Customer, FundTransaction, Operator
from store.atomic import increment, locked
from store.types import to_money

MAX_AMOUNT = Decimal("100000000")
DIRECTIONS = ("to_customer", "from_customer")


@dataclass(frozen=True)
class Moved:
    """Balances after a transfer."""

    customer_balance: Decimal
    customer_credit_limit: Decimal
    operator_fund_balance: Decimal


def _amount(value: object) -> Decimal:
    try:
        amount = to_money(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError("The amount must be a number.", field="amount") from exc
    if not 0 < amount < MAX_AMOUNT:
        raise ValidationError("The amount must be greater than zero and below 100,000,000.", field="amount")
    return amount


def _description(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > 2000):
        raise ValidationError("The description must be text of at most 2000 characters.", field="description")
    return value


def _lock_operator(session: Session, operator_id: int) -> Operator:
    op = locked(session, select(Operator).where(Operator.id == operator_id))
    if op is None:
        raise NotFound("operator not found", field="operator_id")
    return op


@dataclass(frozen=True)
class _Move:
    """One movement on an operator's fund (signed), and the customer it went to or came from."""

    kind: FundKind
    amount: Decimal
    customer_id: int | None
    description: str | None


def _record(session: Session, op: Operator, move: _Move, *, now: datetime) -> None:
    """Move the operator's fund and keep the fund's own ledger."""
    increment(session, op, "fund_balance", move.amount)
    op.updated_at = now
    session.add(FundTransaction(operator_id=op.id, customer_id=move.customer_id, kind=move.kind,
                                amount=move.amount, balance_after=op.fund_balance,
                                description=move.description, created_at=now))


def top_up(session: Session, operator_id: int, *, amount: Decimal, description: str | None,
           now: datetime) -> Operator:
    """Add money to an operator's fund."""
    value = _amount(amount)
    note = _description(description)
    op = _lock_operator(session, operator_id)
    _record(session, op, _Move(FundKind.TOPUP, value, None, note), now=now)
    session.flush()
    return op


def _lock_pair(session: Session, operator_id: int, customer_id: int) -> tuple[Operator, Customer]:
    """Lock the operator, then its customer (always in this order, so two transfers never deadlock)."""
    op = _lock_operator(session, operator_id)
    customer = ledger.lock_customer(session, customer_id)
    if customer is None or customer.operator_id != op.id:
        raise NotFound("customer not found", field="customer_id")
    return op, customer


def transfer(session: Session, *, operator_id: int, customer_id: int, amount: Decimal,
             direction: str = "to_customer", description: str | None = None, now: datetime) -> Moved:
    """Move ``amount`` from the operator's fund to the customer's balance, or back; never past a limit."""
    if direction not in DIRECTIONS:
        raise ValidationError("The direction must be to_customer or from_customer.", field="direction")
    value = _amount(amount)
    note = _description(description)
    op, customer = _lock_pair(session, operator_id, customer_id)
    if direction == "to_customer":
        if op.fund_balance - value < -op.credit_limit:
            raise InsufficientFunds("The operator's fund is too low for this transfer.", field="amount")
        _record(session, op, _Move(FundKind.TO_CUSTOMER, -value, customer.id, note), now=now)
        ledger.post(session, customer, LedgerKind.TRANSFER, value, now=now,
                    description=note or "transfer from operator")
        session.flush()
        ledger.apply_credit(session, customer, now=now)
    else:
        if customer.balance - value < -customer.credit_limit:
            raise InsufficientFunds("The customer's balance is too low for this transfer.", field="amount")
        _record(session, op, _Move(FundKind.FROM_CUSTOMER, value, customer.id, note), now=now)
        ledger.post(session, customer, LedgerKind.TRANSFER, -value, now=now,
                    description=note or "transfer to operator")
    customer.updated_at = now
    session.flush()
    return Moved(customer.balance, customer.credit_limit, op.fund_balance)
