"""snmprec records: type codes, value encodings, index forms, and the MIB-II/IF-MIB groups."""

from __future__ import annotations

import random
from collections.abc import Iterable

Record = tuple[str, str, str]
"""One snmprec line: (numeric OID, type code, value as written in the file)."""

INTEGER = "2"
OCTETS = "4"
HEX = "4x"
OID = "6"
IPADDR = "64"
COUNTER32 = "65"
GAUGE32 = "66"
TIMETICKS = "67"
COUNTER64 = "70"

NA_INT32 = 2147483647  # Huawei "no value" for optics of an offline ONT
MAX32 = 2**32
MAX64 = 2**64


def oid_key(oid: str) -> tuple[int, ...]:
    """Numeric sort key of a dotted OID (snmpsim binary-searches the file in this order)."""
    return tuple(int(part) for part in oid.split("."))


def sort_records(records: Iterable[Record]) -> list[Record]:
    """Records in numeric OID order, last writer wins on duplicates."""
    by_oid = {rec[0]: rec for rec in records}
    return [by_oid[oid] for oid in sorted(by_oid, key=oid_key)]


def render(records: Iterable[Record]) -> str:
    """The .snmprec text of already sorted records."""
    return "".join(f"{oid}|{tag}|{value}\n" for oid, tag, value in records)


def hex_octets(data: bytes) -> str:
    """The value of a ``4x`` record (upper-case hex, as snmpsim's recorder writes it)."""
    return data.hex().upper()


def mac_bytes(mac: str) -> bytes:
    """``aa:bb:cc:dd:ee:ff`` (or bare hex) to 6 octets."""
    raw = bytes.fromhex(mac.replace(":", "").replace("-", ""))
    if len(raw) != 6:
        raise ValueError(f"not a MAC address: {mac!r}")
    return raw


def mac_index(mac: str) -> str:
    """A MacAddress (fixed size) as an index: six decimal sub-identifiers."""
    return ".".join(str(b) for b in mac_bytes(mac))


def string_index(value: str) -> str:
    """A variable-length OCTET STRING as an index: length, then one sub-identifier per octet."""
    raw = value.encode("ascii")
    return ".".join([str(len(raw)), *(str(b) for b in raw)])


def ticks(seconds: float) -> int:
    """TimeTicks (hundredths of a second), wrapped as the agent's 32-bit counter wraps."""
    return int(seconds * 100) % MAX32


def drift(value: float, step: float, low: float, high: float, rng: random.Random) -> float:
    """A bounded random walk: move by up to ``step`` either way, staying in [low, high]."""
    return min(high, max(low, value + rng.uniform(-step, step)))


def c32(value: int) -> str:
    """A Counter32 value as the agent reports it (wrapped at 2^32)."""
    return str(value % MAX32)


def c64(value: int) -> str:
    """A Counter64 value (wrapped at 2^64)."""
    return str(value % MAX64)


def random_mac(rng: random.Random, oui: str) -> str:
    """A MAC address under the vendor's OUI (``aa:bb:cc``), lower-case with colons."""
    tail = [rng.randrange(256) for _ in range(3)]
    return oui.lower() + "".join(f":{b:02x}" for b in tail)
