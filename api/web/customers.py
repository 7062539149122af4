"""Dashboard pages for customers: search, the customer page, and suspend / reactivate / record payment.

Each action is one transaction through the billing service, then the change is pushed to the router
(``api.web.push``) and the browser is sent back to the customer page with a flash message."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

import billing.customers as customers_svc
from api.deps import NowDep, RuntimeDep, SessionDep
from api.runtime import Runtime
from api.web.auth import ActorDep, Staff, StaffDep
from api.web.charts import Series, line_chart
from api.web.network import PageNo
from api.web.push import push_to_routers
from api.web.queries_customers import CustomerDetail, CustomerSearch, customer_detail, list_customers
from api.web.render import blank, flash, page
from billing.enums import CustomerStatus, PaymentMethod
from billing.errors import BillingError, NotFound, ValidationError
from billing.payments import PaymentCreate, record_payment
from store.db import session_scope

router = APIRouter(include_in_schema=False)


async def customer_search(q: str | None = None, status: str | None = None) -> CustomerSearch:
    return CustomerSearch(blank(q), blank(status))


@router.get("/customers")
def customers(request: Request, staff: StaffDep, session: SessionDep,
              search: Annotated[CustomerSearch, Depends(customer_search)], page_no: PageNo = 1) -> Response:
    """Customers, searched by name, username, phone or email."""
    found = list_customers(session, search, operator_id=staff.operator_id, page=page_no)
    return page(request, "customers.html", staff, found=found, search=search, statuses=list(CustomerStatus))


def _usage_chart(detail: CustomerDetail) -> Markup:
    def noon(day: date) -> datetime:
        return datetime.combine(day, time(12), tzinfo=UTC)

    down = [(noon(u.day), u.bytes_out / 1e6) for u in detail.usage]
    up = [(noon(u.day), u.bytes_in / 1e6) for u in detail.usage]
    return Markup(line_chart([Series("download MB", down), Series("upload MB", up)], title="usage",
                             unit="MB/day"))


@router.get("/customers/{customer_id}")
def customer(request: Request, customer_id: int, staff: StaffDep, session: SessionDep,
             now: NowDep) -> Response:
    """Billing (bills, payments, balance) beside network state (session, ONU, router, usage)."""
    try:
        detail = customer_detail(session, customer_id, now=now, operator_id=staff.operator_id)
    except NotFound:
        return page(request, "missing.html", staff, status_code=404, what="customer")
    return page(request, "customer.html", staff, detail=detail, usage_chart=_usage_chart(detail),
                methods=list(PaymentMethod), payment_key=uuid.uuid4().hex)


def _act(request: Request, runtime: Runtime, customer_id: int, work: Callable[[Session], str]) -> Response:
    """Run ``work`` in one transaction, push the change to the router, flash the outcome, go back."""
    try:
        with session_scope(runtime.sessions) as session:
            done = work(session)
    except BillingError as exc:
        flash(request, "error", exc.message)
    else:
        flash(request, "ok", f"{done} {push_to_routers(runtime, [customer_id])}")
    return RedirectResponse(f"/customers/{customer_id}", status_code=303)


def _status_change(staff: Staff, customer_id: int, now: datetime, suspend: bool) -> Callable[[Session], str]:
    action = customers_svc.suspend_customer if suspend else customers_svc.activate_customer

    def work(session: Session) -> str:
        action(session, customer_id, now=now, reason=f"dashboard: {staff.email}"[:200],
               operator_id=staff.operator_id)
        return "Suspended." if suspend else "Reactivated."

    return work


@router.post("/customers/{customer_id}/suspend")
def suspend(request: Request, customer_id: int, staff: ActorDep, runtime: RuntimeDep) -> Response:
    """Suspend the customer by hand."""
    return _act(request, runtime, customer_id, _status_change(staff, customer_id, runtime.clock(), True))


@router.post("/customers/{customer_id}/reactivate")
def reactivate(request: Request, customer_id: int, staff: ActorDep, runtime: RuntimeDep) -> Response:
    """Reactivate the customer by hand."""
    return _act(request, runtime, customer_id, _status_change(staff, customer_id, runtime.clock(), False))


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.strip().replace(",", ""))
    except InvalidOperation as exc:
        raise ValidationError("The amount must be a number.", field="amount") from exc


@dataclass(frozen=True)
class PaymentForm:
    """The record-payment form as posted."""

    amount: str
    method: str
    reference: str
    idempotency_key: str
    lift: bool


def _pay(staff: Staff, customer_id: int, now: datetime, form: PaymentForm) -> Callable[[Session], str]:
    def work(session: Session) -> str:
        data = PaymentCreate(customer_id=customer_id, amount=_amount(form.amount), method=form.method,
                             reference=form.reference.strip() or None, note=f"dashboard: {staff.email}",
                             idempotency_key=form.idempotency_key or None)
        paid = record_payment(session, data=data, now=now, operator_id=staff.operator_id)
        done = f"Payment of {paid.amount} {paid.currency} recorded."
        found = customers_svc.get_customer(session, customer_id, operator_id=staff.operator_id)
        if form.lift and found.status is CustomerStatus.SUSPENDED:
            customers_svc.activate_customer(session, customer_id, now=now, reason="payment recorded",
                                            operator_id=staff.operator_id)
            done += " Suspension lifted."
        return done

    return work


async def payment_form(request: Request) -> PaymentForm:
    """The posted record-payment form."""
    form = await request.form()

    def text(name: str, default: str = "") -> str:
        value = form.get(name, default)
        return value if isinstance(value, str) else default

    return PaymentForm(text("amount"), text("method", "cash"), text("reference"), text("idempotency_key"),
                       text("lift") == "on")


@router.post("/customers/{customer_id}/payments")
def payment(request: Request, customer_id: int, staff: ActorDep, runtime: RuntimeDep,
            form: Annotated[PaymentForm, Depends(payment_form)]) -> Response:
    """Record a payment; ``lift`` also ends a manual suspension (one for debt ends by itself once paid)."""
    now = runtime.clock()
    return _act(request, runtime, customer_id, _pay(staff, customer_id, now, form))
