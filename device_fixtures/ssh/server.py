"""SSH servers (asyncssh) for simulated OLT CLIs: one port per OLT, all on one asyncio loop in a
background thread, one host key per process.

Per connection: password login (refused under ``wrong_credentials``), the vendor's banner and
prompt, then a character-level shell as the real devices run it: input echoed (not a password),
lines ended by CR, LF or CRLF, backspace, the pager (space: a page, enter: a line, q: stop).

Faults (``state.fault``, read on every reply): latency_s delays each reply; cut_reply sends half
of the next reply and hangs up; silent never writes again (a dead CLI behind a live socket);
wrong_credentials refuses every login.
"""

from __future__ import annotations

import asyncio
import functools
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from cryptography.utils import CryptographyDeprecationWarning

with warnings.catch_warnings():  # asyncssh names cryptography's deprecated DSA types at import
    warnings.filterwarnings("ignore", "DSA is deprecated", CryptographyDeprecationWarning, r"asyncssh\.")
    import asyncssh

from device_fixtures.loop import LoopThread
from device_fixtures.ssh import huawei_cli, zte_cli
from device_fixtures.ssh.shell import CliSession, Dialect, Reply
from device_fixtures.ssh.state import OltCliState

DIALECTS: dict[str, Dialect] = {"huawei": huawei_cli.DIALECT, "zte": zte_cli.DIALECT}
BACKSPACES = "\x08\x7f"


@functools.cache
def host_key() -> asyncssh.SSHKey:
    """The host key every simulated OLT presents (generated once per process)."""
    return asyncssh.generate_private_key("ssh-ed25519")


class _Keys:
    """Typed characters from the client, a line or a single key at a time."""

    def __init__(self, stdin: asyncssh.SSHReader[str]) -> None:
        self.stdin = stdin
        self.buffer = ""
        self.skip_lf = False

    async def _more(self) -> bool:
        data = await self.stdin.read(4096)
        self.buffer += data
        return bool(data)

    async def key(self) -> str | None:
        """One key (CR then LF counts once); None when the client has gone."""
        while True:
            if self.buffer:
                ch, self.buffer = self.buffer[0], self.buffer[1:]
                if ch == "\n" and self.skip_lf:
                    self.skip_lf = False
                    continue
                self.skip_lf = ch == "\r"
                return ch
            if not await self._more():
                return None

    async def line(self, echo: Callable[[str], None] | None) -> str | None:
        """One line, echoed to ``echo`` as typed; None when the client has gone."""
        typed = ""
        while True:
            ch = await self.key()
            if ch is None:
                return None
            if ch in "\r\n":
                if echo is not None:
                    echo("\r\n")
                return typed
            if ch in BACKSPACES:
                if typed and echo is not None:
                    echo("\x08 \x08")
                typed = typed[:-1]
            elif ch.isprintable():
                typed += ch
                if echo is not None:
                    echo(ch)

    async def drain_forever(self) -> None:
        """Swallow input until the client goes (a silent device)."""
        while await self._more():
            self.buffer = ""


