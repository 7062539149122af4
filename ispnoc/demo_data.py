"""The demo ISP: two operators, a package range and customers with a realistic mix of paid,
overdue, partly paid, prepaid and exempt accounts, built through the billing services over three
months of simulated time (so every bill, payment and ledger entry is what the services made)."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from billing import bills, customers, operators, packages, payments
from billing.models import Customer, Operator, Package
from store.db import session_scope

T = TypeVar("T")

FIRST = ("Rafiq", "Fatima", "Karim", "Nusrat", "Tanvir", "Sadia", "Arif", "Shirin", "Imran", "Ayesha",
         "Mahmud", "Farzana", "Sohel", "Rumana", "Jahid", "Tahmina", "Habib", "Sharmin", "Rezaul", "Lima")
LAST = ("Ahmed", "Begum", "Hossain", "Rahman", "Islam", "Chowdhury", "Khan", "Akter", "Uddin", "Sarker")
AREAS = ("Dhanmondi", "Gulshan", "Mirpur", "Uttara", "Banani", "Mohammadpur", "Bashundhara", "Agrabad")

# What share of the customers falls into each story (the rest are postpaid and pay on time).
MIX: tuple[tuple[str, float], ...] = (
    ("overdue", 0.15), ("long_overdue", 0.05), ("partial", 0.05), ("credit", 0.05),
    ("never_suspend", 0.03), ("promise", 0.02), ("prepaid_valid", 0.05), ("prepaid_expired", 0.05),
)


def build(cls: type[T], **values: Any) -> T:
    """``cls(**values)`` keeping only the fields the service's input dataclass declares."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    return cls(**{k: v for k, v in values.items() if k in names})


@dataclass
class DemoIsp:
    """What was built: ids by story, and the counts the demo shows."""

    operator_ids: list[int] = field(default_factory=list)
    package_ids: dict[str, int] = field(default_factory=dict)
    stories: dict[int, str] = field(default_factory=dict)
    bills: int = 0
    payments: int = 0

    def story_counts(self) -> Counter[str]:
        return Counter(self.stories.values())


