"""A result can say its device is down although it was polled and saved (every status check failed):
the runner saves it, records the device down with that reason, and counts it as failed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from collectors import base
from collectors.base import Target
from collectors.cycle import run_cycle
from collectors.enums import DeviceKind, DeviceStatus, SourceKind, Vendor
from collectors.models import Device, DeviceSample
from store.db import session_scope
from store.types import utcnow

HERE = "tests.integration.collectors.test_cycle_problem"


@dataclass(frozen=True)
class Verdict:
    """A poll's result that may name a problem with its device."""

    device_problem: str | None


class VerdictCollector:
    """The device's name says what its poll finds: ``bad-*`` devices are down."""

    family = SourceKind.STATUS

    def selects(self, device: Device) -> bool:
        return True

    async def poll(self, target: Target) -> Verdict:
        return Verdict("all 2 checks failed" if target.name.startswith("bad") else None)

    def save(self, session: Session, target: Target, result: Verdict, *, now: datetime) -> int:
        session.add(DeviceSample(device_id=target.device_id, at=now, metric="checks", value=1.0))
        return 1


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(base.FAMILIES, SourceKind.STATUS, f"{HERE}:VerdictCollector")


def test_a_saved_result_with_a_device_problem_marks_the_device_down(
    registered: None, session_factory: sessionmaker[Session],
) -> None:
    with session_scope(session_factory) as session:
        session.add_all(Device(name=name, kind=DeviceKind.RADIO, vendor=Vendor.UBIQUITI, host="127.0.0.1",
                               details={}, created_at=utcnow()) for name in ("good-1", "bad-1"))
    result = asyncio.run(run_cycle(session_factory, SourceKind.STATUS, reveal=lambda s: s or ""))
    assert (result.devices, result.failed, result.values) == (2, 1, 2)
    assert result.errors == {"bad-1": "all 2 checks failed"}
    with session_scope(session_factory) as session:
        rows = {d.name: d for d in session.scalars(select(Device))}
        samples = session.scalars(select(DeviceSample.device_id)).all()
    assert rows["good-1"].status == DeviceStatus.UP and rows["good-1"].last_error is None
    assert rows["bad-1"].status == DeviceStatus.DOWN
    assert rows["bad-1"].last_error == "all 2 checks failed"
    assert rows["bad-1"].consecutive_failures == 1
    assert sorted(samples) == sorted([rows["good-1"].id, rows["bad-1"].id]), "both results were saved"
