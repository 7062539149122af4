"""RouterOS API servers on loopback, one port per simulated router, all on one asyncio loop.

The loop runs in a background thread, so the whole fleet (50 routers and more) costs one thread.
Per connection: login first (``/login =name= =password=`` from 6.43, or the challenge
``/login`` -> ``=ret=`` -> ``=response=00<md5>`` on every version), then commands, each reply
tagged with the request's ``.tag``. ``/ping`` streams one ``!re`` per ``=interval=`` until
``=count=`` or ``/cancel``, so replies to different tags interleave. ``/quit`` answers
``!fatal session terminated on request`` and closes.

Faults (``state.faults``, read on every request): latency_s delays each reply; cut_reply sends
half of a reply and closes; trap answers every command with ``!trap``; silent never answers;
wrong_credentials fails every login; a reboot closes the router's open connections.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from device_fixtures import syslog
from device_fixtures.loop import LoopThread
from device_fixtures.routeros.commands import execute, trap
from device_fixtures.routeros.state import RouterState
from device_fixtures.routeros.wire import Request, SentenceReader, WireError, fatal, parse_request, reply

PLAIN_LOGIN_SINCE = (6, 43)
BAD_LOGIN = "invalid user name or password (6)"
TRAP_FAULT = (
    "action timed out - try again, if error continues contact MikroTik support and send a supout file (13)"
)


def challenge_response(password: str, challenge_hex: str) -> str:
    """What a client answers to a pre-6.43 challenge: ``00`` + md5(0x00 + password + challenge)."""
    data = b"\x00" + password.encode("latin-1") + bytes.fromhex(challenge_hex)
    digest = hashlib.md5(data, usedforsecurity=False)
    return "00" + digest.hexdigest()


class _Connection:
    """One API session: its login, its running streamed commands, its writer."""

    def __init__(self, state: RouterState, writer: asyncio.StreamWriter) -> None:
        self.state = state
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.peer = str(peer[0]) if peer else "0.0.0.0"
        self.user: str | None = None
        self.challenge: str | None = None
        self.closed = False
        self.boot = state.boots_seen
        self.streams: dict[str | None, asyncio.Task[None]] = {}

    def send(self, sentences: list[bytes]) -> None:
        """Write a whole reply (or half of it under cut_reply, then hang up)."""
        if self.closed:
            return
        data = b"".join(sentences)
        if self.state.faults.cut_reply:
            self.writer.write(data[: max(1, len(data) // 2)])
            self.close()
            return
        self.writer.write(data)

    def close(self) -> None:
        """Hang up (once), stopping streamed commands and logging the API user out."""
        if self.closed:
            return
        self.closed = True
        for task in self.streams.values():
            task.cancel()
        if self.user is not None:
            with self.state.lock:
                self.state.log(syslog.ACCOUNT, syslog.account_logged_out(self.user, self.peer, "api"))
        self.writer.close()

    async def handle(self, words: list[str]) -> None:
        """One request sentence."""
        state = self.state
        state.check_reboot()
        if state.boots_seen != self.boot:
            self.user = None
            self.close()
            return
        if state.faults.silent:
            return
        if state.faults.latency_s > 0:
            await asyncio.sleep(state.faults.latency_s)
        try:
            request = parse_request(words)
        except WireError as exc:
            self.send([fatal(str(exc))])
            self.close()
            return
        self.dispatch(request)

    def dispatch(self, request: Request) -> None:
        """Route a parsed request: login, session commands, streamed commands, menus."""
        if request.command == "/login":
            self.login(request)
        elif self.user is None:
            self.send([fatal("not logged in")])
            self.close()
        elif request.command == "/quit":
            self.send([fatal("session terminated on request")])
            self.close()
        elif request.command == "/cancel":
            self.cancel(request)
        elif self.state.faults.trap:
            self.send(trap(TRAP_FAULT, 4, request.tag))
        elif request.command == "/ping":
            self.start_ping(request)
        else:
            self.send(execute(self.state, request))

    def login(self, request: Request) -> None:
        """Both login methods; a failure answers ``!trap`` + ``!done`` and closes."""
        name = request.attributes.get("name")
        plain = "password" in request.attributes and self.state.version_tuple >= PLAIN_LOGIN_SINCE
        if name is None or not (plain or "response" in request.attributes):
            self.challenge = secrets.token_hex(16)
            self.send([reply("!done", {"ret": self.challenge}, request.tag)])
            return
        if plain:
            good = self.state.check_login(name, request.attributes["password"])
        else:
            password = self.state.credentials.get(name)
            good = (
                self.challenge is not None and password is not None
                and not self.state.faults.wrong_credentials
                and request.attributes["response"] == challenge_response(password, self.challenge)
            )
        with self.state.lock:
            if not good:
                self.state.log(syslog.LOGIN_FAILURE, syslog.login_failure(name, self.peer, "api"))
                self.send(trap(BAD_LOGIN, None, request.tag))
                self.close()
                return
            self.user = name
            self.state.commands["/login"] += 1
            self.state.log(syslog.ACCOUNT, syslog.account_logged_in(name, self.peer, "api"))
        self.send([reply("!done", None, request.tag)])

    def cancel(self, request: Request) -> None:
        """``/cancel [=tag=X]``: the cancelled command ends with ``!trap interrupted``."""
        wanted = request.attributes.get("tag")
        for tag, task in list(self.streams.items()):
            if wanted is None or wanted == tag:
                task.cancel()
                self.streams.pop(tag, None)
                self.send(trap("interrupted", 2, tag) if tag is not None else [reply("!done")])
        self.send([reply("!done", None, request.tag)])

    def start_ping(self, request: Request) -> None:
        """``/ping =address= [=count=] [=interval=]`` as a streamed command."""
        address = request.attributes.get("address", "")
        try:
            count = int(request.attributes.get("count", "0"))
            interval = _seconds(request.attributes.get("interval", "1s"))
        except ValueError:
            self.send(trap("invalid value for argument count or interval", 1, request.tag))
            return
        task = asyncio.get_running_loop().create_task(self._ping(request.tag, address, count, interval))
        self.streams[request.tag] = task

    async def _ping(self, tag: str | None, address: str, count: int, interval: float) -> None:
        seq = 0
        while count <= 0 or seq < count:
            if seq:
                await asyncio.sleep(interval)
            rtt = f"{1 + seq % 3}ms"
            self.send([reply("!re", {
                "seq": str(seq), "host": address, "size": "56", "ttl": "64", "time": rtt,
                "sent": str(seq + 1), "received": str(seq + 1), "packet-loss": "0",
                "min-rtt": "1ms", "avg-rtt": "2ms", "max-rtt": "3ms",
            }, tag)])
            seq += 1
        self.streams.pop(tag, None)
        self.send([reply("!done", None, tag)])


def _seconds(text: str) -> float:
    """``200ms``, ``1s`` or a bare number of seconds."""
    if text.endswith("ms"):
        return float(text[:-2]) / 1000
    return float(text.rstrip("s"))


async def _serve_connection(
    state: RouterState, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    conn = _Connection(state, writer)
    decoder = SentenceReader()
    try:
        while not conn.closed:
            data = await reader.read(65536)
            if not data:
                break
            try:
                sentences = decoder.feed(data)
            except WireError as exc:
                conn.send([fatal(str(exc))])
                break
            for words in sentences:
                await conn.handle(words)
                if conn.closed:
                    break
            if not conn.closed:
                await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        conn.close()


@dataclass
class RouterEndpoint:
    """Where one simulated router listens."""

    state: RouterState
    host: str
    port: int

    @property
    def name(self) -> str:
        """The router's name."""
        return self.state.name


