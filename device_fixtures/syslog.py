"""RFC 3164 syslog over UDP as MikroTik routers send it, with their own message texts.

A frame is ``<PRI>Mmm dd hh:mm:ss HOSTNAME topics message``: RouterOS puts the entry's topics
(``hotspot,info,debug``, ``pppoe,ppp,info``, ``system,info,account``) before the message. The
facility is ``daemon`` (3, RouterOS's default for remote actions); the severity follows the topics
(``critical`` 2, ``error`` 3, ``warning`` 4, ``info`` 6, ``debug`` only 7).

The message builders below are the texts the simulated routers log; the collector side parses
the same shapes.
"""

from __future__ import annotations

import atexit
import re
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

FACILITY_DAEMON = 3
SEVERITIES = (("critical", 2), ("error", 3), ("warning", 4), ("info", 6), ("debug", 7))
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FRAME = re.compile(r"^<(\d{1,3})>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) (\S+) (.*)$", re.DOTALL)

HOTSPOT = "hotspot,info,debug"
HOTSPOT_FAIL = "hotspot,info,debug"
PPP = "pppoe,ppp,info"
PPP_ACCOUNT = "pppoe,ppp,info,account"
PPP_ERROR = "pppoe,ppp,error"
ACCOUNT = "system,info,account"
LOGIN_FAILURE = "system,error,critical"
SYSTEM = "system,info,critical"


@dataclass(frozen=True)
class SyslogTarget:
    """Where a router sends its remote log (``/system/logging/action`` remote, UDP)."""

    host: str
    port: int = 514


@dataclass(frozen=True)
class SyslogMessage:
    """One parsed frame."""

    pri: int
    timestamp: str
    hostname: str
    topics: str
    message: str

    @property
    def facility(self) -> int:
        """PRI // 8."""
        return self.pri // 8

    @property
    def severity(self) -> int:
        """PRI % 8."""
        return self.pri % 8


def severity_of(topics: str) -> int:
    """The syslog severity of an entry from its topics."""
    names = topics.split(",")
    for name, level in SEVERITIES:
        if name in names and (name != "debug" or len(names) == 1):
            return level
    return 7 if "debug" in names else 6


def timestamp(epoch: float) -> str:
    """``Mmm dd hh:mm:ss`` in UTC, the day padded with a space (``Jan  2 03:04:05``)."""
    when = datetime.fromtimestamp(epoch, tz=UTC)
    return f"{MONTHS[when.month - 1]} {when.day:>2} {when:%H:%M:%S}"


def format_frame(epoch: float, hostname: str, topics: str, message: str) -> bytes:
    """One RFC 3164 datagram."""
    pri = FACILITY_DAEMON * 8 + severity_of(topics)
    host = hostname.replace(" ", "_") or "MikroTik"
    return f"<{pri}>{timestamp(epoch)} {host} {topics} {message}".encode()


def parse_frame(data: bytes) -> SyslogMessage:
    """A frame back into its parts; raises ValueError when it is not RFC 3164 as sent here."""
    match = FRAME.match(data.decode("utf-8", errors="replace"))
    if match is None:
        raise ValueError(f"not an RFC 3164 frame: {data[:80]!r}")
    pri, stamp, host, topics, message = match.groups()
    return SyslogMessage(int(pri), stamp, host, topics, message)


class _Sender:
    """One UDP socket shared by every simulated router in the process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None

    def send(self, target: SyslogTarget, frame: bytes) -> None:
        with self._lock:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                self._sock.setblocking(False)
            try:
                self._sock.sendto(frame, (target.host, target.port))
            except OSError:
                pass  # UDP: a full buffer or an unreachable collector loses the entry, as on a router

    def close(self) -> None:
        """Release the socket (at exit; a later send opens a new one)."""
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None


_SENDER = _Sender()
atexit.register(_SENDER.close)


def send(target: SyslogTarget, epoch: float, hostname: str, topics: str, message: str) -> None:
    """Send one entry to the target (fire and forget)."""
    _SENDER.send(target, format_frame(epoch, hostname, topics, message))


# Message texts, as RouterOS logs them.
def hotspot_logged_in(user: str, address: str) -> str:
    """``u00017 (10.5.50.12): logged in``."""
    return f"{user} ({address}): logged in"


def hotspot_logged_out(user: str, address: str, reason: str) -> str:
    """``u00017 (10.5.50.12): logged out: keepalive timeout``."""
    return f"{user} ({address}): logged out: {reason}"


def hotspot_login_failed(user: str, address: str, reason: str) -> str:
    """``u00017 (10.5.50.12): login failed: invalid username or password``."""
    return f"{user} ({address}): login failed: {reason}"


def ppp_authenticated(user: str) -> str:
    """``<pppoe-u00017>: authenticated``."""
    return f"<pppoe-{user}>: authenticated"


def ppp_connected(user: str) -> str:
    """``<pppoe-u00017>: connected``."""
    return f"<pppoe-{user}>: connected"


def ppp_logged_in(user: str, address: str) -> str:
    """Accounting line: ``u00017 logged in, 10.20.0.5``."""
    return f"{user} logged in, {address}"


def ppp_terminating(user: str, reason: str) -> str:
    """``<pppoe-u00017>: terminating... - peer is not responding``."""
    return f"<pppoe-{user}>: terminating... - {reason}"


def ppp_disconnected(user: str) -> str:
    """``<pppoe-u00017>: disconnected``."""
    return f"<pppoe-{user}>: disconnected"


def ppp_logged_out(user: str, uptime_s: int, bytes_in: int, bytes_out: int) -> str:
    """Accounting line: ``u00017 logged out, 3600 1234 5678 12 34`` (seconds, bytes, packets)."""
    return f"{user} logged out, {uptime_s} {bytes_in} {bytes_out} {bytes_in // 1400} {bytes_out // 1400}"


def ppp_auth_failed(mac: str, user: str) -> str:
    """``<pppoe-AA:BB:CC:DD:EE:FF>: user u00017 authentication failed``."""
    return f"<pppoe-{mac}>: user {user} authentication failed"


def account_logged_in(user: str, address: str, via: str) -> str:
    """``user admin logged in from 10.0.0.5 via api`` (via ssh, winbox, api, telnet, web)."""
    return f"user {user} logged in from {address} via {via}"


def account_logged_out(user: str, address: str, via: str) -> str:
    """``user admin logged out from 10.0.0.5 via api``."""
    return f"user {user} logged out from {address} via {via}"


def login_failure(user: str, address: str, via: str) -> str:
    """``login failure for user admin from 10.0.0.5 via api``."""
    return f"login failure for user {user} from {address} via {via}"
