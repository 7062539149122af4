"""MikroTik log lines, pure: a syslog datagram (RFC 3164, as RouterOS sends it) or a ``/log`` row
into a typed entry — hotspot login/logout/failure, PPP authenticated/connected/disconnected/auth
failure, management access (ssh, winbox, api, web...) — and anything else as a plain router entry.
Nothing is dropped: a line no pattern knows, or no frame at all, is still a ``RouterEntry``.

RouterOS puts the entry's topics (``hotspot,info,debug``) before the message; the hostname can be
missing (``bsd-syslog`` off), and RouterOS 7 can stamp frames ISO 8601. The row's time is the time
the line was received (frames carry no year and no zone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from collectors.enums import HotspotEvent, PppEvent
from collectors.models import AccessLog, HotspotLog, PppAuthLog, RouterLog
from store.base import Base

LEVELS = frozenset({"critical", "debug", "error", "info", "warning", "packet", "raw"})
TOPIC_WORDS = LEVELS | {"account", "async", "backup", "bgp", "caps", "certificate", "dhcp", "dns",
                        "event", "firewall", "hotspot", "interface", "ipsec", "l2tp", "lte", "ntp",
                        "ospf", "ovpn", "ppp", "pppoe", "pptp", "radius", "route", "script", "sstp",
                        "system", "web-proxy", "wireless", "wireguard"}
PPP_SERVICES = ("pppoe", "pptp", "l2tp", "sstp", "ovpn", "ppp")

_HEAD = re.compile(
    r"<(\d{1,3})>(?:1 )?"
    r"(?:([A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d)|(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)?))? ?")
_HOTSPOT = re.compile(
    r"^(?:->: )?(?P<user>.+?) \((?P<addr>[^)]*)\): "
    r"(?P<what>logged in|logged out|login failed)(?:: (?P<reason>.*))?$")
_PPP = re.compile(r"^<(?P<iface>[^>]+)>: (?P<what>authenticated|connected|disconnected)$")
_PPP_FAIL = re.compile(r"^<(?P<iface>[^>]+)>: user (?P<user>.+?) authentication failed(?P<reason>.*)$")
_ACCESS = re.compile(
    r"^user (?P<user>\S+) logged (?P<dir>in|out)(?: from (?P<addr>\S+))?(?: via (?P<via>\S+))?$")
_ACCESS_FAIL = re.compile(
    r"^login failure for user (?P<user>.+?)(?: from (?P<addr>\S+))?(?: via (?P<via>\S+))?$")

HOTSPOT_EVENTS = {"logged in": HotspotEvent.LOGGED_IN, "logged out": HotspotEvent.LOGGED_OUT,
                  "login failed": HotspotEvent.LOGIN_FAILED}
PPP_EVENTS = {"authenticated": PppEvent.AUTHENTICATED, "connected": PppEvent.CONNECTED,
              "disconnected": PppEvent.DISCONNECTED}


class Frame(NamedTuple):
    """One syslog datagram's parts (``pri`` None when the line had no ``<PRI>``)."""

    pri: int | None
    timestamp: str | None
    hostname: str | None
    topics: str | None
    message: str


@dataclass(frozen=True)
class HotspotEntry:
    """A hotspot login, logout or failed login."""

    event: HotspotEvent
    username: str
    address: str | None
    reason: str | None


@dataclass(frozen=True)
class PppEntry:
    """A PPP session event; ``interface`` as the router names it (``<pppoe-u00017>``)."""

    event: PppEvent
    username: str
    interface: str
    reason: str | None


@dataclass(frozen=True)
class AccessEntry:
    """Someone logging in to the router's management, out of it, or failing to."""

    event: str
    user: str
    address: str | None
    via: str | None


@dataclass(frozen=True)
class RouterEntry:
    """Any other line, kept whole."""


Entry = HotspotEntry | PppEntry | AccessEntry | RouterEntry


