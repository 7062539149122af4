"""MikroTik log lines into typed entries: every text the simulated routers send, real-world variants
(RouterOS 6 and 7, hotspot debug prefixes, other PPP services, console and MAC logins), frames with
and without hostname or topics, and lines nothing knows (kept, never dropped)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors import logparse as lp
from collectors.enums import HotspotEvent, PppEvent
from collectors.models import AccessLog, HotspotLog, PppAuthLog, RouterLog
from device_fixtures import syslog as fx

EPOCH = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
HS, PPP = HotspotEvent, PppEvent
IFACE = "<pppoe-u00017>"

FIXTURE_LINES: list[tuple[str, str, lp.Entry]] = [
    (fx.HOTSPOT, fx.hotspot_logged_in("u00017", "10.5.50.12"),
     lp.HotspotEntry(HS.LOGGED_IN, "u00017", "10.5.50.12", None)),
    (fx.HOTSPOT, fx.hotspot_logged_out("u00017", "10.5.50.12", "keepalive timeout"),
     lp.HotspotEntry(HS.LOGGED_OUT, "u00017", "10.5.50.12", "keepalive timeout")),
    (fx.HOTSPOT_FAIL, fx.hotspot_login_failed("u00017", "0.0.0.0", "invalid username or password"),
     lp.HotspotEntry(HS.LOGIN_FAILED, "u00017", "0.0.0.0", "invalid username or password")),
    (fx.PPP, fx.ppp_authenticated("u00017"), lp.PppEntry(PPP.AUTHENTICATED, "u00017", IFACE, None)),
    (fx.PPP, fx.ppp_connected("u00017"), lp.PppEntry(PPP.CONNECTED, "u00017", IFACE, None)),
    (fx.PPP, fx.ppp_disconnected("u00017"), lp.PppEntry(PPP.DISCONNECTED, "u00017", IFACE, None)),
    (fx.PPP_ERROR, fx.ppp_auth_failed("4C:5E:0C:01:02:03", "u00017"),
     lp.PppEntry(PPP.AUTH_FAILED, "u00017", "<pppoe-4C:5E:0C:01:02:03>", None)),
    (fx.PPP, fx.ppp_terminating("u00017", "peer is not responding"), lp.RouterEntry()),
    (fx.PPP_ACCOUNT, fx.ppp_logged_in("u00017", "10.20.0.5"), lp.RouterEntry()),
    (fx.PPP_ACCOUNT, fx.ppp_logged_out("u00017", 3600, 123456, 654321), lp.RouterEntry()),
    (fx.ACCOUNT, fx.account_logged_in("admin", "10.0.0.5", "api"),
     lp.AccessEntry("logged_in", "admin", "10.0.0.5", "api")),
    (fx.ACCOUNT, fx.account_logged_out("admin", "10.0.0.5", "winbox"),
     lp.AccessEntry("logged_out", "admin", "10.0.0.5", "winbox")),
    (fx.LOGIN_FAILURE, fx.login_failure("admin", "10.0.0.9", "ssh"),
     lp.AccessEntry("login_failed", "admin", "10.0.0.9", "ssh")),
    (fx.SYSTEM, "router rebooted", lp.RouterEntry()),
]


@pytest.mark.parametrize(("topics", "message", "entry"), FIXTURE_LINES)
def test_every_fixture_line_through_a_real_frame(topics: str, message: str, entry: lp.Entry) -> None:
    frame = lp.split_frame(fx.format_frame(EPOCH, "rtr-1", topics, message))
    assert (frame.pri, frame.timestamp, frame.hostname, frame.topics, frame.message) == (
        24 + fx.severity_of(topics), "Jan  2 03:04:05", "rtr-1", topics, message)
    assert lp.parse_message(frame.message) == entry


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("->: u1 (10.5.50.12): login failed: invalid password",
         lp.HotspotEntry(HS.LOGIN_FAILED, "u1", "10.5.50.12", "invalid password")),
        ("->: u1 (10.5.50.12): trying to log in by http-chap", lp.RouterEntry()),
        ("4C:5E:0C:11:22:33 (10.5.50.3): logged in",
         lp.HotspotEntry(HS.LOGGED_IN, "4C:5E:0C:11:22:33", "10.5.50.3", None)),
        ("T-4C:5E:0C:11:22:33 (10.5.50.3): logged out: session timeout",
         lp.HotspotEntry(HS.LOGGED_OUT, "T-4C:5E:0C:11:22:33", "10.5.50.3", "session timeout")),
        ("john doe (10.5.50.9): logged out: lost dhcp lease",
         lp.HotspotEntry(HS.LOGGED_OUT, "john doe", "10.5.50.9", "lost dhcp lease")),
        ("u1 (10.5.50.12): logged out: traffic limit reached",
         lp.HotspotEntry(HS.LOGGED_OUT, "u1", "10.5.50.12", "traffic limit reached")),
        ("<pptp-u1>: authenticated", lp.PppEntry(PPP.AUTHENTICATED, "u1", "<pptp-u1>", None)),
        ("<l2tp-u1>: connected", lp.PppEntry(PPP.CONNECTED, "u1", "<l2tp-u1>", None)),
        ("<ovpn-u1>: disconnected", lp.PppEntry(PPP.DISCONNECTED, "u1", "<ovpn-u1>", None)),
        ("<sstp-u1>: authenticated", lp.PppEntry(PPP.AUTHENTICATED, "u1", "<sstp-u1>", None)),
        ("<pppoe-4C:5E:0C:01:02:03>: disconnected",
         lp.PppEntry(PPP.DISCONNECTED, "4C:5E:0C:01:02:03", "<pppoe-4C:5E:0C:01:02:03>", None)),
        ("<custom-binding>: connected",
         lp.PppEntry(PPP.CONNECTED, "custom-binding", "<custom-binding>", None)),
        ("<pppoe-E4:8D:8C:11:22:33>: user u1 authentication failed - radius timeout",
         lp.PppEntry(PPP.AUTH_FAILED, "u1", "<pppoe-E4:8D:8C:11:22:33>", "radius timeout")),
        ("<pppoe-u1>: terminating... - session closed", lp.RouterEntry()),
        ("u1 logged in, 10.20.0.5 from 4C:5E:0C:01:02:03", lp.RouterEntry()),  # RouterOS 7 accounting
        ("user admin logged in via local", lp.AccessEntry("logged_in", "admin", None, "local")),
        ("user admin logged in from 4C:5E:0C:11:22:33 via mac-telnet",
         lp.AccessEntry("logged_in", "admin", "4C:5E:0C:11:22:33", "mac-telnet")),
        ("user admin logged out from 10.0.0.5 via telnet",
         lp.AccessEntry("logged_out", "admin", "10.0.0.5", "telnet")),
        ("user api-user logged in from 10.0.0.5 via api-ssl",
         lp.AccessEntry("logged_in", "api-user", "10.0.0.5", "api-ssl")),
        ("user admin logged in from 10.1.101.212 via rest-api",
         lp.AccessEntry("logged_in", "admin", "10.1.101.212", "rest-api")),
        ("login failure for user root from 203.0.113.7 via ssh",
         lp.AccessEntry("login_failed", "root", "203.0.113.7", "ssh")),
        ("login failure for user admin from 10.0.0.1 via web",
         lp.AccessEntry("login_failed", "admin", "10.0.0.1", "web")),
        ("item added by admin", lp.RouterEntry()),
        ("input: in:ether1 out:(none), src-mac 00:21:29:6d:82:07, proto UDP, "
         "10.1.101.1:520->10.1.101.255:520, len 452", lp.RouterEntry()),
        ("dhcp1 assigned 10.0.0.2 to AA:BB:CC:DD:EE:FF", lp.RouterEntry()),
        ("", lp.RouterEntry()),
    ],
)
def test_real_world_messages(message: str, entry: lp.Entry) -> None:
    assert lp.parse_message(message) == entry


@pytest.mark.parametrize(
    ("data", "parts"),
    [
        (b"<30>Jan  2 03:04:05 system,info,account user admin logged in from 10.0.0.5 via winbox",
         (30, "Jan  2 03:04:05", None, "system,info,account",
          "user admin logged in from 10.0.0.5 via winbox")),
        (b"<30>2026-01-02T03:04:05.123+00:00 core-1 hotspot,info,debug u1 (10.5.50.2): logged in",
         (30, "2026-01-02T03:04:05.123+00:00", "core-1", "hotspot,info,debug", "u1 (10.5.50.2): logged in")),
        (b"<14>Jan 12 23:59:59 MikroTik router rebooted",
         (14, "Jan 12 23:59:59", "MikroTik", None, "router rebooted")),
        (b"<30>Jan  2 03:04:05 rtr firewall,info input: in:ether1 out:(none)",
         (30, "Jan  2 03:04:05", "rtr", "firewall,info", "input: in:ether1 out:(none)")),
        (b"<134>hotspot,info u1 (10.5.50.2): logged in\n",
         (134, None, None, "hotspot,info", "u1 (10.5.50.2): logged in")),
        (b"just some text", (None, None, None, None, "just some text")),
        (b"", (None, None, None, None, "")),
        (b"<30>Jan  2 03:04:05 rtr \xff\xfe broken",
         (30, "Jan  2 03:04:05", "rtr", None, "\ufffd\ufffd broken")),
    ],
)
def test_frames_of_every_shape(data: bytes, parts: tuple[object, ...]) -> None:
    frame = lp.split_frame(data)
    assert (frame.pri, frame.timestamp, frame.hostname, frame.topics, frame.message) == parts


def test_rows_for_every_table_and_nothing_dropped() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    ctx = lp.LogContext(at=at, device_id=3, customer_id=9, source_ip="10.9.9.9")
    tables = []
    for topics, message, _entry in FIXTURE_LINES:
        model, row = lp.to_row(lp.parse_message(message), topics, message, ctx)
        assert row["message"] == message and row["at"] == at and row["device_id"] == 3
        tables.append(model)
    assert tables.count(HotspotLog) == 3 and tables.count(PppAuthLog) == 4
    assert tables.count(AccessLog) == 3 and tables.count(RouterLog) == 4
    text = "<pppoe-u1>: connected"
    model, row = lp.to_row(lp.parse_message(text), "pppoe,ppp,info", text, ctx)
    assert model is PppAuthLog and row["customer_id"] == 9 and row["interface"] == "<pppoe-u1>"
    model, row = lp.to_row(lp.RouterEntry(), "system,info", "router rebooted", ctx)
    assert model is RouterLog and (row["topics"], row["source_ip"]) == ("system,info", "10.9.9.9")
    _, row = lp.to_row(lp.parse_message(fx.account_logged_in("admin", "10.0.0.5", "api")), None, "x", ctx)
    assert "customer_id" not in row  # management logins are not a customer's


def test_username_of() -> None:
    assert lp.username_of(lp.parse_message("<pppoe-u7>: connected")) == "u7"
    assert lp.username_of(lp.parse_message("u8 (10.0.0.1): logged in")) == "u8"
    assert lp.username_of(lp.parse_message("user admin logged in via local")) is None
    assert lp.username_of(lp.RouterEntry()) is None
