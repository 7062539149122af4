"""v1 operator writes over billing.operators (B1) and billing.funds (B2); admin only (unscoped)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

import billing.funds as funds
import billing.operators as operators
from api.deps import NowDep, SessionDep, guard
from api.inputs import build
from api.models import ApiVersion
from api.permissions import Area
from api.schemas.common import ERRORS, DataOut, Id
from api.schemas.operators import FundIn, OperatorCreateIn, OperatorRead, OperatorUpdateIn

router = APIRouter(prefix="/api/v1/operators", tags=["operators v1"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V1, Area.ADMIN))])


@router.post("", status_code=201)
def create_operator(body: OperatorCreateIn, session: SessionDep, now: NowDep) -> DataOut[OperatorRead]:
    """Create an operator (reseller)."""
    operator = operators.create_operator(session, data=build(operators.OperatorCreate, body), now=now)
    return DataOut(data=OperatorRead.of(operator))


@router.put("/{operator_id}")
def update_operator(operator_id: Id, body: OperatorUpdateIn, session: SessionDep,
                    now: NowDep) -> DataOut[OperatorRead]:
    """Change an operator's details."""
    operator = operators.update_operator(session, operator_id, data=build(operators.OperatorUpdate, body),
                                         now=now)
    return DataOut(data=OperatorRead.of(operator))


@router.post("/{operator_id}/suspend")
def suspend_operator(operator_id: Id, session: SessionDep, now: NowDep) -> DataOut[OperatorRead]:
    """Suspend an operator."""
    operator = operators.suspend_operator(session, operator_id, now=now)
    return DataOut(data=OperatorRead.of(operator))


@router.post("/{operator_id}/fund")
def fund_operator(operator_id: Id, body: FundIn, session: SessionDep,
                  now: NowDep) -> DataOut[OperatorRead]:
    """Add money to an operator's fund."""
    operator = funds.top_up(session, operator_id, amount=body.amount, description=body.description, now=now)
    return DataOut(data=OperatorRead.of(operator))
