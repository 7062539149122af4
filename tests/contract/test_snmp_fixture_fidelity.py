"""The generated SNMP devices look like the real recordings on the wire.

Both are served by the same snmpsim process and walked with pysnmp; for the OIDs both carry
(system group, IF-MIB columns, the family's key columns from OIDS.md) the SNMP types, the
octet-string encodings (text / binary), the index forms and the value ranges must agree.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from device_fixtures.snmp import SnmpFleet, build_device

with warnings.catch_warnings():  # pysmi, imported by pysnmp, warns about its own deprecated names
    warnings.simplefilter("ignore", DeprecationWarning)
    from pysnmp.hlapi.v3arch.asyncio import (
        CommunityData,
        ContextData,
        ObjectIdentity,
        ObjectType,
        SnmpEngine,
        UdpTransportTarget,
        bulk_walk_cmd,
    )

pytestmark = pytest.mark.filterwarnings(
    r"ignore:\w+ is deprecated. Please use \w+ instead:DeprecationWarning"
)

Range = tuple[int, int] | None
SYSTEM = "1.3.6.1.2.1.1"
IF_TABLE = "1.3.6.1.2.1.2.2.1"
IFX_TABLE = "1.3.6.1.2.1.31.1.1.1"
UBNT = "1.3.6.1.4.1.41112.1"
DBM: Range = (-100, 0)


@dataclass(frozen=True)
class Case:
    """A real recording, the family generated to match it, and the key columns to compare."""

    recording: str
    family: str
    subtree: str
    columns: tuple[tuple[str, Range], ...]


CASES = [
    Case(
        "airos_airos8",
        "airos",
        f"{UBNT}.4",
        (
            (f"{UBNT}.4.1.1.4", (2000, 6500)),
            (f"{UBNT}.4.1.1.6", (0, 35)),
            (f"{UBNT}.4.1.1.7", (0, 100_000)),
            (f"{UBNT}.4.2.1.2", (0, 100)),
            (f"{UBNT}.4.5.1.5", DBM),
            (f"{UBNT}.4.5.1.6", (0, 100)),
            (f"{UBNT}.4.5.1.7", (0, 100)),
            (f"{UBNT}.4.5.1.8", (-120, -60)),
            (f"{UBNT}.4.5.1.9", (0, 2_000_000_000)),
            (f"{UBNT}.4.5.1.10", (0, 2_000_000_000)),
            (f"{UBNT}.4.5.1.15", (0, 255)),
            (f"{UBNT}.4.6.1.4", (0, 100)),
            (f"{UBNT}.4.6.1.7", (0, 1000)),
        ),
    ),
    Case(
        "airos-af-ltu",
        "airos-af-ltu",
        f"{UBNT}.10",
        (
            (f"{UBNT}.10.1.2.2", (2000, 6500)),
            (f"{UBNT}.10.1.3.2", None),
            (f"{UBNT}.10.1.4.1.3", (0, 2_000_000)),
            (f"{UBNT}.10.1.4.1.4", (0, 2_000_000)),
            (f"{UBNT}.10.1.4.1.5", DBM),
            (f"{UBNT}.10.1.4.1.6", DBM),
            (f"{UBNT}.10.1.4.1.23", (0, 100_000)),
        ),
    ),
    Case(
        "unifi_nanohd",
        "unifi",
        f"{UBNT}.6",
        (
            (f"{UBNT}.6.1.1.1.3", None),
            (f"{UBNT}.6.1.2.1.4", (1, 200)),
            (f"{UBNT}.6.1.2.1.6", None),
            (f"{UBNT}.6.1.2.1.8", (0, 500)),
            (f"{UBNT}.6.1.2.1.9", None),
            (f"{UBNT}.6.1.2.1.21", (0, 40)),
        ),
    ),
    Case(
        "epmp_epmp-ap-connected-sta",
        "epmp",
        "1.3.6.1.4.1.17713.21.1.2",
        (
            ("1.3.6.1.4.1.17713.21.1.2.1", (2000, 6500)),
            ("1.3.6.1.4.1.17713.21.1.2.10", (0, 256)),
            *[
                (f"1.3.6.1.4.1.17713.21.1.2.30.1.{c}", r)
                for c, r in (
                    (1, None),
                    (4, DBM),
                    (5, DBM),
                    (6, (0, 60)),
                    (7, (0, 60)),
                    (8, (0, 31)),
                    (9, (0, 31)),
                    (10, None),
                    (18, None),
                    (19, (0, 100)),
                    (20, (0, 100)),
                    (29, (0, 100_000)),
                )
            ],
        ),
    ),
    *[
        Case(
            rec,
            "pmp",
            "1.3.6.1.4.1.161.19.3",
            (
                ("1.3.6.1.4.1.161.19.3.1.7.1", (0, 500)),
                ("1.3.6.1.4.1.161.19.3.1.7.37", (2_000_000, 6_500_000)),
                ("1.3.6.1.4.1.161.19.3.1.4.1.74", (0, 60)),
                ("1.3.6.1.4.1.161.19.3.1.4.1.84", (0, 60)),
                ("1.3.6.1.4.1.161.19.3.1.4.1.35", None),
                ("1.3.6.1.4.1.161.19.3.1.4.1.87", None),
                ("1.3.6.1.4.1.161.19.3.3.1.266", None),
            ),
        )
        for rec in ("pmp_450", "pmp")
    ],
    Case(
        "routeros",
        "routeros",
        "1.3.6.1.4.1",
        (
            *[
                (f"1.3.6.1.4.1.14988.1.1.1.3.1.{c}", r)
                for c, r in (
                    (2, None),
                    (3, None),
                    (4, None),
                    (6, (0, 2000)),
                    (7, (0, 6500)),
                    (8, None),
                    (9, (-130, 0)),
                    (10, (0, 100)),
                    (11, (0, 2000)),
                )
            ],
            ("1.3.6.1.4.1.14988.1.1.1.2.1.3", DBM),
            ("1.3.6.1.4.1.14988.1.1.6.1", (0, 100_000)),
            ("1.3.6.1.4.1.9.9.150.1.1.1", (0, 100_000)),
            ("1.3.6.1.4.1.14988.1.1.4.4", None),
            ("1.3.6.1.4.1.14988.1.1.14.1.1.2", None),
        ),
    ),
    Case(
        "routeros_rb750gr3",
        "routeros",
        "1.3.6.1.4.1",
        (
            ("1.3.6.1.4.1.14988.1.1.6.1", (0, 100_000)),
            ("1.3.6.1.4.1.9.9.150.1.1.1", (0, 100_000)),
            ("1.3.6.1.4.1.14988.1.1.7.3", None),
            ("1.3.6.1.4.1.14988.1.1.7.9", None),
        ),
    ),
    Case(
        "routeros_crs317",
        "routeros",
        "1.3.6.1.4.1",
        (
            ("1.3.6.1.4.1.14988.1.1.4.4", None),
            ("1.3.6.1.4.1.14988.1.1.7.3", None),
            ("1.3.6.1.4.1.14988.1.1.14.1.1.2", None),
        ),
    ),
    Case(
        "smartax",
        "smartax",
        "1.3.6.1.4.1.2011.6.128.1.1.2",
        (
            ("1.3.6.1.4.1.2011.6.128.1.1.2.21.1.16", (0, 128)),
            ("1.3.6.1.4.1.2011.6.128.1.1.2.23.1.1", (-40, 100)),
            ("1.3.6.1.4.1.2011.6.128.1.1.2.23.1.2", (0, 500)),
            ("1.3.6.1.4.1.2011.6.128.1.1.2.23.1.3", (0, 200)),
            ("1.3.6.1.4.1.2011.6.128.1.1.2.23.1.4", (-1000, 1500)),
        ),
    ),
    Case(
        "zxa10_c320",
        "zxa10",
        "1.3.6.1.4.1.3902.1012.3",
        (
            ("1.3.6.1.4.1.3902.1012.3.11.4.1.1", (0, 10_000_000)),
            ("1.3.6.1.4.1.3902.1012.3.11.4.1.2", (0, 60_000)),
            ("1.3.6.1.4.1.3902.1012.3.13.1.1.1", None),
            ("1.3.6.1.4.1.3902.1012.3.13.1.1.2", None),
        ),
    ),
    Case(
        "edgeosolt",
        "edgeosolt",
        "1.3.6.1.4.1.41112.1.5",
        (
            (f"{UBNT}.5.1.1", None),
            (f"{UBNT}.5.1.3", None),
            (f"{UBNT}.5.6.1", (0, 1024)),
            *[
                (f"{UBNT}.5.6.2.1.{c}", r)
                for c, r in (
                    (1, None),
                    (2, None),
                    (3, (1, 2)),
                    (4, None),
                    (5, (0, 64)),
                    (6, None),
                    (7, None),
                    (8, (-1000, 1000)),
                    (9, (-4000, 0)),
                    (10, None),
                    (11, None),
                )
            ],
        ),
    ),
]


def column_of(oid: str) -> str:
    """The column of an IF-MIB/system OID (the index stripped); other OIDs stay as they are."""
    for table, arcs in ((IF_TABLE, 11), (IFX_TABLE, 12), (SYSTEM, 10)):
        if oid.startswith(table + "."):
            return ".".join(oid.split(".")[:arcs])
    return oid


def encoding(value: Any) -> str:
    """How a value looks on the wire: its ASN.1 type, and for OCTET STRINGs text or binary."""
    kind = type(value).__name__
    if kind != "OctetString":
        return kind
    raw = value.asOctets()
    if not raw:
        return "OctetString/empty"
    return "OctetString/text" if all(32 <= b < 127 for b in raw) else "OctetString/binary"


def under(oid: str, prefix: str) -> bool:
    return oid == prefix or oid.startswith(prefix + ".")


class Served:
    """The snmpsim process serving the recordings (community = file name) and generated devices.

    One pysnmp engine on one event loop walks them all; walks are cached per (community, root).
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.walks: dict[tuple[str, str], dict[str, Any]] = {}
        self.loop = asyncio.new_event_loop()
        self.engine = SnmpEngine()

    def walk(self, community: str, root: str) -> dict[str, Any]:
        key = (community, root)
        if key not in self.walks:
            self.walks[key] = self.loop.run_until_complete(self._walk(community, root))
        return self.walks[key]

    async def _walk(self, community: str, root: str) -> dict[str, Any]:
        found: dict[str, Any] = {}
        target = await UdpTransportTarget.create(("127.0.0.1", self.port), timeout=3, retries=1)
        async for err_ind, err_status, _, binds in bulk_walk_cmd(
            self.engine,
            CommunityData(community, mpModel=1),
            target,
            ContextData(),
            0,
            50,
            ObjectType(ObjectIdentity(root)),
            lexicographicMode=False,
            lookupMib=False,
        ):
            assert not err_ind and not err_status, (community, root, err_ind, err_status)
            found.update((str(name), value) for name, value in binds)
        return found

    def close(self) -> None:
        self.engine.close_dispatcher()
        self.loop.run_until_complete(asyncio.sleep(0.01))
        self.loop.close()


