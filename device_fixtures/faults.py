"""Fault knobs shared by every simulated device, settable at start and at run time."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Faults:
    """What is wrong with a simulated device right now; servers consult it on every request.

    latency_s: added delay before each reply.
    cut_reply: send only part of the next reply, then close the connection.
    trap: answer with the protocol's error (RouterOS !trap, Zabbix error object, SNMP genErr)
        instead of data.
    silent: accept the request but never answer (a dead device behind a live socket).
    wrong_credentials: reject every login as the real device does.
    boots: incremented by ``reboot()``; counters and uptime start again from zero.
    """

    latency_s: float = 0.0
    cut_reply: bool = False
    trap: bool = False
    silent: bool = False
    wrong_credentials: bool = False
    boots: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def reboot(self) -> None:
        """Mark a reboot: the device's counters and uptime restart from zero."""
        with self._lock:
            self.boots += 1

    def clear(self) -> None:
        """Back to a healthy device (the boot count stays)."""
        with self._lock:
            self.latency_s = 0.0
            self.cut_reply = self.trap = self.silent = self.wrong_credentials = False

    def update(self, **changes: object) -> None:
        """Set several knobs at once by name (for the CLI and the scenario files)."""
        with self._lock:
            for name, value in changes.items():
                if name.startswith("_") or not hasattr(self, name) or name == "boots":
                    raise ValueError(f"unknown fault knob: {name}")
                setattr(self, name, value)
