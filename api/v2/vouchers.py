"""v2 vouchers over billing.vouchers (B2): generate a batch (resource-intensive) and activate one."""

from __future__ import annotations

from fastapi import APIRouter, Depends

import billing.vouchers as svc
from api.deps import NowDep, SessionDep, V2Client, guard, intensive
from api.models import ApiVersion
from api.permissions import Area
from api.runtime import PushDep
from api.schemas.catalog import VoucherActivateIn, VoucherGenerateIn, VoucherRead
from api.schemas.common import ERRORS, DataOut, many

router = APIRouter(prefix="/api/v2/vouchers", tags=["vouchers v2"], responses=ERRORS,
                   dependencies=[Depends(guard(ApiVersion.V2, Area.BILLING))])


@router.post("/generate", status_code=201, dependencies=[Depends(intensive)])
def generate(body: VoucherGenerateIn, session: SessionDep, principal: V2Client,
             now: NowDep) -> DataOut[list[VoucherRead]]:
    """Generate ``quantity`` recharge cards for a package (10 a minute per client)."""
    cards = svc.generate_vouchers(session, package_id=body.package_id, quantity=body.quantity, now=now,
                                  operator_id=principal.operator_id or body.operator_id)
    return DataOut(data=many(cards, VoucherRead.of))


@router.post("/activate")
def activate(body: VoucherActivateIn, session: SessionDep, principal: V2Client, now: NowDep,
             push: PushDep) -> DataOut[VoucherRead]:
    """Use a recharge card for the customer with this phone (or id); a renewal reaches the router at once."""
    card = svc.activate_voucher(session, code=body.code, phone=body.phone, customer_id=body.customer_id,
                                now=now, operator_id=principal.operator_id)
    push.after_commit(card.activated_by_id)
    return DataOut(data=VoucherRead.of(card))
