"""The dashboard in headless Chromium (Debian's ``chromium``, driven by Playwright): log in, read the
overview, find the ONU with low optics, open its customer, suspend them and see the simulated
router's PPP secret move to the suspended profile, record a payment and see it moved back.

The app runs under uvicorn on 127.0.0.1 (a free port, in a thread) on a real SQLite store seeded
through the billing services and the collector tables; the customer's router is the simulated
RouterOS API server, reached through the same post-commit push ``ispnoc serve`` wires in."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from argon2 import PasswordHasher
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from device_fixtures.routeros.server import serve_routeros
from device_fixtures.routeros.state import RouterState, SubscriberKind
from device_fixtures.routeros.subscribers import build_router
from ispnoc.enforcers import wire_push
from store.db import session_scope
from store.types import utcnow
from tests.integration.api.conftest import make_settings
from tests.integration.web.seed import ADMIN, LOW_SERIAL, PASSWORD, RouterLink, seed

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path("/tmp")  # for the README: dashboard.png (overview), -onu.png, -customer.png

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian's chromium is not installed (/usr/bin/chromium): .ci/run installs it"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="playwright is not installed (pip install -e '.[dev]')"),
]


@dataclass
class Router:
    """The simulated router and the PPPoE subscriber the seeded customer is."""

    state: RouterState
    username: str
    profile: str

    def secret_profile(self) -> str:
        with self.state.lock:
            row = next(r for r in self.state.menus["/ppp/secret"] if r.get("name") == self.username)
            return str(row["profile"])

    def wait_for(self, profile: str, seconds: float = 5.0) -> str:
        """The secret's profile once it is ``profile`` (or whatever it is when time runs out)."""
        deadline = time.monotonic() + seconds
        while self.secret_profile() != profile and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.secret_profile()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread; its base URL until the block ends."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-e2e", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def router() -> Iterator[tuple[Router, RouterLink]]:
    state = build_router("rtr-e2e", 10, seed=11)
    sub = next(s for s in state.subscribers.values() if s.kind is SubscriberKind.PPPOE)
    with serve_routeros([state]) as fleet:
        link = RouterLink(fleet.host, fleet.port, sub.name, sub.password, sub.profile)
        yield Router(state, sub.name, sub.profile), link


@pytest.fixture
def base_url(session_factory: sessionmaker[Session], router: tuple[Router, RouterLink],
             monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The seeded app, its routes pushing to the simulated router after commit, served on a free port."""
    import billing.staff

    monkeypatch.setattr(billing.staff, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    with session_scope(session_factory) as session:
        seed(session, now=utcnow(), link=router[1])
    settings = make_settings()
    app = wire_push(create_app(settings, session_factory=session_factory), settings)
    with running(app) as url:
        yield url


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            tab.set_default_timeout(15_000)
            yield tab
        finally:
            browser.close()


def test_suspend_and_pay_from_the_browser(page: Any, router: tuple[Router, RouterLink]) -> None:
    from playwright.sync_api import expect

    sim = router[0]
    page.goto("/")
    expect(page).to_have_url("/login?next=%2F")
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Overview")
    expect(page.locator("#devices-up")).to_have_text("2")
    expect(page.locator("#onus-low")).to_have_text("1")
    expect(page.locator("#sessions")).to_have_text("1")
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    page.click("#onus-low a")
    expect(page.locator("#onus")).to_contain_text(LOW_SERIAL)
    page.click(f"text={LOW_SERIAL}")
    expect(page.locator("svg.chart polyline").first).to_be_attached()
    page.screenshot(path=str(SCREENSHOTS / "dashboard-onu.png"), full_page=True)
    page.click("#onu-facts >> text=Rahim Uddin")
    expect(page.locator("h1")).to_contain_text("Rahim Uddin")

    assert sim.secret_profile() == sim.profile
    page.click("#suspend")
    expect(page.locator(".flash.ok")).to_contain_text("Applied on the router.")
    expect(page.locator("#customer-status")).to_have_text("suspended")
    assert sim.wait_for("suspended") == "suspended"

    page.fill("#payment-form input[name=amount]", "1000")
    expect(page.locator("#payment-form input[name=lift]")).to_be_checked()
    page.click("#record-payment")
    expect(page.locator(".flash.ok")).to_contain_text("Suspension lifted. Applied on the router.")
    expect(page.locator("#customer-status")).to_have_text("active")
    expect(page.locator("#balance")).to_contain_text("0.00")
    assert sim.wait_for(sim.profile) == sim.profile
    page.screenshot(path=str(SCREENSHOTS / "dashboard-customer.png"), full_page=True)
