"""v1 customers (reads)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api import queries
from api.deps import PageDep, SessionDep, V1Client, guard
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id, ListOut, page_out
from api.schemas.customers import V1CustomerRead

router = APIRouter(prefix="/api/v1/customers", tags=["customers v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.BILLING))])


@router.get("")
def list_customers(session: SessionDep, principal: V1Client, paging: PageDep) -> ListOut[V1CustomerRead]:
    """All customers (paginated)."""
    page = queries.list_customers(session, operator_id=principal.operator_id, page=paging.page,
                                  per_page=paging.per_page)
    return page_out(page, V1CustomerRead.of)


@router.get("/{customer_id}")
def get_customer(customer_id: Id, session: SessionDep, principal: V1Client) -> DataOut[V1CustomerRead]:
    """One customer by id."""
    customer = queries.get_customer(session, customer_id, operator_id=principal.operator_id)
    return DataOut(data=V1CustomerRead.of(customer))
