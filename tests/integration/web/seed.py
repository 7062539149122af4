"""A small ISP for the dashboard tests: billing through the services, the network in the collector tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from billing.bills import BillCreate, create_bill
from billing.customers import CustomerCreate, create_customer
from billing.enums import RunStatus, SuspensionAction
from billing.models import SuspensionLog, SuspensionRun
from billing.operators import OperatorCreate, create_operator
from billing.packages import PackageCreate, create_package
from billing.staff import StaffCreate, create_staff_user
from collectors import enums as ce
from collectors import models as cm

PASSWORD = "correct-horse-battery"
ADMIN, READER = "noc-admin@example.net", "viewer@example.net"
LOW_SERIAL = "HWTC0LOW0001"


@dataclass(frozen=True)
class RouterLink:
    """The simulated router a seeded customer lives on, and their PPP secret there."""

    host: str
    port: int
    username: str
    secret: str
    profile: str


@dataclass(frozen=True)
class Seeded:
    """Ids the tests look for."""

    customer_id: int
    other_id: int
    router_id: int
    olt_id: int
    low_onu_id: int


def _device(session: Session, name: str, kind: ce.DeviceKind, vendor: ce.Vendor, **kw: Any) -> cm.Device:
    now: datetime = kw["now"]
    link: RouterLink | None = kw.get("link")
    status: ce.DeviceStatus = kw.get("status", ce.DeviceStatus.UP)
    device = cm.Device(name=name, kind=kind, vendor=vendor, host=link.host if link else "192.0.2.1",
                       api_port=link.port if link else None, username="admin", password_enc="admin",
                       enabled=True, status=status, created_at=now, last_success_at=now, site="Dhaka-1")
    session.add(device)
    session.flush()
    return device


def _onus(session: Session, olt: cm.Device, customer_id: int, *, now: datetime) -> cm.Onu:
    rows = [("0/1", 1, "ZTEG00000001", ce.OnuStatus.ONLINE, -19.5, None),
            ("0/1", 2, LOW_SERIAL, ce.OnuStatus.ONLINE, -29.4, customer_id),
            ("0/1", 3, "ZTEG00000003", ce.OnuStatus.OFFLINE, None, None)]
    onus = [cm.Onu(olt_id=olt.id, pon=pon, onu_index=i, serial=serial, status=status, rx_dbm=rx, tx_dbm=2.1,
                   customer_id=cid, updated_at=now, last_seen_at=now, description=f"onu {i}")
            for pon, i, serial, status, rx, cid in rows]
    session.add_all(onus)
    session.flush()
    low = onus[1]
    session.add_all(cm.OnuOpticsSample(onu_id=low.id, at=now - timedelta(hours=h),
                                       rx_dbm=-26.0 - (12 - h) * 0.3, tx_dbm=2.1) for h in range(12, 0, -1))
    return low


def _network(session: Session, router: cm.Device, customer_id: int, username: str, *, now: datetime) -> None:
    session.add_all(cm.DeviceSample(device_id=router.id, at=now - timedelta(minutes=10 * k), metric="cpu",
                                    value=10.0 + k % 7) for k in range(30))
    session.add(cm.InterfaceStat(device_id=router.id, name="ether1", running=True, rx_bytes=10**9,
                                 tx_bytes=2 * 10**9, rx_bps=1.5e6, tx_bps=3e6, sampled_at=now))
    session.add(cm.SubscriberSession(device_id=router.id, kind=ce.SessionKind.PPP, router_ref="*1",
                                     username=username, customer_id=customer_id, address="10.20.0.5",
                                     started_at=now - timedelta(hours=3), last_seen_at=now))
    session.add_all(cm.UsageDaily(customer_id=customer_id, day=(now - timedelta(days=d)).date(),
                                  bytes_in=d * 10**8, bytes_out=3 * d * 10**8) for d in range(1, 8))
    session.add(cm.ZabbixProblem(server_id=router.id, eventid="9001", triggerid="77",
                                 name="High CPU on rtr-1", severity=4, started_at=now - timedelta(hours=1)))
    session.add(cm.CollectionRun(family=ce.SourceKind.MIKROTIK, started_at=now - timedelta(minutes=5),
                                 finished_at=now - timedelta(minutes=5) + timedelta(seconds=2.5), devices=1,
                                 failed=0, values=40))
    session.add(cm.PppAuthLog(device_id=router.id, at=now - timedelta(hours=3),
                              message=f"{username} logged in", event=ce.PppEvent.CONNECTED,
                              username=username, customer_id=customer_id))
    session.add(cm.HotspotLog(device_id=router.id, at=now - timedelta(hours=2), message="guest1 login failed",
                              event=ce.HotspotEvent.LOGIN_FAILED, username="guest1"))
    session.add(cm.RouterLog(device_id=router.id, at=now - timedelta(hours=1), message="ether2 link down",
                             topics="interface,info"))
    session.add(cm.AccessLog(device_id=router.id, at=now - timedelta(minutes=30), user="admin",
                             address="192.0.2.50", via="winbox", event="login",
                             message="user admin logged in from 192.0.2.50 via winbox"))


def _staff(session: Session, *, now: datetime) -> None:
    for email, role in ((ADMIN, "admin"), (READER, "read-only")):
        create_staff_user(session, data=StaffCreate(email=email, name=email.split("@")[0], password=PASSWORD,
                                                    role=role), now=now)


def seed(session: Session, *, now: datetime, link: RouterLink | None = None) -> Seeded:
    """Staff, an operator, a package, two customers (one overdue) and their network."""
    _staff(session, now=now)
    op = create_operator(session, data=OperatorCreate(name="Dhaka Fiber", invoice_prefix="DF"), now=now)
    pkg = create_package(session, data=PackageCreate(
        name="Home 20M", service_type="pppoe", speed_down_kbps=20_000, speed_up_kbps=10_000,
        price=Decimal("1000.00"), router_profile=link.profile if link else "20M",
        suspended_profile="suspended"), now=now)
    router = _device(session, "rtr-1", ce.DeviceKind.ROUTER, ce.Vendor.MIKROTIK, now=now, link=link)
    olt = _device(session, "olt-1", ce.DeviceKind.OLT, ce.Vendor.ZTE, now=now)
    _device(session, "ap-north", ce.DeviceKind.RADIO, ce.Vendor.UBIQUITI, now=now,
            status=ce.DeviceStatus.DOWN)
    username = link.username if link else "rahim"
    customer = create_customer(session, data=CustomerCreate(
        operator_id=op.id, package_id=pkg.id, name="Rahim Uddin", phone="01712345678", username=username,
        secret=link.secret if link else "pw-rahim-1", router_id=router.id, onu_serial=LOW_SERIAL), now=now)
    other = create_customer(session, data=CustomerCreate(
        operator_id=op.id, package_id=pkg.id, name="Karim Mia", phone="01812345678", username="karim",
        secret="pw-karim-1"), now=now)
    due = (now - timedelta(days=20)).date()
    create_bill(session, data=BillCreate(customer_id=customer.id, amount=Decimal("1000.00"), due_date=due),
                now=now - timedelta(days=30))
    low = _onus(session, olt, customer.id, now=now)
    _network(session, router, customer.id, username, now=now)
    run = SuspensionRun(started_at=now - timedelta(hours=6), finished_at=now - timedelta(hours=6),
                        status=RunStatus.COMPLETED, trigger="cron", suspended=3, reactivated=1, applied=4,
                        failed=0)
    session.add(run)
    session.flush()
    session.add(SuspensionLog(run_id=run.id, customer_id=other.id, action=SuspensionAction.SUSPEND,
                              reason="overdue", bill_ids=[], amount_due=Decimal("500.00"),
                              created_at=now - timedelta(hours=6)))
    session.flush()
    return Seeded(customer.id, other.id, router.id, olt.id, low.id)
