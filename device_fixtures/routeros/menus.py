"""Menus of a simulated router: ordered rows keyed by ``.id`` (``*1``, ``*2``...), and their specs.

A spec says which properties a menu takes (defaults for ``add``), which are booleans, which one
names an item uniquely, and whether the menu is a single item (``/system/resource``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from device_fixtures.routeros.query import BOOLEAN_WORDS

Row = dict[str, str]


class MenuError(Exception):
    """An API error as the router reports it: message and ``!trap`` category."""

    def __init__(self, message: str, category: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.category = category


@dataclass(frozen=True)
class MenuSpec:
    """What a menu accepts: writable properties with their defaults, booleans, its unique key."""

    defaults: Mapping[str, str] = field(default_factory=dict)
    booleans: frozenset[str] = frozenset({"disabled"})
    unique: str | None = "name"
    single: bool = False
    writable: bool = True
    read_only: frozenset[str] = frozenset()


def _spec(unique: str | None = "name", **defaults: str) -> MenuSpec:
    return MenuSpec(defaults={k.replace("_", "-"): v for k, v in defaults.items()}, unique=unique)


SPECS: dict[str, MenuSpec] = {
    "/system/resource": MenuSpec(single=True, writable=False, unique=None),
    "/system/identity": MenuSpec(defaults={"name": "MikroTik"}, single=True, unique=None),
    "/interface": MenuSpec(
        defaults={"name": "", "type": "ether", "mtu": "1500", "comment": "", "disabled": "false"},
        booleans=frozenset({"disabled", "running", "dynamic"}),
        read_only=frozenset({"rx-byte", "tx-byte", "rx-packet", "tx-packet", "running", "dynamic"}),
    ),
    "/ppp/secret": _spec(
        name="", password="", service="any", profile="default", caller_id="", comment="",
        disabled="false", local_address="", remote_address="", routes="", limit_bytes_in="0",
        limit_bytes_out="0",
    ),
    "/ppp/profile": _spec(
        name="", local_address="", remote_address="", rate_limit="", address_list="",
        only_one="default", comment="",
    ),
    "/ppp/active": MenuSpec(
        unique="name", writable=False, booleans=frozenset({"radius"}),
    ),
    "/ip/hotspot/user": _spec(
        name="", password="", profile="default", server="all", address="", mac_address="",
        limit_uptime="0s", limit_bytes_total="0", comment="", disabled="false",
    ),
    "/ip/hotspot/user/profile": _spec(
        name="", rate_limit="", shared_users="1", address_pool="none", session_timeout="0s",
        idle_timeout="none", keepalive_timeout="2m", address_list="",
    ),
    "/ip/hotspot/active": MenuSpec(unique=None, writable=False, booleans=frozenset({"radius", "blocked"})),
    "/ip/firewall/address-list": MenuSpec(
        defaults={"list": "", "address": "", "comment": "", "timeout": "", "disabled": "false"},
        booleans=frozenset({"disabled", "dynamic"}), unique=None,
        read_only=frozenset({"dynamic", "creation-time"}),
    ),
    "/ip/firewall/nat": MenuSpec(
        defaults={"chain": "", "action": "accept", "protocol": "", "src-address": "", "dst-address": "",
                  "src-address-list": "", "dst-address-list": "", "dst-port": "", "in-interface": "",
                  "to-addresses": "", "to-ports": "", "comment": "", "disabled": "false"},
        booleans=frozenset({"disabled", "dynamic"}), unique=None,
        read_only=frozenset({"bytes", "packets", "dynamic"}),
    ),
    "/ip/pool": _spec(name="", ranges="", next_pool="none", comment=""),
    "/queue/simple": MenuSpec(
        defaults={"name": "", "target": "", "max-limit": "0/0", "comment": "", "disabled": "false",
                  "parent": "none", "limit-at": "0/0", "priority": "8/8"},
        booleans=frozenset({"disabled", "dynamic"}), read_only=frozenset({"bytes", "packets", "dynamic"}),
    ),
    "/log": MenuSpec(unique=None, writable=False, booleans=frozenset()),
}


@dataclass
class Menu:
    """One menu's rows in order, keyed by ``.id``; ids are never reused within a boot."""

    path: str
    spec: MenuSpec
    rows: dict[str, Row] = field(default_factory=dict)
    next_id: int = 1
    on_remove: Callable[[Row], None] | None = None

    def __iter__(self) -> Iterator[Row]:
        return iter(list(self.rows.values()))

    def __len__(self) -> int:
        return len(self.rows)

    def insert(self, values: Mapping[str, str]) -> str:
        """Add a row as the router itself does (no checks); returns its ``.id``."""
        item_id = f"*{self.next_id:X}"
        self.next_id += 1
        self.rows[item_id] = {".id": item_id, **values}
        return item_id

    def find(self, key: str, value: str) -> Row | None:
        """The first row whose ``key`` equals ``value``."""
        return next((r for r in self.rows.values() if r.get(key) == value), None)

    def resolve(self, ref: str) -> Row:
        """A row by ``*ID`` or by its unique name (what ``=.id=`` and ``=numbers=`` take)."""
        row = self.rows.get(ref.upper() if ref.startswith("*") else ref)
        if row is None and self.spec.unique:
            row = self.find(self.spec.unique, ref)
        if row is None:
            raise MenuError("no such item", 0)
        return row

    def normalise(self, values: Mapping[str, str], *, adding: bool) -> Row:
        """Check property names and spell booleans as the router prints them."""
        out: Row = {}
        for name, value in values.items():
            if name in (".id", "numbers"):
                continue
            if (self.spec.defaults and name not in self.spec.defaults) or name in self.spec.read_only:
                raise MenuError(f"unknown parameter {name}", 1)
            if name in self.spec.booleans:
                if value not in BOOLEAN_WORDS:
                    raise MenuError(f"invalid value for argument {name}", 1)
                value = BOOLEAN_WORDS[value]
            out[name] = value
        return out

    def add(self, values: Mapping[str, str]) -> str:
        """The ``add`` command: defaults, unique name check; returns the new ``.id``."""
        if not self.spec.writable or self.spec.single:
            raise MenuError("no such command", 0)
        row = {**self.spec.defaults, **self.normalise(values, adding=True)}
        unique = self.spec.unique
        if unique is not None:
            if not row.get(unique):
                raise MenuError(f"failure: {unique} not specified", 1)
            if self.find(unique, row[unique]) is not None:
                raise MenuError(f"failure: item with such {unique} already exists", 1)
        return self.insert(row)

    def update(self, ref: str, values: Mapping[str, str]) -> Row:
        """The ``set`` command on one item."""
        row = self.resolve(ref)
        changes = self.normalise(values, adding=False)
        unique = self.spec.unique
        if unique is not None and unique in changes:
            other = self.find(unique, changes[unique])
            if other is not None and other is not row:
                raise MenuError(f"failure: item with such {unique} already exists", 1)
        row.update(changes)
        return row

    def remove(self, ref: str) -> Row:
        """The ``remove`` command on one item (an active session is dropped by its hook)."""
        row = self.resolve(ref)
        del self.rows[row[".id"]]
        if self.on_remove is not None:
            self.on_remove(row)
        return row


def make_menus() -> dict[str, Menu]:
    """Empty menus for every path the simulated router serves."""
    return {path: Menu(path, spec) for path, spec in SPECS.items()}


def targets(attributes: Mapping[str, str]) -> list[str]:
    """The items a ``set``/``remove``/``enable``/``disable`` addresses (``.id`` or ``numbers``)."""
    ref = attributes.get(".id") or attributes.get("numbers") or ""
    refs = [r for r in ref.split(",") if r]
    if not refs:
        raise MenuError("no such item", 0)
    return refs
