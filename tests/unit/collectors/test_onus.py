"""The ONU upsert both OLT families write through: only observed columns change, optics readings
leave a sample, serials are stored upper case and link the customer with that serial, PON ports
are counted, and a column that is not an ONU's is refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.enums import DeviceKind, OnuStatus, Vendor
from collectors.models import Device, Onu, OnuOpticsSample, PonPort
from collectors.onus import OnuReading, upsert_onus
from tests import factories as f


def olt(session: Session) -> int:
    device = Device(name="olt-t", kind=DeviceKind.OLT, vendor=Vendor.HUAWEI, host="127.0.0.1", details={},
                    created_at=f.NOW)
    session.add(device)
    session.flush()
    return device.id


def test_observed_columns_samples_links_and_pon_counts(session: Session) -> None:
    olt_id = olt(session)
    # billing stores serials upper case; a collector may read one in lower case
    customer = f.customer(session, f.operator(session), f.package(session), onu_serial="HWTC0000ABCD")
    first = [OnuReading("0/0/1", 1, {"serial": "hwtc0000abcd", "status": OnuStatus.ONLINE, "rx_dbm": -21.5}),
             OnuReading("0/0/1", 2, {"serial": "HWTC0000FFFF", "status": OnuStatus.OFFLINE, "rx_dbm": None})]
    assert upsert_onus(session, olt_id, first, now=f.NOW) == 6
    upsert_onus(session, olt_id, [OnuReading("0/0/1", 1, {"distance_m": 1200})], now=f.NOW)  # e.g. SSH only
    fresh = select(Onu).where(Onu.olt_id == olt_id).execution_options(populate_existing=True)
    onus = {o.onu_index: o for o in session.scalars(fresh)}
    assert (onus[1].serial, onus[1].rx_dbm, onus[1].distance_m) == ("HWTC0000ABCD", -21.5, 1200)
    assert onus[1].customer_id == customer.id and onus[2].customer_id is None
    assert onus[1].last_seen_at == f.NOW and onus[2].last_seen_at is None
    samples = session.scalars(select(OnuOpticsSample.onu_id)).all()
    assert sorted(samples) == sorted([onus[1].id, onus[2].id]), "one sample per optics reading, none after"
    port = session.scalars(select(PonPort).where(PonPort.olt_id == olt_id)).one()
    assert (port.name, port.onus_total, port.onus_online) == ("0/0/1", 2, 1)


def test_a_column_that_is_not_an_onus_is_refused() -> None:
    with pytest.raises(ValueError, match="not an ONU column: password"):
        OnuReading("0/0/1", 1, {"password": "x"})
