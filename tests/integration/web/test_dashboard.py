"""The dashboard without a browser: login, CSRF, roles, every page and the customer actions."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import select

from billing.enums import CustomerStatus, ServiceState
from billing.models import Customer, Payment
from store.db import session_scope
from tests.integration.web.conftest import Dashboard
from tests.integration.web.seed import ADMIN, LOW_SERIAL, READER


def customer(dash: Dashboard) -> Customer:
    with session_scope(dash.sessions) as session:
        found = session.get(Customer, dash.ids.customer_id)
        assert found is not None
        return found


@pytest.mark.parametrize("path", ["/", "/devices", "/onus", "/customers", "/logs", "/customers/1"])
def test_pages_need_a_login(dash: Dashboard, path: str) -> None:
    r = dash.http.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=")


def test_login_sets_an_httponly_lax_cookie_and_a_wrong_password_does_not(dash: Dashboard) -> None:
    token = dash.csrf()
    wrong = dash.http.post("/login", data={"email": ADMIN, "password": "nope-nope-nope", "csrf_token": token})
    assert wrong.status_code == 401 and "Wrong email or password" in wrong.text
    form = {"email": ADMIN, "password": "correct-horse-battery", "csrf_token": token, "next": "/onus"}
    r = dash.http.post("/login", data=form, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/onus")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert dash.http.get("/").status_code == 200


def test_login_never_redirects_off_site(dash: Dashboard) -> None:
    r = dash.http.post("/login", data={"email": ADMIN, "password": "correct-horse-battery",
                                       "csrf_token": dash.csrf(), "next": "//evil.example/"},
                       follow_redirects=False)
    assert r.headers["location"] == "/"


def test_forms_without_the_csrf_token_are_refused(dash: Dashboard) -> None:
    assert dash.http.post("/login", data={"email": ADMIN, "password": "x"}).status_code == 403
    dash.login(ADMIN)
    cid = dash.ids.customer_id
    r = dash.http.post(f"/customers/{cid}/suspend", data={"csrf_token": "forged"})
    assert r.status_code == 403
    assert customer(dash).status is CustomerStatus.ACTIVE


def test_overview_counts(dash: Dashboard) -> None:
    dash.login(ADMIN)
    page = dash.http.get("/").text
    assert 'id="devices-up"><a href="/devices?status=up">2<' in page
    assert 'id="devices-down"><a href="/devices?status=down">1<' in page
    assert 'id="onus-offline"><a href="/onus?status=offline">1<' in page
    assert 'id="onus-low"><a href="/onus?low=1">1<' in page
    assert 'id="sessions">1<' in page
    assert "<td>high</td><td class=\"num\">1</td>" in page
    assert "mikrotik" in page and "2.50 s" in page


def test_lists_filter(dash: Dashboard) -> None:
    dash.login(ADMIN)
    low = dash.http.get("/onus", params={"low": "1"}).text
    assert LOW_SERIAL in low and "ZTEG00000001" not in low
    assert "ZTEG00000003" in dash.http.get("/onus", params={"status": "offline"}).text
    radios = dash.http.get("/devices", params={"kind": "radio"}).text
    assert "ap-north" in radios and "rtr-1" not in radios
    found = dash.http.get("/customers", params={"q": "karim"}).text
    assert "Karim Mia" in found and "Rahim Uddin" not in found


def test_detail_pages_draw_charts(dash: Dashboard) -> None:
    dash.login(ADMIN)
    onu = dash.http.get(f"/onus/{dash.ids.low_onu_id}").text
    assert "<svg" in onu and "<polyline" in onu and "Rahim Uddin" in onu
    device = dash.http.get(f"/devices/{dash.ids.router_id}").text
    assert "<polyline" in device and "ether1" in device
    page = dash.http.get(f"/customers/{dash.ids.customer_id}").text
    assert "<polyline" in page and "10.20.0.5" in page and "1,000.00" in page and 'id="suspend"' in page
    assert dash.http.get("/devices/99999").status_code == 404


@pytest.mark.parametrize(("tab", "text"), [("hotspot", "guest1 login failed"), ("ppp", "logged in"),
                                           ("router", "ether2 link down"), ("access", "winbox"),
                                           ("suspension", "Karim Mia")])
def test_log_tabs(dash: Dashboard, tab: str, text: str) -> None:
    dash.login(ADMIN)
    assert text in dash.http.get("/logs", params={"tab": tab}).text
    later = dash.http.get("/logs", params={"tab": tab, "since": "2026-05-15T13:00"}).text
    assert text not in later
    assert text not in dash.http.get("/logs", params={"tab": tab, "q": "no-such-thing"}).text


def test_read_only_staff_see_no_buttons_and_cannot_act(dash: Dashboard) -> None:
    dash.login(READER)
    cid = dash.ids.customer_id
    page = dash.http.get(f"/customers/{cid}").text
    assert 'id="suspend"' not in page and 'id="record-payment"' not in page
    token = dash.csrf(f"/customers/{cid}")
    assert dash.http.post(f"/customers/{cid}/suspend", data={"csrf_token": token}).status_code == 403
    r = dash.http.post(f"/customers/{cid}/payments", data={"csrf_token": token, "amount": "10"})
    assert r.status_code == 403
    assert customer(dash).status is CustomerStatus.ACTIVE


def test_suspend_then_pay_and_lift(dash: Dashboard) -> None:
    dash.login(ADMIN)
    cid = dash.ids.customer_id
    token = dash.csrf(f"/customers/{cid}")
    r = dash.http.post(f"/customers/{cid}/suspend", data={"csrf_token": token}, follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, f"/customers/{cid}")
    assert "Suspended." in dash.http.get(f"/customers/{cid}").text
    assert (customer(dash).status, customer(dash).desired_state) == (CustomerStatus.SUSPENDED,
                                                                     ServiceState.SUSPENDED)
    form = {"csrf_token": token, "amount": "1000", "method": "cash", "idempotency_key": "k-1", "lift": "on"}
    dash.http.post(f"/customers/{cid}/payments", data=form)
    dash.http.post(f"/customers/{cid}/payments", data=form)  # a double submit records once
    after = customer(dash)
    assert (after.status, after.desired_state) == (CustomerStatus.ACTIVE, ServiceState.ENABLED)
    assert after.balance == 0
    with session_scope(dash.sessions) as session:
        assert len(session.scalars(select(Payment).where(Payment.customer_id == cid)).all()) == 1


def test_a_bad_amount_is_flashed_not_recorded(dash: Dashboard) -> None:
    dash.login(ADMIN)
    cid = dash.ids.customer_id
    token = dash.csrf(f"/customers/{cid}")
    page = dash.http.post(f"/customers/{cid}/payments", data={"csrf_token": token, "amount": "lots"}).text
    assert "The amount must be a number." in page
    with session_scope(dash.sessions) as session:
        assert session.scalars(select(Payment)).all() == []


def test_logout_ends_the_session(dash: Dashboard) -> None:
    dash.login(ADMIN)
    dash.http.post("/logout", data={"csrf_token": dash.csrf("/")})
    assert dash.http.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(("failing", "note"), [(False, "Applied on the router."),
                                               (True, "Not on the router yet (router")])
def test_actions_push_to_the_router_after_commit(dash: Dashboard, failing: bool, note: str) -> None:
    from datetime import datetime

    from billing.enforcement import RecordingEnforcer, apply_pending

    cid = dash.ids.customer_id
    recorder = RecordingEnforcer(failing={cid} if failing else set())

    def pusher(ids: Sequence[int], now: datetime) -> None:
        with session_scope(dash.sessions) as session:
            assert session.get(Customer, cid).status is CustomerStatus.SUSPENDED  # type: ignore[union-attr]
            apply_pending(session, recorder, now=now, customer_ids=ids)

    dash.http.app.state.runtime.pusher = pusher  # type: ignore[attr-defined]
    dash.login(ADMIN)
    token = dash.csrf(f"/customers/{cid}")
    assert note in dash.http.post(f"/customers/{cid}/suspend", data={"csrf_token": token}).text
    calls = [(c.action, c.subscriber.customer_id) for c in recorder.calls]
    assert calls == ([] if failing else [("suspend", cid)])


def test_password_guessing_is_rate_limited_per_address(dash: Dashboard) -> None:
    token = dash.csrf()
    form = {"email": ADMIN, "password": "guess-guess-guess", "csrf_token": token}
    limit = dash.http.app.state.runtime.rates.per_ip  # type: ignore[attr-defined]
    statuses = {dash.http.post("/login", data=form).status_code for _ in range(limit)}
    assert statuses == {401}
    assert dash.http.post("/login", data=form).status_code == 429


def test_an_api_only_app_serves_no_pages(dash: Dashboard) -> None:
    import warnings

    from api.app import create_app
    from tests.integration.api.conftest import make_settings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient.*")
        from fastapi.testclient import TestClient
    with TestClient(create_app(make_settings(), session_factory=dash.sessions, dashboard=False)) as http:
        assert http.get("/", follow_redirects=False).status_code == 404
        assert http.get("/login").status_code == 404
        assert http.get("/metrics").status_code == 200
