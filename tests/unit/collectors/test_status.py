"""The pure side of the status checks: which checks a device gets, ICMP packets, access, reasons,
and how outcomes land in the store (a rolled-back session, no sockets)."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from collectors.base import Target
from collectors.enums import CheckKind, DeviceKind, Vendor
from collectors.icmp import (
    IcmpMode,
    checksum,
    decide_access,
    echo_request,
    parse_echo_reply,
    ping_group_allows,
)
from collectors.models import Device, StatusCheck
from collectors.status import (
    CheckFailed,
    CheckOutcome,
    CheckSpec,
    StatusCollector,
    StatusResult,
    address_of,
    bound_checks,
    derive_checks,
    describe,
    http_up,
    save_outcomes,
)

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)


def target(**kw: object) -> Target:
    values: dict[str, object] = dict(device_id=1, name="rtr-1", kind=DeviceKind.ROUTER,
                                     vendor=Vendor.MIKROTIK, host="10.0.0.1")
    values.update(kw)
    return Target(**values)  # type: ignore[arg-type]


def test_a_router_gets_icmp_and_a_tcp_check_per_management_port() -> None:
    specs = derive_checks(target(api_port=8728, ssh_port=22))
    assert [(s.name, s.kind, s.target, s.port) for s in specs] == [
        ("rtr-1/icmp", CheckKind.ICMP, "10.0.0.1", None),
        ("rtr-1/tcp:8728", CheckKind.TCP, "10.0.0.1", 8728),
        ("rtr-1/tcp:22", CheckKind.TCP, "10.0.0.1", 22),
    ]
    assert [s.name for s in derive_checks(target(api_port=22, ssh_port=22))] == ["rtr-1/icmp", "rtr-1/tcp:22"]


def test_a_zabbix_server_with_a_url_as_host_gets_icmp_to_its_address_and_http() -> None:
    url = "http://127.0.0.1:8080/api_jsonrpc.php"
    specs = derive_checks(target(name="zabbix", host="http://127.0.0.1:8080", http_url=url))
    assert [(s.name, s.target) for s in specs] == [("zabbix/icmp", "127.0.0.1"), ("zabbix/http", url)]
    assert address_of("olt-1.pop.example") == "olt-1.pop.example"


def test_bound_checks_come_from_the_details_mirror() -> None:
    page = {"id": 9, "name": "rtr-1 hotspot page", "kind": "http", "target": "http://10.0.0.1/login",
            "port": None}
    details = {"status_checks": {"derived": ["rtr-1/icmp"], "bound": [page]}}
    assert bound_checks(details) == (
        CheckSpec("rtr-1 hotspot page", CheckKind.HTTP, "http://10.0.0.1/login", None, 9),)
    assert bound_checks({}) == ()


@pytest.mark.parametrize(("code", "up"), [(200, True), (302, True), (401, True), (412, True), (499, True),
                                          (500, False), (503, False)])
def test_http_below_500_is_up(code: int, up: bool) -> None:
    assert http_up(code) is up


def test_reasons_are_short_and_name_the_failure() -> None:
    assert describe(TimeoutError(), 2.5) == "timeout after 2.5 s"
    assert describe(httpx.ReadTimeout("read"), 3) == "timeout after 3 s"
    assert describe(ConnectionRefusedError(111, "Connection refused"), 3) == "connection refused"
    assert describe(OSError(113, "No route to host"), 3) == "No route to host"
    assert describe(CheckFailed("HTTP 503"), 3) == "HTTP 503"
    assert describe(httpx.ConnectError("All connection attempts failed"), 3).startswith("ConnectError: ")


def test_echo_request_checksum_verifies_and_a_reply_parses() -> None:
    request = echo_request(0x1234, 7, b"payload!")
    assert checksum(request) == 0  # a correct checksum sums to zero
    assert request[:2] == b"\x08\x00"
    reply = b"\x00" + request[1:]
    assert parse_echo_reply(reply, ip_header=False) == (0x1234, 7, b"payload!")
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(reply), 1, 0, 64, 1, 0, b"\x7f\0\0\1", b"\x7f\0\0\1")
    assert parse_echo_reply(ip + reply, ip_header=True) == (0x1234, 7, b"payload!")
    assert parse_echo_reply(ip + request, ip_header=True) is None  # our own request seen on a raw socket
    assert parse_echo_reply(b"\x00\x00", ip_header=False) is None
    assert checksum(b"\x01") == checksum(b"\x01\x00")


def test_ping_group_range() -> None:
    assert ping_group_allows("0\t2147483647\n", {1000})
    assert not ping_group_allows("1\t0\n", {0, 1000})  # the kernel's default: nobody
    assert ping_group_allows("100 200", {5, 150}) and not ping_group_allows("100 200", {5})
    assert not ping_group_allows("garbage", {0})


def test_icmp_access_prefers_ping_sockets_then_raw_as_root_else_says_why() -> None:
    assert decide_access("0 2147483647", {1000}, 1000).mode is IcmpMode.DGRAM
    assert decide_access("1 0", {0}, 0).mode is IcmpMode.RAW
    refused = decide_access("1 0", {1000}, 1000)
    assert refused.mode is None and "ping_group_range" in refused.reason and "not root" in refused.reason
    assert decide_access(None, {1000}, 1000).mode is None


def device(session: Session, name: str = "rtr-1") -> Device:
    row = Device(name=name, kind=DeviceKind.ROUTER, vendor=Vendor.MIKROTIK, host="10.0.0.1", enabled=True,
                 details={}, consecutive_failures=0, created_at=NOW)
    session.add(row)
    session.flush()
    return row


def test_outcomes_upsert_by_name_and_explicit_ones_are_never_recreated(session: Session) -> None:
    dev = device(session)
    icmp = CheckSpec("rtr-1/icmp", CheckKind.ICMP, "10.0.0.1")
    deleted = CheckSpec("gone", CheckKind.TCP, "10.0.0.1", 80, check_id=999_999)
    outcomes = [CheckOutcome(icmp, True, 1.5, None), CheckOutcome(deleted, False, None, "connection refused")]
    assert save_outcomes(session, outcomes, device_id=dev.id, now=NOW) == 1
    later = datetime(2026, 5, 15, 12, 1, tzinfo=UTC)
    timed_out = CheckOutcome(icmp, False, None, "timeout after 3 s")
    save_outcomes(session, [timed_out], device_id=dev.id, now=later)
    (row,) = session.scalars(select(StatusCheck)).all()
    assert (row.name, row.device_id, row.up, row.latency_ms) == ("rtr-1/icmp", dev.id, False, None)
    assert (row.last_error, row.checked_at) == ("timeout after 3 s", later)


def test_save_mirrors_explicit_checks_and_drops_derived_ones_the_device_lost(session: Session) -> None:
    dev = device(session)
    explicit = StatusCheck(name="rtr-1 portal", kind=CheckKind.HTTP, target="http://10.0.0.1/",
                           device_id=dev.id)
    session.add(explicit)
    session.flush()
    collector, first = StatusCollector(), target(device_id=dev.id, api_port=8728)
    result = StatusResult(tuple(CheckOutcome(s, True, 1.0, None) for s in derive_checks(first)))
    assert collector.save(session, first, result, now=NOW) == 2
    assert bound_checks(dev.details) == (CheckSpec("rtr-1 portal", CheckKind.HTTP, "http://10.0.0.1/", None,
                                                   explicit.id),)
    second = target(device_id=dev.id, details=dict(dev.details))  # api_port removed from the device
    specs = (*derive_checks(second), *bound_checks(second.details))
    outcomes = [CheckOutcome(s, True, 1.0, None) for s in specs]
    assert collector.save(session, second, StatusResult(tuple(outcomes)), now=NOW) == 2
    names = set(session.scalars(select(StatusCheck.name)))
    assert names == {"rtr-1/icmp", "rtr-1 portal"}
    assert explicit.up is True and explicit.checked_at == NOW


def test_a_device_whose_every_check_failed_has_a_problem() -> None:
    from collectors.enums import CheckKind
    from collectors.status import CheckOutcome, CheckSpec, StatusResult

    icmp = CheckSpec(name="r1/icmp", kind=CheckKind.ICMP, target="127.0.0.1")
    tcp = CheckSpec(name="r1/tcp:8728", kind=CheckKind.TCP, target="127.0.0.1", port=8728)
    down = (CheckOutcome(icmp, False, None, "no reply"), CheckOutcome(tcp, False, None, "refused"))
    assert StatusResult(down).device_problem == "all 2 checks failed (r1/icmp: no reply)"
    assert StatusResult((down[0], CheckOutcome(tcp, True, 1.0, None))).device_problem is None
    assert StatusResult(()).device_problem is None
