"""The simulated RouterOS API on a raw socket, with hand-written byte vectors: tags, !fatal,
the challenge login, and word lengths at the 1/2/3/4-byte prefix boundaries."""

from __future__ import annotations

import hashlib
import socket
import time
from collections.abc import Iterator

import pytest

from device_fixtures.routeros import RouterOSFleet, RouterState, build_router, serve_routeros

LOGIN = b"\x06/login\x0b=name=admin\x0f=password=admin\x00"
DONE = b"\x05!done\x00"


def short(*words: bytes) -> bytes:
    """A sentence of short words (< 0x80 bytes, one-byte prefix) closed by the empty word."""
    assert all(len(w) < 0x80 for w in words)
    return b"".join(bytes([len(w)]) + w for w in words) + b"\x00"


def read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def read_word(sock: socket.socket) -> tuple[bytes, bytes]:
    """(prefix bytes, word) decoded straight from the spec, independent of the fixture's codec."""
    first = read_exact(sock, 1)
    extra = 0 if first[0] < 0x80 else 1 if first[0] < 0xC0 else 2 if first[0] < 0xE0 else 3
    prefix = first + read_exact(sock, extra)
    masks = {1: 0x7F, 2: 0x3FFF, 3: 0x1FFFFF, 4: 0xFFFFFFF}
    length = int.from_bytes(prefix, "big") & masks[len(prefix)]
    return prefix, read_exact(sock, length)


def read_sentence(sock: socket.socket) -> list[str]:
    words: list[str] = []
    while True:
        _, word = read_word(sock)
        if not word:
            return words
        words.append(word.decode("latin-1"))


@pytest.fixture
def router() -> RouterState:
    return build_router("rtr-1", 10, seed=2)


@pytest.fixture
def fleet(router: RouterState) -> Iterator[RouterOSFleet]:
    with serve_routeros([router]) as running:
        yield running


@pytest.fixture
def sock(fleet: RouterOSFleet) -> Iterator[socket.socket]:
    with socket.create_connection(("127.0.0.1", fleet.port), timeout=5) as s:
        yield s


def login(sock: socket.socket) -> None:
    sock.sendall(LOGIN)
    assert read_exact(sock, len(DONE)) == DONE


def test_plain_login_bytes(sock: socket.socket) -> None:
    login(sock)


def test_challenge_login_bytes(sock: socket.socket) -> None:
    sock.sendall(b"\x06/login\x00")
    words = read_sentence(sock)
    assert words[0] == "!done" and words[1].startswith("=ret=")
    challenge = bytes.fromhex(words[1][5:])
    response = "00" + hashlib.md5(b"\x00admin" + challenge, usedforsecurity=False).hexdigest()
    word = f"=response={response}".encode()
    assert len(word) == 44
    sock.sendall(b"\x06/login\x0b=name=admin\x2c" + word + b"\x00")
    assert read_sentence(sock) == ["!done"]


def test_wrong_password_traps_then_closes(sock: socket.socket) -> None:
    sock.sendall(b"\x06/login\x0b=name=admin\x0c=password=no\x00")
    assert read_sentence(sock) == ["!trap", "=message=invalid user name or password (6)"]
    assert read_sentence(sock) == ["!done"]
    assert sock.recv(1) == b""


def test_command_before_login_is_fatal(sock: socket.socket) -> None:
    sock.sendall(short(b"/interface/print"))
    assert read_sentence(sock) == ["!fatal", "not logged in"]
    assert sock.recv(1) == b""


def test_quit_is_fatal_then_closed(sock: socket.socket) -> None:
    login(sock)
    sock.sendall(b"\x05/quit\x00")
    assert read_sentence(sock) == ["!fatal", "session terminated on request"]
    assert sock.recv(1) == b""


