"""Simulated routers sending RFC 3164 syslog over UDP to a real receiver on 127.0.0.1."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import librouteros
import pytest

from device_fixtures import syslog
from device_fixtures.routeros import RouterState, SubscriberKind, build_router, serve_routeros

FRAME = re.compile(rb"^<(\d+)>([A-Z][a-z]{2}) ([ \d]\d) (\d\d:\d\d:\d\d) (\S+) (\S+) (.+)$")


@pytest.fixture
def receiver() -> Iterator[socket.socket]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.5)
        yield sock


def drain(sock: socket.socket) -> list[tuple[int, str, str, str]]:
    """(PRI, hostname, topics, message) of every frame received until the line goes quiet."""
    frames: list[tuple[int, str, str, str]] = []
    while True:
        try:
            data = sock.recv(4096)
        except TimeoutError:
            return frames
        match = FRAME.match(data)
        assert match is not None, data
        pri, month, _day, _clock, host, topics, message = match.groups()
        assert month.decode() in syslog.MONTHS
        frames.append((int(pri), host.decode(), topics.decode(), message.decode()))


def target_of(sock: socket.socket) -> syslog.SyslogTarget:
    host, port = sock.getsockname()
    return syslog.SyslogTarget(host, port)


def test_sessions_are_sent_and_kept_in_log(receiver: socket.socket) -> None:
    router = build_router("rtr-7", 40, seed=9, syslog_target=target_of(receiver))
    assert drain(receiver) == []  # building the router is quiet
    router.advance(4 * 3600)
    frames = drain(receiver)
    assert frames and all(host == "rtr-7" for _, host, _, _ in frames)
    by_topics = {topics for _, _, topics, _ in frames}
    assert {"pppoe,ppp,info", "pppoe,ppp,info,account", "hotspot,info,debug"} <= by_topics
    messages = [m for _, _, _, m in frames]
    assert any(re.fullmatch(r"<pppoe-u\d{5}>: connected", m) for m in messages)
    assert any(re.fullmatch(r"<pppoe-u\d{5}>: disconnected", m) for m in messages)
    assert any(re.fullmatch(r"u\d{5} \(10\.\d+\.\d+\.\d+\): logged in", m) for m in messages)
    assert any(re.fullmatch(r"u\d{5} \(10\.\d+\.\d+\.\d+\): logged out: [a-z ]+", m) for m in messages)
    assert all(pri == 3 * 8 + 6 for pri, _, _, _ in frames)
    kept = [(r["topics"], r["message"]) for r in router.menus["/log"]]
    assert kept == [(t, m) for _, _, t, m in frames]


def test_failed_logins_are_sent(receiver: socket.socket) -> None:
    router = build_router("rtr-8", 30, seed=3, syslog_target=target_of(receiver))
    router.mean_offline_s = 1.0
    ppp = next(s for s in router.subscribers.values() if s.kind is SubscriberKind.PPPOE and s.session is None)
    hs = next(s for s in router.subscribers.values() if s.kind is SubscriberKind.HOTSPOT)
    router.menus["/ppp/secret"].update(ppp.name, {"password": "changed"})
    router.menus["/ip/hotspot/user"].update(hs.name, {"disabled": "true"})
    if hs.session is not None:
        router.menus["/ip/hotspot/active"].remove(hs.session[".id"])
    router.advance(30)
    frames = drain(receiver)
    failed = f"<pppoe-{ppp.mac}>: user {ppp.name} authentication failed"
    assert (27, "rtr-8", "pppoe,ppp,error", failed) in frames
    assert any(m.startswith(f"{hs.name} (") and m.endswith("login failed: invalid username or password")
               for _, _, _, m in frames)


def test_api_logins_are_sent(receiver: socket.socket) -> None:
    router: RouterState = build_router("rtr-9", 5, seed=1, syslog_target=target_of(receiver))
    with serve_routeros([router]) as fleet:
        api = librouteros.connect("127.0.0.1", "admin", "admin", port=fleet.port, timeout=5)
        api.close()
        with pytest.raises(librouteros.exceptions.TrapError):
            librouteros.connect("127.0.0.1", "admin", "bad", port=fleet.port, timeout=5)
        frames = drain(receiver)
    account = [(t, m) for _, _, t, m in frames]
    assert ("system,info,account", "user admin logged in from 127.0.0.1 via api") in account
    assert ("system,info,account", "user admin logged out from 127.0.0.1 via api") in account
    assert ("system,error,critical", "login failure for user admin from 127.0.0.1 via api") in account