@pytest.fixture(scope="module")
def served(device_data: Path) -> Iterator[Served]:
    recordings = device_data / "librenms" / "snmprec"
    workdir = Path(tempfile.mkdtemp(prefix="snmp-fidelity-"))
    data_dir = workdir / "data"
    data_dir.mkdir()
    fleet = SnmpFleet(
        [build_device(f, f"gen-{f}", seed=3) for f in sorted({c.family for c in CASES})],
        data_dir,
        "127.0.0.1",
    )
    for case in CASES:
        shutil.copyfile(recordings / f"{case.recording}.snmprec", data_dir / f"{case.recording}.snmprec")
    try:
        fleet.start(relay=False)
        walker = Served(fleet.port)
        yield walker
        walker.close()
    finally:
        fleet.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def profile(values: dict[str, Any]) -> dict[str, set[str]]:
    """Encodings seen per column."""
    out: dict[str, set[str]] = defaultdict(set)
    for oid, value in values.items():
        out[column_of(oid)].add(encoding(value))
    return out


def assert_same_encodings(real: dict[str, Any], generated: dict[str, Any], where: str) -> int:
    """For every column both carry: same SNMP types, compatible text/binary; returns how many."""
    real_p, gen_p = profile(real), profile(generated)
    common = set(real_p) & set(gen_p)
    for column in sorted(common):
        real_e, gen_e = real_p[column] - {"OctetString/empty"}, gen_p[column] - {"OctetString/empty"}
        if real_e and gen_e:
            assert gen_e <= real_e, f"{where} {column}: generated {gen_e}, real {real_e}"
    return len(common)


