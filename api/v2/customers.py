"""v2 customers: read a customer and what hangs off it (bills, payments, subscriptions, usage)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from api import queries
from api.deps import NowDep, PageDep, SessionDep, V2Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.billing import BillRead, PaymentRead, SubscriptionRead
from api.schemas.common import ERRORS, DataOut, Day, Id, ListOut, json_response, page_out
from api.schemas.customers import CustomerRead
from api.schemas.usage import UsageRead
from billing.enums import CustomerStatus

router = APIRouter(prefix="/api/v2/customers", tags=["customers v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.get("", response_model=ListOut[CustomerRead])
def list_customers(session: SessionDep, principal: V2Client, paging: PageDep,
                   status: Annotated[CustomerStatus | None, Query(description="only this status")] = None,
                   ) -> Response:
    """Customers, paginated."""
    page = queries.list_customers(session, operator_id=principal.operator_id, status=status,
                                  page=paging.page, per_page=paging.per_page)
    return json_response(page_out(page, CustomerRead.of))


@router.get("/{customer_id}")
def get_customer(customer_id: Id, session: SessionDep, principal: V2Client) -> DataOut[CustomerRead]:
    """One customer."""
    return DataOut(data=CustomerRead.of(queries.get_customer(session, customer_id,
                                                              operator_id=principal.operator_id)))


@router.get("/{customer_id}/bills")
def customer_bills(customer_id: Id, session: SessionDep, principal: V2Client,
                   paging: PageDep) -> ListOut[BillRead]:
    """A customer's bills, newest first."""
    page = queries.list_bills(session, operator_id=principal.operator_id, customer_id=customer_id,
                              page=paging.page, per_page=paging.per_page)
    return page_out(page, BillRead.of)


@router.get("/{customer_id}/payments")
def customer_payments(customer_id: Id, session: SessionDep, principal: V2Client,
                      paging: PageDep) -> ListOut[PaymentRead]:
    """A customer's payments, newest first."""
    page = queries.list_payments(session, operator_id=principal.operator_id, customer_id=customer_id,
                                 page=paging.page, per_page=paging.per_page)
    return page_out(page, PaymentRead.of)


@router.get("/{customer_id}/subscriptions")
def customer_subscriptions(customer_id: Id, session: SessionDep, principal: V2Client,
                           paging: PageDep) -> ListOut[SubscriptionRead]:
    """A customer's subscriptions, newest first."""
    page = queries.list_subscriptions(session, operator_id=principal.operator_id, customer_id=customer_id,
                                      page=paging.page, per_page=paging.per_page)
    return page_out(page, SubscriptionRead.of)


@router.get("/{customer_id}/usage")
def customer_usage(customer_id: Id, session: SessionDep, principal: V2Client, now: NowDep,
                   start: Annotated[Day | None, Query(alias="from")] = None,
                   end: Annotated[Day | None, Query(alias="to")] = None) -> DataOut[UsageRead]:
    """Daily traffic for a period (default: the last 30 days)."""
    end = end or now.date()
    start = start or end - timedelta(days=29)
    rows = queries.customer_usage(session, customer_id, start=start, end=end,
                                  operator_id=principal.operator_id)
    return DataOut(data=UsageRead.of(customer_id, start, end, rows))
