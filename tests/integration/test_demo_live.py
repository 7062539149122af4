"""`ispnoc demo` as a newcomer runs it: a subprocess on a free port; the dashboard and the API answer
with live data from the simulated network, the story suspends an overdue customer on the simulated
router and a payment brings them back; SIGINT stops everything and leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class Output:
    """The demo's output, read on a thread so its pipe never fills."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self.thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.text)
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} within {timeout} s in:\n{self.text[-3000:]}")


def until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1.0)
    raise AssertionError(f"{what} did not happen within {timeout} s")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Output, int]]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ISPNOC_")}
    env.update(COLUMNS="200", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "ispnoc", "demo", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = Output(proc)
    try:
        yield proc, out, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        out.thread.join(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _token(base: str, out: Output) -> dict[str, str]:
    found = out.wait_for(r"client_id (\S+)\s+client_secret (\S+)", 5)
    reply = httpx.post(f"{base}/api/v2/auth/token", json={"client_id": found[1], "client_secret": found[2]})
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def _onus_with_optics(base: str, head: dict[str, str]) -> bool:
    rows = httpx.get(f"{base}/api/v2/network/onus", params={"per_page": 100}, headers=head).json()["data"]
    return any(r["rx_dbm"] is not None for r in rows)


def _login(base: str, out: Output) -> str:
    found = out.wait_for(r"log in as (\S+) / (\S+?)\)", 5)
    with httpx.Client(base_url=base, follow_redirects=True) as web:
        form = web.get("/login").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert csrf, form[:500]
        page = web.post("/login", data={"csrf_token": csrf[1], "next": "/", "email": found[1],
                                        "password": found[2]})
        assert page.status_code == 200
        return page.text


def test_demo_shows_the_live_network_and_stops_clean(demo: tuple[subprocess.Popen[str], Output, int]) -> None:
    proc, out, port = demo
    base = f"http://127.0.0.1:{port}"
    out.wait_for(r"Press Ctrl-C to stop", 120)
    head = _token(base, out)
    until(lambda: _onus_with_optics(base, head), 90, "ONU optics in the API")
    routers = httpx.get(f"{base}/api/v2/network/routers", headers=head).json()["data"]
    assert routers and all(r["status"] == "up" for r in routers)
    overview = _login(base, out)
    assert "Overview" in overview and "Log out" in overview
    out.wait_for(r"Auto-suspension run: [1-9]\d* suspended", 90)
    out.wait_for(r"profile suspended", 10)
    out.wait_for(r"webhook customer\.suspended customer \d+ \(overdue\), signed", 30)
    out.wait_for(r"reactivated [\d.]+ s after paying", 90)
    children = descendants(proc.pid)
    assert children, "the simulated network runs in child processes (snmpsim)"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=90) == 0, out.text[-3000:]
    out.thread.join(timeout=10)
    assert "ispnoc demo stopped" in out.text
    left = [pid for pid in children if alive(pid)]
    assert not left, f"processes left behind: {left}"
