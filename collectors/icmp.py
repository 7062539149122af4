"""ICMP echo without shelling out to ping: unprivileged ping sockets, else a raw socket as root.

Linux lets a process open ``socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`` when one of its groups is
inside ``/proc/sys/net/ipv4/ping_group_range`` (the kernel then owns the identifier and hands
back only our replies, without the IP header). Otherwise root (CAP_NET_RAW) may use a raw socket,
which sees every ICMP packet of the host, IP header included, so replies are matched by identifier
and sequence. Without either, ICMP checks fail with the reason rather than a guess.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import struct
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

ECHO_REPLY, ECHO_REQUEST = 0, 8
PING_GROUP_RANGE = Path("/proc/sys/net/ipv4/ping_group_range")
_HEADER = struct.Struct("!BBHHH")
_SEQUENCE = itertools.count(1)


class IcmpError(Exception):
    """An echo could not be sent or answered; the message says why."""


class IcmpMode(StrEnum):
    """How this process can send ICMP echo requests."""

    DGRAM = "dgram"
    RAW = "raw"


@dataclass(frozen=True)
class IcmpAccess:
    """The mode this process may use (None: none) and why."""

    mode: IcmpMode | None
    reason: str


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of ``data``."""
    if len(data) % 2:
        data += b"\0"
    total: int = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    """An ICMP echo request with its checksum filled in."""
    header = _HEADER.pack(ECHO_REQUEST, 0, 0, ident & 0xFFFF, seq & 0xFFFF)
    return _HEADER.pack(ECHO_REQUEST, 0, checksum(header + payload), ident & 0xFFFF, seq & 0xFFFF) + payload


def parse_echo_reply(packet: bytes, *, ip_header: bool) -> tuple[int, int, bytes] | None:
    """(identifier, sequence, payload) of an echo reply, or None for any other packet."""
    if ip_header:
        if len(packet) < 20 or packet[0] >> 4 != 4:
            return None
        packet = packet[(packet[0] & 0x0F) * 4 :]
    if len(packet) < _HEADER.size:
        return None
    kind, code, _, ident, seq = _HEADER.unpack_from(packet)
    if kind != ECHO_REPLY or code != 0:
        return None
    return ident, seq, packet[_HEADER.size :]


def ping_group_allows(range_text: str, gids: set[int]) -> bool:
    """Whether any of ``gids`` lies in a ping_group_range value such as "0 2147483647" ("1 0": none)."""
    try:
        low, high = (int(part) for part in range_text.split())
    except ValueError:
        return False
    return any(low <= gid <= high for gid in gids)


def decide_access(range_text: str | None, gids: set[int], euid: int) -> IcmpAccess:
    """Ping sockets when the group range allows them, a raw socket when root, else none (with why)."""
    if range_text is not None and ping_group_allows(range_text, gids):
        return IcmpAccess(IcmpMode.DGRAM, "ping sockets allowed by net.ipv4.ping_group_range")
    shown = "unreadable" if range_text is None else repr(range_text.strip())
    if euid == 0:
        why = f"ping sockets not permitted (ping_group_range {shown}); raw socket as root"
        return IcmpAccess(IcmpMode.RAW, why)
    return IcmpAccess(
        None, f"ICMP not permitted: ping sockets disabled (net.ipv4.ping_group_range {shown}) and not root"
    )


def icmp_access() -> IcmpAccess:
    """What this process may use, from /proc and its own groups and user."""
    try:
        range_text: str | None = PING_GROUP_RANGE.read_text(encoding="ascii")
    except OSError:
        range_text = None
    return decide_access(range_text, {os.getegid(), *os.getgroups()}, os.geteuid())


def _open(mode: IcmpMode) -> socket.socket:
    kind = socket.SOCK_DGRAM if mode is IcmpMode.DGRAM else socket.SOCK_RAW
    try:
        sock = socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP)
    except PermissionError as exc:
        why = f"ICMP not permitted: cannot open a {mode.value} ICMP socket ({exc.strerror})"
        raise IcmpError(why) from exc
    sock.setblocking(False)
    return sock


async def _resolve(host: str) -> str:
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, family=socket.AF_INET)
    if not infos:
        raise IcmpError(f"no IPv4 address for {host}")
    return str(infos[0][4][0])


def _ours(reply: tuple[int, int, bytes] | None, mode: IcmpMode, ident: int, sent: tuple[int, bytes]) -> bool:
    """Whether a reply answers our request (a ping socket's kernel owns and filters the identifier)."""
    return reply is not None and reply[1:] == sent and (mode is IcmpMode.DGRAM or reply[0] == ident)


async def ping(host: str, mode: IcmpMode, *, timeout_s: float) -> float:
    """Send one echo request to ``host`` and return the round trip in ms (IcmpError, TimeoutError)."""
    loop = asyncio.get_running_loop()
    address = await _resolve(host)
    ident, seq = os.getpid() & 0xFFFF, next(_SEQUENCE) & 0xFFFF
    payload = struct.pack("!d", time.time()) + os.urandom(8)
    sock = _open(mode)
    try:
        started = time.perf_counter()
        await loop.sock_sendto(sock, echo_request(ident, seq, payload), (address, 0))
        async with asyncio.timeout(timeout_s):
            while True:
                packet, source = await loop.sock_recvfrom(sock, 4096)
                reply = parse_echo_reply(packet, ip_header=mode is IcmpMode.RAW)
                if source[0] == address and _ours(reply, mode, ident, (seq, payload)):
                    return (time.perf_counter() - started) * 1000.0
    finally:
        sock.close()
