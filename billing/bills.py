"""Bills: the monthly run for postpaid customers (set-based, idempotent) and manual bills."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session

from billing import events, ledger
from billing.enums import BillingType, BillStatus, CustomerStatus, LedgerKind
from billing.errors import Conflict, NotFound, ValidationError
from billing.models import Bill, Customer, LedgerEntry, Operator, Package, PaymentAllocation
from store.types import Money, UTCDateTime, to_money

BILLABLE = (CustomerStatus.ACTIVE, CustomerStatus.SUSPENDED)
CHUNK = 900
MAX_AMOUNT = Decimal("100000000")
_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class GenerationResult:
    """What one bill run did for a period."""

    period: str
    created: int
    skipped: int
    bill_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class BillCreate:
    """A manual bill for a customer."""

    customer_id: int
    amount: Decimal
    due_date: date
    currency: str | None = None
    description: str | None = None
    period: str | None = None


@dataclass(frozen=True)
class BillUpdate:
    """Fields of a bill to change (None = unchanged)."""

    amount: Decimal | None = None
    due_date: date | None = None
    description: str | None = None


def parse_period(period: str | None, now: datetime) -> tuple[str, date]:
    """``YYYY-MM`` (default: ``now``'s month in UTC) and the first day of that month."""
    if period is None:
        return f"{now.year:04d}-{now.month:02d}", date(now.year, now.month, 1)
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if match is None:
        raise ValidationError("The period must be YYYY-MM.", field="period")
    return period, date(int(match[1]), int(match[2]), 1)


def invoice_number(prefix: str, issued_on: date, n: int) -> str:
    """``<prefix>-<YYYYMM>-<n, six digits>``."""
    return f"{prefix}-{issued_on.year:04d}{issued_on.month:02d}-{n:06d}"


def _allocate(session: Session, counts: dict[int, int]) -> dict[int, tuple[str, int]]:
    """Reserve ``counts[op]`` invoice numbers per operator atomically: (prefix, first number)."""
    first: dict[int, tuple[str, int]] = {}
    for op_id, n in sorted(counts.items()):
        stmt = (update(Operator).where(Operator.id == op_id)
                .values(next_invoice_no=Operator.next_invoice_no + n)
                .returning(Operator.invoice_prefix, Operator.next_invoice_no)
                .execution_options(synchronize_session="fetch"))
        for prefix, after in session.execute(stmt):
            first[op_id] = (prefix, after - n)
    return first


def _lock_operators(session: Session) -> None:
    """Serialise bill runs with a no-op write (row locks on PostgreSQL, the write lock on SQLite): a
    second run waits here, then sees the first run's bills."""
    session.execute(update(Operator).values(next_invoice_no=Operator.next_invoice_no)
                    .execution_options(synchronize_session=False))


def _unbilled(period: str) -> tuple[ColumnElement[bool], ...]:
    """Billable postpaid customers (joined to their package) without a bill for ``period``."""
    billed = exists().where(Bill.customer_id == Customer.id, Bill.period == period)
    return (Customer.billing_type == BillingType.POSTPAID, Customer.deleted_at.is_(None),
            Customer.status.in_(BILLABLE), Package.price > 0, ~billed)


def _counts(session: Session, period: str) -> dict[int, int]:
    """How many bills the run makes per operator."""
    stmt = (select(Customer.operator_id, func.count(Customer.id))
            .join(Package, Package.id == Customer.package_id).where(*_unbilled(period))
            .group_by(Customer.operator_id))
    return {op_id: int(n) for op_id, n in session.execute(stmt)}


def _already_billed(session: Session, period: str) -> int:
    stmt = (select(func.count(Bill.id)).join(Customer, Customer.id == Bill.customer_id)
            .where(Bill.period == period, Customer.billing_type == BillingType.POSTPAID,
                   Customer.deleted_at.is_(None), Customer.status.in_(BILLABLE)))
    return int(session.scalar(stmt) or 0)


@dataclass(frozen=True)
class _Credit:
    """A billed customer who held credit: the new bill, its amount and the credit before the charge."""

    bill_id: int
    amount: Decimal
    held: Decimal


@dataclass(frozen=True)
class _Run:
    period: str
    issued_on: date
    due_date: date
    now: datetime


def _padded(n: ColumnElement[int]) -> ColumnElement[str]:
    """``n`` as text, zero-padded to six digits (longer numbers kept whole), in portable SQL."""
    text = cast(n, String)
    start = case((func.length(text) < 6, func.length(text) + 1), else_=7)
    return func.substr(literal_column("'000000'", String) + text, start, type_=String)


def _insert_bills(session: Session, run: _Run) -> int:
    """All of the run's bills in one INSERT ... SELECT, numbered on from each operator's next number.

    Returns the highest bill id before it (the run's bills are above it)."""
    before = int(session.scalar(select(func.max(Bill.id))) or 0)
    n = Operator.next_invoice_no + func.row_number().over(
        partition_by=Customer.operator_id, order_by=Customer.id) - 1
    stamp = f"-{run.issued_on.year:04d}{run.issued_on.month:02d}-"
    now = literal(run.now, UTCDateTime())
    rows = (select(Customer.operator_id, Customer.id, Operator.invoice_prefix + literal(stamp) + _padded(n),
                   literal(run.period), Package.price, literal(Decimal("0"), Money()), Package.currency,
                   literal(BillStatus.UNPAID.value), literal(run.issued_on),
                   literal(run.due_date), Package.name + literal(f" ({run.period})"), now, now)
            .join(Package, Package.id == Customer.package_id)
            .join(Operator, Operator.id == Customer.operator_id)
            .where(*_unbilled(run.period)))
    columns = ["operator_id", "customer_id", "number", "period", "amount", "amount_paid", "currency",
               "status", "issued_on", "due_date", "description", "created_at", "updated_at"]
    session.execute(insert(Bill).from_select(columns, rows))
    return before


def _expire_loaded(session: Session, ids: set[int]) -> None:
    """Customers this session holds whose balance a bulk UPDATE just moved."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Customer) and obj.id in ids:
            session.expire(obj, ["balance", "updated_at"])


def _charge(
    session: Session, period: str, after: int, now: datetime
) -> tuple[dict[int, int], dict[int, _Credit]]:
    """Move the billed balances and write the CHARGE entries (one statement each); who held credit."""
    new = (Bill.period == period, Bill.id > after)
    bills = {cid: bid for cid, bid in session.execute(select(Bill.customer_id, Bill.id).where(*new))}
    credit = {cid: _Credit(bid, amount, balance) for cid, bid, amount, balance in session.execute(
        select(Customer.id, Bill.id, Bill.amount, Customer.balance)
        .join(Bill, Bill.customer_id == Customer.id).where(*new, Customer.balance > 0))}
    owed = select(Bill.amount).where(Bill.customer_id == Customer.id, Bill.period == period).scalar_subquery()
    session.execute(update(Customer).where(Customer.id.in_(select(Bill.customer_id).where(*new)))
                    .values(balance=Customer.balance - owed, updated_at=now)
                    .execution_options(synchronize_session=False))
    _expire_loaded(session, set(bills))
    columns = ["customer_id", "kind", "amount", "balance_after", "bill_id", "description", "created_at"]
    rows = (select(Bill.customer_id, literal(LedgerKind.CHARGE.value), -Bill.amount, Customer.balance,
                   Bill.id, literal(f"bill {period}"), literal(now, UTCDateTime()))
            .join(Customer, Customer.id == Bill.customer_id).where(*new))
    session.execute(insert(LedgerEntry).from_select(columns, rows))
    return bills, credit


def _apply_held_credit(session: Session, credit: dict[int, _Credit], *, now: datetime) -> None:
    """Pay the new bills from credit held before the run: in bulk when the new bill is the only open one."""
    ids = sorted(credit)
    crowded: set[int] = set()
    for i in range(0, len(ids), CHUNK):
        stmt = (select(Bill.customer_id)
                .where(Bill.customer_id.in_(ids[i:i + CHUNK]), Bill.status.in_(ledger.OPEN))
                .group_by(Bill.customer_id).having(func.count(Bill.id) > 1))
        crowded.update(session.scalars(stmt))
    plain = [credit[cid] for cid in ids if cid not in crowded]
    paid = [(c.bill_id, min(c.held, c.amount), c.amount) for c in plain]
    if paid:
        session.execute(update(Bill), [
            {"id": bid, "amount_paid": used, "updated_at": now,
             "status": BillStatus.PAID if used >= amount else BillStatus.PARTIAL}
            for bid, used, amount in paid])
        session.execute(insert(PaymentAllocation), [
            {"payment_id": None, "bill_id": bid, "amount": used, "created_at": now} for bid, used, _ in paid])
    for cid in sorted(crowded):
        ledger.apply_credit(session, _customer(session, cid, None), now=now)


def _announce(session: Session, run: _Run, after: int) -> list[int]:
    """One bill.generated event per new bill, in one bulk insert; returns the new bill ids."""
    stmt = (select(Bill.id, Bill.customer_id, Bill.operator_id, Bill.number, Bill.amount)
            .where(Bill.period == run.period, Bill.id > after).order_by(Bill.id))
    rows = session.execute(stmt).all()
    events.emit_many(session, "bill.generated", (
        {"bill_id": bid, "customer_id": cid, "operator_id": op_id, "number": number, "period": run.period,
         "amount": amount, "due_date": run.due_date}
        for bid, cid, op_id, number, amount in rows), now=run.now)
    return [row[0] for row in rows]


def generate_bills(session: Session, *, now: datetime, period: str | None = None,
                   due_days: int = 10) -> GenerationResult:
    """Bill every active or suspended postpaid customer once for ``period`` at its package price."""
    period, issued_on = parse_period(period, now)
    if not isinstance(due_days, int) or not 0 <= due_days <= 365:
        raise ValidationError("The due days must be 0 to 365.", field="due_days")
    session.flush()
    _lock_operators(session)
    counts = _counts(session, period)
    skipped = _already_billed(session, period)
    if not counts:
        return GenerationResult(period, 0, skipped)
    run = _Run(period, issued_on, issued_on + timedelta(days=due_days), now)
    after = _insert_bills(session, run)
    _allocate(session, counts)  # move each operator's next number past the ones the run used
    _bills, in_credit = _charge(session, period, after, now)
    _apply_held_credit(session, in_credit, now=now)
    bill_ids = _announce(session, run, after)
    return GenerationResult(period, len(bill_ids), skipped, tuple(bill_ids))


# ---------------------------------------------------------------- manual bills


def _amount(value: object, field: str = "amount") -> Decimal:
    try:
        amount = to_money(Decimal(str(value)))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError("The amount must be a number.", field=field) from exc
    if not 0 < amount < MAX_AMOUNT:
        raise ValidationError("The amount must be greater than zero and below 100,000,000.", field=field)
    return amount


def _text(value: str | None, field: str, limit: int) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > limit):
        raise ValidationError(f"The {field} must be text of at most {limit} characters.", field=field)
    return value


def _due(value: object, issued_on: date) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError("The due date must be a date.", field="due_date")
    if value < issued_on - timedelta(days=366):
        raise ValidationError("The due date is too far in the past.", field="due_date")
    return value


def _customer(session: Session, customer_id: int, operator_id: int | None) -> Customer:
    """The customer, locked and freshly read (a row lock on PostgreSQL), within the caller's operator."""
    customer = ledger.lock_customer(session, customer_id)
    if customer is None or operator_id not in (None, customer.operator_id):
        raise NotFound("customer not found", field="customer_id")
    return customer


def _validate_create(session: Session, data: BillCreate, now: datetime,
                     operator_id: int | None) -> tuple[Decimal, str, str | None]:
    amount = _amount(data.amount)
    _due(data.due_date, now.date())
    currency = data.currency
    if currency is not None and (not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency)):
        raise ValidationError("The currency must be a three-letter code.", field="currency")
    _text(data.description, "description", 2000)
    period = parse_period(data.period, now)[0] if data.period is not None else None
    customer = _customer(session, data.customer_id, operator_id)
    if period is not None and session.scalar(
            select(Bill.id).where(Bill.customer_id == customer.id, Bill.period == period)) is not None:
        raise Conflict("The customer already has a bill for this period.", field="period")
    return amount, currency or customer.package.currency, period


