"""What one simulated OLT's CLI works on: its SNMP face's ``Olt`` object (the very same ONUs, so
both faces agree), login credentials, faults, and the ONUs an operator deactivated."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from device_fixtures.faults import Faults
from device_fixtures.snmp.olts import DEACTIVATED, HuaweiOlt, Olt, Onu

HUAWEI_CAUSE_TEXT = {1: "LOS", 2: "LOSi/LOBi", 8: "deactive ONT success", 9: "reset", 13: "dying-gasp"}
"""How the SmartAX CLI words a down cause (the MIB's enumeration, as the CLI prints it)."""

ZTE_CAUSE_TEXT = {1: "LOS", 2: "LOSi", 8: "Deactive", 9: "Reset", 13: "DyingGasp"}
"""The same causes as a ZTE C320 prints them in ``detail-info`` history."""


def sim_clock(seconds: float) -> str:
    """The device clock at ``seconds`` of simulated time (the SNMP face's DateAndTime calendar)."""
    s = max(0, int(seconds))
    day, rest = divmod(s, 86400)
    month, dom = divmod(day % 336, 28)
    return (f"{2025 + day // 336:04d}-{month + 1:02d}-{dom + 1:02d} "
            f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}")


@dataclass
class OltCliState:
    """One OLT as its SSH CLI sees it; ``olt`` is shared with (and moved by) the SNMP face."""

    olt: Olt
    hostname: str = ""
    credentials: dict[str, str] = field(default_factory=lambda: {"admin": "admin"})
    faults: Faults | None = None
    deactivated: set[tuple[int, int]] = field(default_factory=set)
    on_change: Callable[[str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if not self.hostname:
            self.hostname = "MA5608T" if self.vendor == "huawei" else "ZXAN"
        if self.faults is None:
            self.faults = self.olt.faults

    @property
    def name(self) -> str:
        """The OLT's name (its SNMP face's)."""
        return self.olt.name

    @property
    def vendor(self) -> str:
        """``huawei`` or ``zte``."""
        return "huawei" if isinstance(self.olt, HuaweiOlt) else "zte"

    @property
    def fault(self) -> Faults:
        """The fault knobs in force (the SNMP face's unless given)."""
        assert self.faults is not None
        return self.faults

    def check_login(self, username: str, password: str) -> bool:
        """Whether this user and password log in now (never under ``wrong_credentials``)."""
        if self.fault.wrong_credentials:
            return False
        return username in self.credentials and self.credentials[username] == password

    def onus_on(self, pon: int) -> list[Onu]:
        """The ONUs of one PON port (0-based, as the SNMP face numbers them), by id."""
        return sorted((o for o in self.olt.onus if o.pon == pon), key=lambda o: o.onu_id)

    def find(self, pon: int, onu_id: int) -> Onu | None:
        """The ONU at ``pon``/``onu_id`` or None."""
        return next((o for o in self.olt.onus if o.pon == pon and o.onu_id == onu_id), None)

    def is_active(self, onu: Onu) -> bool:
        """False once an operator deactivated the ONU."""
        return (onu.pon, onu.onu_id) not in self.deactivated

    def set_active(self, onu: Onu, active: bool) -> None:
        """``ont deactivate`` / ``ont activate``: the ONU goes offline (or registers again)."""
        with self.lock:
            if active:
                self.deactivated.discard((onu.pon, onu.onu_id))
                onu.set_online(True)
            else:
                self.deactivated.add((onu.pon, onu.onu_id))
                onu.set_online(False, cause=DEACTIVATED)
        if self.on_change is not None:
            self.on_change(self.name)

    def reassert(self) -> None:
        """Keep deactivated ONUs offline (the SNMP face's flapping may have brought one back)."""
        with self.lock:
            for pon, onu_id in self.deactivated:
                onu = self.find(pon, onu_id)
                if onu is not None and onu.online:
                    onu.set_online(False, cause=DEACTIVATED)