def month_start(day: date, back: int) -> date:
    """The first day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def at(day: date, hour: int = 9) -> datetime:
    """A UTC instant on ``day``."""
    return datetime.combine(day, time(hour), tzinfo=UTC)


def stories(n: int, rng: random.Random) -> list[str]:
    """One story per customer, in the MIX proportions, shuffled."""
    out: list[str] = []
    for name, share in MIX:
        out += [name] * round(n * share)
    out += ["paid"] * max(0, n - len(out))
    rng.shuffle(out)
    return out[:n]


def _operators(session: Session, now: datetime) -> list[Operator]:
    main = operators.create_operator(session, data=build(
        operators.OperatorCreate, name="Dhaka Fiber Net", email="noc@dhakafiber.example",
        phone="+8801711000000", timezone="Asia/Dhaka", currency="BDT", grace_days=3, invoice_prefix="DFN",
    ), now=now)
    reseller = operators.create_operator(session, data=build(
        operators.OperatorCreate, name="Agrabad Air (reseller)", email="billing@agrabadair.example",
        phone="+8801811000000", timezone="Asia/Dhaka", currency="BDT", grace_days=5, invoice_prefix="AGA",
        credit_limit=Decimal("10000.00"),
    ), now=now)
    return [main, reseller]


PACKAGES: tuple[dict[str, Any], ...] = (
    dict(name="Home 10 Mbps", service_type="pppoe", speed_down_kbps=10_000, speed_up_kbps=5_000,
         price=Decimal("500.00"), router_profile="10M"),
    dict(name="Home 20 Mbps", service_type="pppoe", speed_down_kbps=20_000, speed_up_kbps=10_000,
         price=Decimal("800.00"), router_profile="20M"),
    dict(name="Fiber 50 Mbps", service_type="fiber", speed_down_kbps=50_000, speed_up_kbps=50_000,
         price=Decimal("1500.00"), router_profile="50M"),
    dict(name="Hotspot 30 days", service_type="hotspot", speed_down_kbps=5_000, speed_up_kbps=2_000,
         price=Decimal("300.00"), router_profile="5M"),
    dict(name="Business 100 Mbps", service_type="static", speed_down_kbps=100_000, speed_up_kbps=100_000,
         price=Decimal("5000.00"), router_profile="100M", grace_days=7),
)


def _packages(session: Session, now: datetime) -> list[Package]:
    return [packages.create_package(session, data=build(
        packages.PackageCreate, currency="BDT", validity_days=30, suspended_profile="suspended", **spec,
    ), now=now) for spec in PACKAGES]


def _customer(session: Session, n: int, story: str, ctx: _Ctx) -> Customer:
    rng = ctx.rng
    postpaid = ctx.pkgs[:3] + [ctx.pkgs[4]] * (n % 9 == 0)  # a business line now and then
    pkg = ctx.pkgs[3] if story.startswith("prepaid") else rng.choice(postpaid)
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    op = ctx.ops[1] if n % 5 == 0 else ctx.ops[0]
    created = ctx.valid_from if story == "prepaid_valid" else ctx.t0
    access: dict[str, Any] = dict(
        connection_type=pkg.service_type, username=f"{name.split()[0].lower()}{n:04d}", secret=f"pw{n:06d}x",
        router_id=1 + n % 3, onu_serial=f"HWTC{n:08X}" if pkg.service_type == "fiber" else None,
        static_ip=f"10.50.{n // 250}.{n % 250 + 2}" if pkg.service_type == "static" else None)
    if n <= len(ctx.bindings):
        pkg, access = _bound(ctx.bindings[n - 1], story, ctx.pkgs, rng)
    return customers.create_customer(session, data=build(
        customers.CustomerCreate, operator_id=op.id, package_id=pkg.id, name=name,
        email=f"{name.split()[0].lower()}{n}@mail.example", phone=f"+88017{n:08d}",
        address=f"House {rng.randint(1, 90)}, Road {rng.randint(1, 30)}, {rng.choice(AREAS)}",
        billing_type="prepaid" if story.startswith("prepaid") else "postpaid",
        never_suspend=story == "never_suspend", **access,
    ), now=created)


@dataclass(frozen=True)
class Binding:
    """A simulated subscriber (and maybe an ONU) that one demo customer is: same username, secret,
    router and serial, so suspension and the collectors reach the simulated network."""

    username: str
    secret: str
    router_id: int
    service: str
    static_ip: str | None = None
    onu_serial: str | None = None


def _bound(b: Binding, story: str, pkgs: list[Package], rng: random.Random) -> tuple[Package, dict[str, Any]]:
    """The package and access columns of a customer bound to a simulated subscriber."""
    if b.service == "hotspot":
        pkg = pkgs[3]
    elif b.onu_serial:
        pkg = pkgs[2]
    elif b.static_ip and not story.startswith("prepaid"):
        pkg = pkgs[4]
    else:
        pkg = rng.choice(pkgs[:2])
    access = dict(connection_type=b.service, username=b.username, secret=b.secret, router_id=b.router_id,
                  onu_serial=b.onu_serial, static_ip=b.static_ip)
    return pkg, access


@dataclass
class _Ctx:
    rng: random.Random
    ops: list[Operator]
    pkgs: list[Package]
    t0: datetime
    valid_from: datetime
    bindings: Sequence[Binding] = ()


# How much of each month's bill a story pays: (older month, last month); None = nothing.
PAYS: dict[str, tuple[str | None, str | None]] = {
    "paid": ("full", "full"), "overdue": ("full", None), "long_overdue": (None, None),
    "partial": ("full", "half"), "credit": ("full", "double"), "never_suspend": ("full", None),
    "promise": ("full", None),
}
METHODS = ("cash", "bkash", "nagad", "bank")


def _pay(session: Session, customer: Customer, how: str | None, period: str, paid_on: datetime) -> bool:
    if how is None:
        return False
    price = customer.package.price
    amount = {"full": price, "half": (price / 2).quantize(Decimal("0.01")), "double": price * 2}[how]
    payments.record_payment(session, data=build(
        payments.PaymentCreate, customer_id=customer.id, amount=amount,
        method=METHODS[customer.id % len(METHODS)], reference=f"DEMO-{period}-{customer.id}",
    ), now=paid_on)
    return True


def build_demo_isp(sessions: sessionmaker[Session], *, now: datetime, customers_n: int,
                   due_days: int = 10, seed: int = 7, bindings: Sequence[Binding] = ()) -> DemoIsp:
    """Create the demo ISP over two billing months ending at ``now`` (one transaction a step); the
    first customers are the simulated subscribers in ``bindings``."""
    today = now.date()
    older, last = month_start(today, 2), month_start(today, 1)
    t0 = at(older - timedelta(days=5))
    isp = DemoIsp()
    with session_scope(sessions) as session:
        ops, pkgs = _operators(session, t0), _packages(session, t0)
        isp.operator_ids = [o.id for o in ops]
        isp.package_ids = {p.name: p.id for p in pkgs}
        ctx = _Ctx(random.Random(seed), ops, pkgs, t0, now - timedelta(days=10), bindings)
        for n, story in enumerate(stories(customers_n, ctx.rng), start=1):
            isp.stories[_customer(session, n, story, ctx).id] = story
    for back, month in ((0, older), (1, last)):
        period = f"{month:%Y-%m}"
        with session_scope(sessions) as session:
            run = bills.generate_bills(session, now=at(month), period=period, due_days=due_days)
            isp.bills += run.created
        with session_scope(sessions) as session:
            isp.payments += _pay_month(session, isp, back, period, at(month + timedelta(days=5)))
    _promise(sessions, isp, now)
    return isp


def _pay_month(session: Session, isp: DemoIsp, back: int, period: str, paid_on: datetime) -> int:
    count = 0
    for customer_id, story in isp.stories.items():
        how = PAYS.get(story, (None, None))[back]
        customer = session.get(Customer, customer_id)
        if customer is not None and _pay(session, customer, how, period, paid_on):
            count += 1
    return count


def _promise(sessions: sessionmaker[Session], isp: DemoIsp, now: datetime) -> None:
    """The promise-to-pay customers called in: they pay within the week."""
    promised = now.date() + timedelta(days=5)
    update: Callable[..., Any] = customers.update_customer
    with session_scope(sessions) as session:
        for customer_id, story in isp.stories.items():
            if story == "promise":
                change = build(customers.CustomerUpdate, promise_to_pay_until=promised)
                update(session, customer_id, data=change, now=now)
