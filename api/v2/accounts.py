"""v2 balance statement (billing.statements, B2) and operator <-> customer funds (billing.funds, B2)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

import billing.funds as funds
import billing.statements as statements
from api.deps import NowDep, SessionDep, V2Client, guard, in_scope
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.accounts import StatementRead, TransferIn, TransferRead
from api.schemas.common import ERRORS, DataOut, Day, Id

router = APIRouter(prefix="/api/v2", tags=["accounts v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.get("/customers/{customer_id}/statement")
def statement(customer_id: Id, session: SessionDep, principal: V2Client, now: NowDep,
              start: Annotated[Day | None, Query(alias="from")] = None,
              end: Annotated[Day | None, Query(alias="to")] = None) -> DataOut[StatementRead]:
    """Opening balance, payments, adjustments, charges and closing balance (default: this month)."""
    end = end or now.date()
    start = start or end.replace(day=1)
    st = statements.customer_statement(session, customer_id, start=start, end=end,
                                       operator_id=principal.operator_id)
    return DataOut(data=StatementRead(customer_id=customer_id, start=start, end=end,
                                      opening_balance=st.opening_balance, payments=st.payments,
                                      adjustments=st.adjustments, charges=st.charges,
                                      closing_balance=st.closing_balance))


@router.put("/operators/{operator_id}/funds/transfer")
def transfer(operator_id: Id, body: TransferIn, session: SessionDep, principal: V2Client,
             now: NowDep) -> DataOut[TransferRead]:
    """Move money between an operator's fund and one of its customers (a scoped client: its own)."""
    in_scope(principal, operator_id)
    moved = funds.transfer(session, operator_id=operator_id, customer_id=body.customer_id, amount=body.amount,
                           direction=body.direction, description=body.description, now=now)
    return DataOut(data=TransferRead(customer_balance=moved.customer_balance,
                                     customer_credit_limit=moved.customer_credit_limit,
                                     operator_fund_balance=moved.operator_fund_balance))