@pytest.mark.parametrize("case", CASES, ids=[c.recording for c in CASES])
def test_system_group_and_if_mib_match_the_recording(served: Served, case: Case) -> None:
    gen = f"gen-{case.family}"
    real_sys, gen_sys = served.walk(case.recording, SYSTEM), served.walk(gen, SYSTEM)
    assert str(gen_sys["1.3.6.1.2.1.1.2.0"]) == str(real_sys["1.3.6.1.2.1.1.2.0"])
    assert assert_same_encodings(real_sys, gen_sys, case.recording) >= 3
    for table in (IF_TABLE, IFX_TABLE):
        real, generated = served.walk(case.recording, table), served.walk(gen, table)
        assert bool(real) == bool(generated), f"{case.recording}: {table} present in only one"
        if real:
            assert assert_same_encodings(real, generated, case.recording) >= 5


@pytest.mark.parametrize("case", CASES, ids=[c.recording for c in CASES])
def test_key_columns_match_the_recording(served: Served, case: Case) -> None:
    real_all = served.walk(case.recording, case.subtree)
    gen_all = served.walk(f"gen-{case.family}", case.subtree)
    for column, bounds in case.columns:
        real = {o: v for o, v in real_all.items() if under(o, column)}
        generated = {o: v for o, v in gen_all.items() if under(o, column)}
        assert real, f"{case.recording} has no {column} (fix the case)"
        assert generated, f"generated {case.family} lacks {column}"
        assert {encoding(v) for v in generated.values()} <= {encoding(v) for v in real.values()} | {
            "OctetString/empty"
        }, column
        arity = {len(o.split(".")) - len(column.split(".")) for o in real}
        assert {len(o.split(".")) - len(column.split(".")) for o in generated} <= arity, (
            f"{column} index form"
        )
        if bounds is not None:
            for values in (real, generated):
                assert all(bounds[0] <= int(v) <= bounds[1] for v in values.values()), (column, values)


def test_string_indexes_are_length_prefixed_like_the_recording(served: Served) -> None:
    column = f"{UBNT}.5.6.2.1.1"
    for community in ("edgeosolt", "gen-edgeosolt"):
        rows = {o: v for o, v in served.walk(community, column).items()}
        assert rows
        for oid, serial in rows.items():
            index = [int(x) for x in oid[len(column) + 1 :].split(".")]
            assert index[0] == len(index) - 1
            assert bytes(index[1:]) == serial.asOctets()
