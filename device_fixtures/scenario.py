"""A scenario is a whole simulated ISP as data: how many routers with how many subscribers, OLTs
with ONUs, radios and Zabbix hosts. ``demo`` is small and lively, ``large`` is 2,000 devices; a
JSON or TOML file with the same keys describes any other."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

RADIO_FAMILIES = ("airos", "airos-af-ltu", "unifi", "epmp", "pmp")
OLT_VENDORS = ("huawei", "zte")


@dataclass(frozen=True)
class Scenario:
    """The shape of a simulated ISP (all counts; the devices themselves are generated from ``seed``)."""

    name: str
    routers: int = 2
    subscribers_per_router: int = 40
    olts: int = 2
    onus_per_olt: int = 16
    olt_vendors: tuple[str, ...] = OLT_VENDORS
    radios: int = 6
    radio_families: tuple[str, ...] = RADIO_FAMILIES
    zabbix_hosts: int = 20
    zabbix_problems: int = 6
    tick_seconds: float = 5.0
    flap: float = 0.02
    snmp_processes: int = 1
    seed: int = 7
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def devices(self) -> int:
        """Routers, OLTs and radios (Zabbix hosts are the same network seen by Zabbix)."""
        return self.routers + self.olts + self.radios

    def validate(self) -> Scenario:
        """Refuse impossible shapes, naming the key."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                raise ValueError(f"scenario {self.name}: {f.name} must be >= 0")
        unknown = [v for v in self.olt_vendors if v not in OLT_VENDORS]
        if unknown or not self.olt_vendors:
            raise ValueError(f"scenario {self.name}: olt_vendors must be from {', '.join(OLT_VENDORS)}")
        bad = [r for r in self.radio_families if r not in RADIO_FAMILIES]
        if bad or not self.radio_families:
            raise ValueError(f"scenario {self.name}: radio_families must be from {', '.join(RADIO_FAMILIES)}")
        return self


SCENARIOS: dict[str, Scenario] = {
    "demo": Scenario(name="demo"),
    "large": Scenario(
        name="large", routers=50, subscribers_per_router=500, olts=40, onus_per_olt=128, radios=1910,
        zabbix_hosts=2000, zabbix_problems=60, tick_seconds=30.0, flap=0.002, snmp_processes=2,
    ),
}


def load_scenario(name_or_path: str) -> Scenario:
    """A named scenario, or one read from a ``.json`` / ``.toml`` file (unknown keys are refused)."""
    if name_or_path in SCENARIOS:
        return SCENARIOS[name_or_path]
    path = Path(name_or_path)
    if not path.is_file():
        raise ValueError(f"no scenario named {name_or_path!r} and no such file "
                         f"(named ones: {', '.join(SCENARIOS)})")
    text = path.read_text(encoding="utf-8")
    data: dict[str, Any] = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    known = {f.name for f in fields(Scenario)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"{path}: unknown scenario keys: {', '.join(unknown)}")
    data.setdefault("name", path.stem)
    for key in ("olt_vendors", "radio_families"):
        if key in data:
            data[key] = tuple(data[key])
    return Scenario(**data).validate()