class RouterOSFleet:
    """Running RouterOS API servers: one endpoint (host, port) per router."""

    def __init__(self, routers: list[RouterState], host: str = "127.0.0.1") -> None:
        self.host = host
        self.routers = routers
        self.endpoints: list[RouterEndpoint] = []
        self._runner = LoopThread("routeros-api")
        self._servers: list[asyncio.Server] = []

    def __getitem__(self, name: str) -> RouterEndpoint:
        return next(e for e in self.endpoints if e.state.name == name)

    def __iter__(self) -> Iterator[RouterEndpoint]:
        return iter(self.endpoints)

    @property
    def port(self) -> int:
        """The first router's port (handy with a single router)."""
        return self.endpoints[0].port

    async def _open(self) -> None:
        for state in self.routers:
            server = await asyncio.start_server(functools.partial(_serve_connection, state), self.host, 0)
            self._servers.append(server)
            self.endpoints.append(RouterEndpoint(state, self.host, server.sockets[0].getsockname()[1]))

    async def _close(self) -> None:
        for server in self._servers:
            server.close()

    def start(self) -> None:
        """Bind every router's port and serve in the background thread."""
        self._runner.start(self._open(), timeout=30)

    def stop(self) -> None:
        """Close every listener and connection, then the loop."""
        self._runner.stop(self._close)


@contextmanager
def serve_routeros(routers: list[RouterState], host: str = "127.0.0.1") -> Iterator[RouterOSFleet]:
    """Serve each router's API on its own ephemeral port for the duration of the block."""
    fleet = RouterOSFleet(routers, host)
    fleet.start()
    try:
        yield fleet
    finally:
        fleet.stop()
