"""RouterOS reply parsing: durations, counters, resource, sessions, pools, /log times, rates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collectors import mikrotik_parse as p
from collectors.enums import SessionKind

NOW = datetime(2026, 5, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1w2d3h4m5s", 788645), ("0s", 0), ("59s", 59), ("3h", 10800), ("2d", 172800), ("500ms", 0),
     ("1m30s500ms", 90), ("00:05:10", 310), ("1d02:03:04", 93784), ("2w1d 03:04:05", 15 * 86400 + 11045),
     ("", 0), (None, 0), ("none", 0)],
)
def test_durations(text: object, seconds: int) -> None:
    assert p.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["1x", "abc", "5 s", "1h-2m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        p.parse_duration(text)


@pytest.mark.parametrize(("value", "expected"), [(1234, 1234), ("1234", 1234), ("", 0), (None, 0),
                                                 (True, 0), ("x", 0), (" 7 ", 7)])
def test_counters_take_ints_and_strings(value: object, expected: int) -> None:
    assert p.parse_int(value) == expected


def test_resource_from_strings_and_from_librouteros_ints() -> None:
    raw = {"uptime": "3d4h5m6s", "version": "6.49.10 (stable)", "cpu-load": "17", "board-name": "CCR1036",
           "free-memory": "536870912", "total-memory": "1073741824"}
    typed = {**raw, "cpu-load": 17, "free-memory": 536870912, "total-memory": 1073741824}
    for row in (raw, typed):
        res = p.parse_resource(row)
        assert res == p.Resource("6.49.10", 3 * 86400 + 4 * 3600 + 5 * 60 + 6, 17.0, "CCR1036",
                                 536870912, 1073741824)
    assert p.parse_resource({"version": "7.18.2 (stable)"}).uptime_s is None


def test_identity() -> None:
    assert p.parse_identity([{"name": "core-1"}]) == "core-1"
    assert p.parse_identity([]) is None


def test_interfaces_and_ppp_bytes_from_the_dynamic_interface() -> None:
    ifaces = p.parse_interfaces([
        {".id": "*1", "name": "ether1", "type": "ether", "running": True, "dynamic": False,
         "rx-byte": 1000, "tx-byte": "2000"},
        {".id": "*9", "name": "<pppoe-u00017>", "type": "pppoe-in", "running": "true", "dynamic": "true",
         "rx-byte": "111", "tx-byte": "999"},
    ])
    assert [(i.name, i.running, i.dynamic, i.rx_bytes, i.tx_bytes) for i in ifaces] == [
        ("ether1", True, False, 1000, 2000), ("<pppoe-u00017>", True, True, 111, 999)]
    sessions = p.parse_ppp_active(
        [{".id": "*5", "name": "u00017", "service": "pppoe", "caller-id": "4C:5E:0C:01:02:03",
          "address": "10.16.1.2", "uptime": "1h2m3s"},
         {".id": "*6", "name": "u00018", "service": "pppoe", "address": "10.16.1.3", "uptime": "5s"}],
        {i.name: i for i in ifaces})
    assert sessions[0] == p.ActiveSession(SessionKind.PPP, "*5", "u00017", "10.16.1.2", "4C:5E:0C:01:02:03",
                                          3723, 111, 999)
    assert (sessions[1].bytes_in, sessions[1].bytes_out) == (None, None)  # no interface: unknown, not zero


def test_hotspot_sessions() -> None:
    (s,) = p.parse_hotspot_active([{".id": "*A", "user": "u00020", "address": "10.16.16.2",
                                    "mac-address": "4C:5E:0C:0A:0B:0C", "uptime": "10m",
                                    "bytes-in": "5000", "bytes-out": 70000}, {".id": "*B", "user": ""}])
    assert s == p.ActiveSession(SessionKind.HOTSPOT, "*A", "u00020", "10.16.16.2", "4C:5E:0C:0A:0B:0C",
                                600, 5000, 70000)


def test_pools_sizes_and_use() -> None:
    pools = p.parse_pools([{"name": "a", "ranges": "10.0.0.2-10.0.0.254"},
                           {"name": "b", "ranges": "10.1.0.0/24,10.2.0.1-10.2.0.10"},
                           {"name": "c", "ranges": "10.3.0.5"}, {"name": "bad", "ranges": "x-y"}])
    assert [(x.name, x.size) for x in pools] == [("a", 253), ("b", 266), ("c", 1), ("bad", 0)]
    used = p.count_used(pools, ["10.0.0.2", "10.0.0.3", "10.2.0.5", "192.168.1.1", None, ""])
    assert used == {"a": 2, "b": 1, "c": 0, "bad": 0}
    assert p.parse_pool_used([{"pool": "a", "address": "10.0.0.2"}, {"pool": "a"}, {"pool": "b"}]) == {
        "a": 2, "b": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-01-02 03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
     ("jan/02/2026 03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
     ("may/02 09:54:33", datetime(2026, 5, 2, 9, 54, 33, tzinfo=UTC)),
     ("sep/15 09:54:33", datetime(2025, 9, 15, 9, 54, 33, tzinfo=UTC)),  # no year, not yet: last year's
     ("11:30:00", datetime(2026, 5, 15, 11, 30, tzinfo=UTC)),
     ("23:59:00", datetime(2026, 5, 14, 23, 59, tzinfo=UTC))],  # time only, later than now: yesterday
)
def test_log_times_of_both_versions(text: str, expected: datetime) -> None:
    assert p.parse_log_time(text, NOW) == expected


def test_log_rows_in_id_order_and_an_unreadable_time_falls_back() -> None:
    rows = [{".id": "*1B", "time": "12:00:00", "topics": "system,info", "message": "b"},
            {".id": "*A", "time": "garbage", "topics": "system,info", "message": "a"}]
    entries = p.parse_log(rows, NOW)
    assert [(e.ref, e.message) for e in entries] == [(10, "a"), (27, "b")]
    assert entries[0].at == NOW


def test_counter_deltas_and_rates_never_go_negative() -> None:
    assert p.counter_delta(None, 500) == 0
    assert p.counter_delta(100, 500) == 400
    assert p.counter_delta(900, 300) == 300  # went back: restarted from zero
    assert p.rate_bps(1000, 2000, 10) == 800.0
    assert p.rate_bps(5000, 1000, 10) == 800.0  # reset: counted from zero
    assert p.rate_bps(1000, 3000, 10, reset=True) == 2400.0
    assert p.rate_bps(None, 1000, 10) is None
    assert p.rate_bps(1000, 2000, 0) is None


def test_reboots_by_uptime_or_by_boot_time() -> None:
    boot = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)
    assert p.rebooted(3600, 60, None, None)  # uptime went back
    assert not p.rebooted(60, 3600, boot.isoformat(), boot + timedelta(seconds=5))  # clock jitter
    assert p.rebooted(60, 3600, boot.isoformat(), boot + timedelta(minutes=20))  # up longer than before
    assert not p.rebooted(None, 100, None, boot) and not p.rebooted(100, None, None, None)


def test_log_cursor() -> None:
    logs = tuple(p.LogEntry(ref, NOW, "system,info", "x") for ref in (5, 6, 7))
    assert p.log_cursor(None, logs, False) == -1
    assert p.log_cursor(6, logs, False) == 6
    assert p.log_cursor(6, logs, True) == -1  # a reboot starts ids again
    assert p.log_cursor(90, logs, False) == -1  # ids behind the cursor: the log started again
    assert p.log_cursor(6, None, False) == 6  # /log not read this time