def test_tagged_replies_interleave_and_cancel(sock: socket.socket) -> None:
    login(sock)
    ping = (b"/ping", b"=address=127.0.0.1", b"=interval=50ms", b"=count=40")
    sock.sendall(short(*ping, b".tag=a") + short(*ping, b".tag=b"))
    tags: list[str] = []
    while len(tags) < 8:
        words = read_sentence(sock)
        assert words[0] == "!re"
        tags.append(words[-1])
    assert {".tag=a", ".tag=b"} == set(tags)
    assert tags.index(".tag=b") < max(i for i, t in enumerate(tags) if t == ".tag=a")
    sock.sendall(short(b"/cancel", b"=tag=a", b".tag=c"))
    seen: list[list[str]] = []
    while ["!done", ".tag=c"] not in seen:
        seen.append(read_sentence(sock))
    assert ["!trap", "=category=2", "=message=interrupted", ".tag=a"] in seen
    later = [read_sentence(sock) for _ in range(3)]
    assert all(words[-1] == ".tag=b" for words in later)


def test_tag_echoed_on_print_and_trap(sock: socket.socket) -> None:
    login(sock)
    sock.sendall(short(b"/system/identity/print", b".tag=7"))
    assert read_sentence(sock) == ["!re", "=name=rtr-1", ".tag=7"]
    assert read_sentence(sock) == ["!done", ".tag=7"]
    sock.sendall(b"\x0a/bad/print\x06.tag=8\x00")
    trap = read_sentence(sock)
    assert trap[0] == "!trap" and trap[-1] == ".tag=8" and "=category=0" in trap
    assert read_sentence(sock) == ["!done", ".tag=8"]


@pytest.mark.parametrize(
    ("length", "prefix"),
    [
        (0x7F, b"\x7f"),
        (0x80, b"\x80\x80"),
        (0x3FFF, b"\xbf\xff"),
        (0x4000, b"\xc0\x40\x00"),
        (0x1FFFFF, b"\xdf\xff\xff"),
        (0x200000, b"\xe0\x20\x00\x00"),
    ],
)
def test_word_length_boundaries(sock: socket.socket, length: int, prefix: bytes) -> None:
    login(sock)
    head = b"=comment="
    word = head + b"c" * (length - len(head))
    sock.sendall(b"\x0f/ppp/secret/add\x0b=name=big01\x0d=password=pw1" + prefix + word + b"\x00")
    done = read_sentence(sock)
    assert done[0] == "!done" and done[1].startswith("=ret=*")
    sock.sendall(short(b"/ppp/secret/print", b"=.proplist=comment", b"?name=big01"))
    assert read_word(sock) == (b"\x03", b"!re")
    assert read_word(sock) == (prefix, word)
    assert read_word(sock) == (b"\x00", b"")
    assert read_sentence(sock) == ["!done"]


def test_reserved_control_byte_is_fatal(sock: socket.socket) -> None:
    login(sock)
    sock.sendall(b"\xf8\x00")
    words = read_sentence(sock)
    assert words[0] == "!fatal"
    assert sock.recv(1) == b""


def test_fault_knobs_on_the_wire(fleet: RouterOSFleet, router: RouterState, sock: socket.socket) -> None:
    login(sock)
    router.faults.latency_s = 0.2
    started = time.perf_counter()
    sock.sendall(short(b"/system/identity/print"))
    assert read_sentence(sock) == ["!re", "=name=rtr-1"]
    assert time.perf_counter() - started >= 0.2
    read_sentence(sock)
    router.faults.clear()
    router.faults.silent = True
    sock.settimeout(0.3)
    sock.sendall(short(b"/system/identity/print"))
    with pytest.raises(TimeoutError):
        sock.recv(1)
    router.faults.silent = False
    sock.settimeout(5)
    router.faults.cut_reply = True
    sock.sendall(short(b"/interface/print"))
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    assert received and not received.endswith(DONE)


def test_reboot_closes_connections_and_resets_uptime(router: RouterState, sock: socket.socket) -> None:
    login(sock)
    router.advance(3600)
    router.faults.reboot()
    sock.sendall(short(b"/system/identity/print"))
    assert sock.recv(1) == b""
    resource = next(iter(router.menus["/system/resource"]))
    assert resource["uptime"] == "0s"