class _Shell:
    """One interactive session on one OLT."""

    def __init__(self, state: OltCliState, dialect: Dialect, process: asyncssh.SSHServerProcess[str]) -> None:
        self.state, self.dialect, self.process = state, dialect, process
        self.out = process.stdout
        self.keys = _Keys(process.stdin)
        user = str(process.get_extra_info("username") or "")
        self.session = CliSession(state, user, dialect.initial_mode, dialect.page_length)

    def gone(self) -> bool:
        """The client closed the channel or the connection (asyncio's transport is closing)."""
        if self.process.is_closing():
            return True
        transport = getattr(self.process.get_extra_info("connection"), "_transport", None)
        return transport is None or bool(transport.is_closing())

    def _write(self, text: str) -> None:
        """Write to the client unless it has gone (never to a closed channel or socket)."""
        if not self.gone():
            self.out.write(text)

    async def run(self) -> None:
        """Banner and prompt, then command after command until logout or hang-up."""
        if not await self._ready():
            return
        self._write(self.dialect.banner(self.session) + self.dialect.prompt(self.session))
        while True:
            line = await self.keys.line(None if self.session.hidden else self._write)
            if line is None:
                return
            reply = self.dialect.respond(self.session, line)
            if not await self._emit(reply):
                return
            await self.out.drain()

    async def _ready(self) -> bool:
        """Apply latency and silence before a write; False when the device stays silent."""
        faults = self.state.fault
        if faults.silent:
            await self.keys.drain_forever()
            return False
        if faults.latency_s > 0:
            await asyncio.sleep(faults.latency_s)
        return True

    async def _emit(self, reply: Reply) -> bool:
        """Write a reply (paged, cut under the fault) and the next prompt; False to hang up."""
        if not await self._ready():
            return False
        if self.state.fault.cut_reply and reply.text:
            self._write(reply.text[: max(1, len(reply.text) // 2)])
            return False
        if not reply.prompt:
            self._write(reply.text)
            return not reply.close
        if reply.text:
            if not reply.paged:
                self._write(reply.text)
            elif not await self._paged(reply.text):
                return False
            self._write("\r\n" + self.dialect.gap)
        if reply.close:
            return False
        self._write(self.dialect.prompt(self.session))
        return True

    async def _paged(self, text: str) -> bool:
        """Write ``text`` a screen at a time when paging is on; False if the client went."""
        lines = text.split("\r\n")
        length = self.session.page_length
        if length <= 0 or len(lines) <= length:
            self._write(text)
            return True
        shown, budget = 0, length
        while True:
            chunk = lines[shown: shown + budget]
            shown += len(chunk)
            self._write("\r\n".join(chunk))
            if shown >= len(lines):
                return True
            self._write("\r\n" + self.dialect.more)
            await self.out.drain()
            key = await self.keys.key()
            if key is None:
                return False
            self._write(self.dialect.erase)
            if key in "qQ\x03":
                return True
            budget = 1 if key in "\r\n" else length


async def _serve_process(state: OltCliState, process: asyncssh.SSHServerProcess[str]) -> None:
    shell = _Shell(state, DIALECTS[state.vendor], process)
    try:
        await shell.run()
    except (asyncssh.Error, ConnectionError, BrokenPipeError, asyncio.CancelledError):
        pass
    finally:
        if not shell.gone():
            with suppress(Exception):
                process.exit(0)


class _Login(asyncssh.SSHServer):
    """Password login against the OLT's credentials; tracks the connection for shutdown."""

    def __init__(self, fleet: OltSshFleet, state: OltCliState) -> None:
        self.fleet, self.state = fleet, state
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        self.fleet.connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.fleet.connections.discard(self.conn)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self.state.check_login(username, password)


@dataclass
class OltSshEndpoint:
    """Where one simulated OLT's CLI listens."""

    state: OltCliState
    host: str
    port: int

    @property
    def name(self) -> str:
        """The OLT's name."""
        return self.state.name


class OltSshFleet:
    """Running OLT SSH servers: one endpoint (host, port) per OLT, one loop thread for all."""

    def __init__(self, states: Sequence[OltCliState], host: str = "127.0.0.1") -> None:
        self.host = host
        self.states = list(states)
        self.endpoints: list[OltSshEndpoint] = []
        self.connections: set[asyncssh.SSHServerConnection] = set()
        self._servers: list[asyncssh.SSHAcceptor] = []
        self._runner = LoopThread("olt-ssh")

    def __getitem__(self, name: str) -> OltSshEndpoint:
        return next(e for e in self.endpoints if e.name == name)

    def __iter__(self) -> Iterator[OltSshEndpoint]:
        return iter(self.endpoints)

    @property
    def port(self) -> int:
        """The first OLT's port (handy with a single OLT)."""
        return self.endpoints[0].port

    async def _open(self) -> None:
        key = host_key()
        for state in self.states:
            server = await asyncssh.create_server(
                functools.partial(_Login, self, state), self.host, 0, server_host_keys=[key],
                process_factory=functools.partial(_serve_process, state), line_editor=False,
                encoding="utf-8", keepalive_interval=0)
            self._servers.append(server)
            self.endpoints.append(OltSshEndpoint(state, self.host, server.get_port()))

    async def _close(self) -> None:
        for server in self._servers:
            server.close()
        for conn in list(self.connections):
            conn.close()
        for server in self._servers:
            with suppress(Exception):
                await server.wait_closed()
        for conn in list(self.connections):
            with suppress(Exception):
                await asyncio.wait_for(conn.wait_closed(), 2)

    def start(self) -> None:
        """Bind every OLT's port and serve in the background thread."""
        self._runner.start(self._open(), timeout=60)

    def stop(self) -> None:
        """Close every listener and connection, then the loop."""
        self._runner.stop(self._close)


@contextmanager
def serve_olt_ssh(states: Sequence[OltCliState], host: str = "127.0.0.1") -> Iterator[OltSshFleet]:
    """Serve each OLT's CLI over SSH on its own ephemeral port for the duration of the block."""
    fleet = OltSshFleet(states, host)
    try:
        fleet.start()
        yield fleet
    finally:
        fleet.stop()