def create_bill(session: Session, *, data: BillCreate, now: datetime, operator_id: int | None = None) -> Bill:
    """A manual bill: numbered, charged to the customer's ledger, paid from held credit if any."""
    amount, currency, period = _validate_create(session, data, now, operator_id)
    customer = _customer(session, data.customer_id, operator_id)
    issued_on = now.date()
    prefix, n = _allocate(session, {customer.operator_id: 1})[customer.operator_id]
    bill = Bill(operator_id=customer.operator_id, customer_id=customer.id,
                number=invoice_number(prefix, issued_on, n), period=period, amount=amount,
                amount_paid=Decimal("0"), currency=currency, status=BillStatus.UNPAID, issued_on=issued_on,
                due_date=data.due_date, description=data.description, created_at=now, updated_at=now)
    session.add(bill)
    session.flush()
    had_credit = customer.balance > 0
    ledger.post(session, customer, LedgerKind.CHARGE, -amount, now=now, bill_id=bill.id,
                description=f"bill {bill.number}")
    if had_credit:
        ledger.apply_credit(session, customer, now=now)
    events.emit(session, "bill.generated", {
        "bill_id": bill.id, "customer_id": customer.id, "operator_id": customer.operator_id,
        "number": bill.number, "period": period, "amount": amount, "due_date": bill.due_date}, now=now)
    session.flush()
    return bill