def _is_topics(token: str) -> bool:
    """``hotspot,info,debug`` or one known topic word (plain string tests: this runs per line)."""
    if "," in token:
        return token.islower() and token.replace(",", "").replace("-", "").isalnum()
    return token in TOPIC_WORDS


def split_frame(data: bytes | str) -> Frame:
    """A datagram into PRI, timestamp, hostname, topics and message (never raises)."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    text = text.rstrip("\r\n\x00")
    match = _HEAD.match(text)
    if match is None:
        return Frame(None, None, None, None, text)
    pri, bsd, iso = match.groups()
    rest = text[match.end():]
    first, _, after = rest.partition(" ")
    hostname: str | None = None
    if first and not _is_topics(first) and after:
        hostname, rest = first, after
        first, _, after = rest.partition(" ")
    topics: str | None = None
    if first and _is_topics(first) and after:
        topics, rest = first, after
    return Frame(int(pri), bsd or iso, hostname, topics, rest)


def _ppp_user(interface: str) -> str:
    """``pppoe-u00017`` -> ``u00017`` (a custom binding name stays as it is)."""
    service, dash, name = interface.partition("-")
    return name if dash and service in PPP_SERVICES and name else interface


def _reason(text: str | None) -> str | None:
    text = (text or "").strip(" :-")
    return text or None


def parse_message(message: str) -> Entry:
    """One RouterOS log message (without topics) into its typed entry."""
    text = message.strip()
    if text.startswith("<"):
        if m := _PPP.match(text):
            return PppEntry(PPP_EVENTS[m["what"]], _ppp_user(m["iface"]), f"<{m['iface']}>", None)
        if m := _PPP_FAIL.match(text):
            return PppEntry(PppEvent.AUTH_FAILED, m["user"], f"<{m['iface']}>", _reason(m["reason"]))
    elif text.startswith("user "):
        if m := _ACCESS.match(text):
            return AccessEntry(f"logged_{m['dir']}", m["user"], m["addr"], m["via"])
    elif text.startswith("login failure"):
        if m := _ACCESS_FAIL.match(text):
            return AccessEntry("login_failed", m["user"], m["addr"], m["via"])
    if "): " in text and (m := _HOTSPOT.match(text)):
        return HotspotEntry(HOTSPOT_EVENTS[m["what"]], m["user"], m["addr"] or None, _reason(m["reason"]))
    return RouterEntry()


def username_of(entry: Entry) -> str | None:
    """The subscriber an entry is about (hotspot and PPP entries only)."""
    return entry.username if isinstance(entry, HotspotEntry | PppEntry) else None


class LogContext(NamedTuple):
    """Where and when a line was seen, and who it resolved to (a tuple: one is made per line)."""

    at: datetime
    device_id: int | None = None
    customer_id: int | None = None
    source_ip: str | None = None


def to_row(
    entry: Entry, topics: str | None, message: str, ctx: LogContext
) -> tuple[type[Base], dict[str, Any]]:
    """The table and column values a parsed line is stored as."""
    if isinstance(entry, HotspotEntry):
        return HotspotLog, {"device_id": ctx.device_id, "at": ctx.at, "message": message,
                            "event": entry.event, "username": entry.username[:64],
                            "address": entry.address, "customer_id": ctx.customer_id}
    if isinstance(entry, PppEntry):
        return PppAuthLog, {"device_id": ctx.device_id, "at": ctx.at, "message": message,
                            "event": entry.event, "username": entry.username[:64],
                            "interface": entry.interface[:64], "customer_id": ctx.customer_id}
    if isinstance(entry, AccessEntry):
        return AccessLog, {"device_id": ctx.device_id, "at": ctx.at, "message": message,
                           "user": entry.user[:64], "address": entry.address,
                           "via": entry.via[:16] if entry.via else None, "event": entry.event}
    return RouterLog, {"device_id": ctx.device_id, "at": ctx.at, "message": message,
                       "topics": topics[:120] if topics else None, "source_ip": ctx.source_ip}


LOG_MODELS: tuple[type[Base], ...] = (RouterLog, HotspotLog, PppAuthLog, AccessLog)
