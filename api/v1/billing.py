"""v1 billing lists: invoices, bills, subscriptions, payments, operators, recharge cards."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import queries
from api.deps import PageDep, SessionDep, V1Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.billing import BillRead, InvoiceRead, PaymentRead, SubscriptionRead
from api.schemas.catalog import VoucherRead
from api.schemas.common import ERRORS, ListOut, page_out
from api.schemas.operators import OperatorRead

router = APIRouter(prefix="/api/v1", tags=["billing v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.BILLING))])


@router.get("/invoices")
def list_invoices(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[InvoiceRead]:
    """All invoices (bills with their numbers and what is paid)."""
    page = queries.list_bills(session, operator_id=principal.operator_id, page=paging.page,
                              per_page=paging.per_page)
    return page_out(page, InvoiceRead.of)


@router.get("/bills")
def list_bills(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[BillRead]:
    """All bills."""
    page = queries.list_bills(session, operator_id=principal.operator_id, page=paging.page,
                              per_page=paging.per_page)
    return page_out(page, BillRead.of)


@router.get("/subscriptions")
def list_subscriptions(session: SessionDep, principal: V1Client,
                       paging: PageDep) -> ListOut[SubscriptionRead]:
    """All subscriptions."""
    page = queries.list_subscriptions(session, operator_id=principal.operator_id, page=paging.page,
                                      per_page=paging.per_page)
    return page_out(page, SubscriptionRead.of)


@router.get("/payments")
def list_payments(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[PaymentRead]:
    """All payments."""
    page = queries.list_payments(session, operator_id=principal.operator_id, page=paging.page,
                                 per_page=paging.per_page)
    return page_out(page, PaymentRead.of)


@router.get("/operators")
def list_operators(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[OperatorRead]:
    """All operators (a scoped caller sees its own)."""
    page = queries.list_operators(session, operator_id=principal.operator_id, page=paging.page,
                                  per_page=paging.per_page)
    return page_out(page, OperatorRead.of)


@router.get("/recharge-cards")
def list_recharge_cards(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[VoucherRead]:
    """All recharge cards."""
    page = queries.list_vouchers(session, operator_id=principal.operator_id, page=paging.page,
                                 per_page=paging.per_page)
    return page_out(page, VoucherRead.of)
