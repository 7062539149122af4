"""v2 billing reads: bills, payments, packages."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import queries
from api.deps import PageDep, SessionDep, V2Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.billing import BillRead, PaymentRead
from api.schemas.catalog import PackageRead
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out

router = APIRouter(prefix="/api/v2", tags=["billing v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.get("/billing/bills")
def list_bills(session: SessionDep, principal: V2Client, paging: PageDep) -> ListOut[BillRead]:
    """Bills, newest first."""
    page = queries.list_bills(session, operator_id=principal.operator_id, page=paging.page,
                              per_page=paging.per_page)
    return page_out(page, BillRead.of)


@router.get("/billing/bills/{bill_id}")
def get_bill(bill_id: Id, session: SessionDep, principal: V2Client) -> DataOut[BillRead]:
    """One bill."""
    return DataOut(data=BillRead.of(queries.get_bill(session, bill_id, operator_id=principal.operator_id)))


@router.get("/billing/payments")
def list_payments(session: SessionDep, principal: V2Client, paging: PageDep) -> ListOut[PaymentRead]:
    """Payments, newest first."""
    page = queries.list_payments(session, operator_id=principal.operator_id, page=paging.page,
                                 per_page=paging.per_page)
    return page_out(page, PaymentRead.of)


@router.get("/payments/{payment_id}")
def get_payment(payment_id: Id, session: SessionDep, principal: V2Client) -> DataOut[PaymentRead]:
    """One payment."""
    payment = queries.get_payment(session, payment_id, operator_id=principal.operator_id)
    return DataOut(data=PaymentRead.of(payment))


@router.get("/packages")
def list_packages(session: SessionDep, principal: V2Client, paging: PageDep) -> ListOut[PackageRead]:
    """Packages (shared and the caller's operator's own)."""
    page = queries.list_packages(session, operator_id=principal.operator_id, page=paging.page,
                                 per_page=paging.per_page)
    return page_out(page, PackageRead.of)


@router.get("/packages/{package_id}")
def get_package(package_id: Id, session: SessionDep, principal: V2Client) -> DataOut[PackageRead]:
    """One package."""
    package = queries.get_package(session, package_id, operator_id=principal.operator_id)
    return DataOut(data=PackageRead.of(package))