def get_bill(session: Session, bill_id: int, *, operator_id: int | None = None) -> Bill:
    """One bill, within the caller's operator."""
    bill = session.get(Bill, bill_id)
    if bill is None or operator_id not in (None, bill.operator_id):
        raise NotFound("bill not found", field="id")
    return bill


def _status(bill: Bill) -> BillStatus:
    if bill.amount_paid >= bill.amount:
        return BillStatus.PAID
    return BillStatus.PARTIAL if bill.amount_paid > 0 else BillStatus.UNPAID


def _adjust(session: Session, bill: Bill, delta: Decimal, *, now: datetime, note: str) -> None:
    """Post ``delta`` on the bill's customer as an ADJUSTMENT and use any credit it frees."""
    customer = _customer(session, bill.customer_id, None)
    ledger.post(session, customer, LedgerKind.ADJUSTMENT, delta, now=now, bill_id=bill.id, description=note)
    session.flush()
    if customer.balance > 0:
        ledger.apply_credit(session, customer, now=now)


def update_bill(session: Session, bill_id: int, *, data: BillUpdate, now: datetime,
                operator_id: int | None = None) -> Bill:
    """Change an open bill; a new amount posts the difference as an adjustment."""
    bill = get_bill(session, bill_id, operator_id=operator_id)
    if bill.status in (BillStatus.PAID, BillStatus.CANCELLED):
        raise Conflict(f"A {bill.status.value} bill cannot be changed.", field="id")
    amount = _amount(data.amount) if data.amount is not None else None
    if amount is not None and amount < bill.amount_paid:
        raise ValidationError("The amount cannot be below what is already paid.", field="amount")
    if data.due_date is not None:
        _due(data.due_date, bill.issued_on)
    _text(data.description, "description", 2000)
    if data.description is not None:
        bill.description = data.description
    if data.due_date is not None:
        bill.due_date = data.due_date
    bill.updated_at = now
    if amount is not None and amount != bill.amount:
        delta = bill.amount - amount
        bill.amount = amount
        bill.status = _status(bill)
        _adjust(session, bill, delta, now=now, note=f"bill {bill.number} amount changed")
    session.flush()
    return bill


def delete_bill(session: Session, bill_id: int, *, now: datetime, operator_id: int | None = None) -> None:
    """Cancel an unpaid bill and reverse its charge (a cancelled bill is gone for the API)."""
    bill = get_bill(session, bill_id, operator_id=operator_id)
    if bill.status == BillStatus.CANCELLED:
        raise NotFound("bill not found", field="id")
    if bill.amount_paid > 0:
        raise Conflict("A bill with payments allocated cannot be deleted.", field="id")
    bill.status = BillStatus.CANCELLED
    bill.updated_at = now
    _adjust(session, bill, bill.amount, now=now, note=f"bill {bill.number} cancelled")
    session.flush()
