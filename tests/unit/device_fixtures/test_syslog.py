"""RFC 3164 frames as the simulated routers format them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from device_fixtures import syslog


def test_frame_round_trip() -> None:
    epoch = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()
    message = syslog.hotspot_logged_in("u00017", "10.5.50.12")
    frame = syslog.format_frame(epoch, "rtr-1", syslog.HOTSPOT, message)
    assert frame == b"<30>Jan  2 03:04:05 rtr-1 hotspot,info,debug u00017 (10.5.50.12): logged in"
    parsed = syslog.parse_frame(frame)
    assert (parsed.facility, parsed.severity, parsed.timestamp) == (3, 6, "Jan  2 03:04:05")
    assert (parsed.hostname, parsed.topics, parsed.message) == ("rtr-1", "hotspot,info,debug",
                                                                "u00017 (10.5.50.12): logged in")


@pytest.mark.parametrize(
    ("topics", "severity"),
    [("system,info,account", 6), ("system,error,critical", 2), ("pppoe,ppp,error", 3), ("debug", 7)],
)
def test_severity_from_topics(topics: str, severity: int) -> None:
    assert syslog.severity_of(topics) == severity


def test_parse_refuses_garbage() -> None:
    with pytest.raises(ValueError):
        syslog.parse_frame(b"hello")
