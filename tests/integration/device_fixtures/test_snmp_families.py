"""The snmprec generators and the fleet's file handling, without starting snmpsim."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from device_fixtures.snmp import FAMILIES, SnmpFleet, build_device, build_fleet, snmprec_text
from device_fixtures.snmp.olts import HuaweiOlt, zte_power
from device_fixtures.snmp.olts_extra import vsol_power
from device_fixtures.snmp.records import oid_key, string_index
from device_fixtures.snmp.wire import community_of, get_request, is_response

TYPE_CODES = {"2", "4", "4x", "6", "64", "65", "66", "67", "70"}
DETECTION_PREFIX = {  # LibreNMS os_detection sysObjectID of each family
    "airos": "1.3.6.1.4.1.10002.1",
    "airos-af-ltu": "1.3.6.1.4.1.8072.3.2.10",
    "unifi": "1.3.6.1.4.1.8072.3.2.10",
    "epmp": "1.3.6.1.4.1.17713.21",
    "pmp": "1.3.6.1.4.1.161.19",
    "routeros": "1.3.6.1.4.1.14988.1",
    "smartax": "1.3.6.1.4.1.2011.2.123",
    "zxa10": "1.3.6.1.4.1.3902.1082.",
    "vsolution": "1.3.6.1.4.1.37950.",
    "bdcom": "1.3.6.1.4.1.3320.1",
    "edgeosolt": "1.3.6.1.4.1.41112.1.5",
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_family_renders_a_valid_sorted_snmprec(family: str) -> None:
    lines = snmprec_text(build_device(family, "dev-1")).splitlines()
    oids = [line.split("|", 2)[0] for line in lines]
    assert oids == sorted(oids, key=oid_key)
    assert len(set(oids)) == len(oids)
    assert {line.split("|", 2)[1] for line in lines} <= TYPE_CODES
    system = dict(line.split("|", 2)[::2] for line in lines if line.startswith("1.3.6.1.2.1.1."))
    assert system["1.3.6.1.2.1.1.2.0"].startswith(DETECTION_PREFIX[family].rstrip("."))
    assert system["1.3.6.1.2.1.1.5.0"] == "dev-1"


def test_same_seed_same_device_and_fleet_cycles_families() -> None:
    assert snmprec_text(build_device("zxa10", "z", seed=1)) == snmprec_text(
        build_device("zxa10", "z", seed=1)
    )
    fleet = build_fleet(len(FAMILIES) + 1)
    assert [d.family for d in fleet[: len(FAMILIES)]] == list(FAMILIES)
    assert fleet[-1].name == "airos-2"


def test_vendor_encodings() -> None:
    assert zte_power(-20.0) * 0.002 - 30 == pytest.approx(-20.0)
    assert vsol_power(-14.61) == "0.03 mW (-14.61 dBm)"
    assert string_index("UBNT20731888") == "12.85.66.78.84.50.48.55.51.49.56.56.56"
    olt = build_device("smartax", "olt")
    assert isinstance(olt, HuaweiOlt)
    onu = olt.onus[0]
    sn_line = next(
        line
        for line in snmprec_text(olt).splitlines()
        if line.startswith("1.3.6.1.4.1.2011.6.128.1.1.2.43.1.3.")
    )
    oid, tag, value = sn_line.split("|")
    assert tag == "4x" and bytes.fromhex(value) == onu.serial_octets() and len(onu.serial_octets()) == 8
    assert oid.endswith(f".{4194304000}.{onu.onu_id}")


def test_offline_huawei_ont_reports_no_optics() -> None:
    olt = build_device("smartax", "olt")
    assert isinstance(olt, HuaweiOlt)
    olt.onus[0].set_online(False, cause=2)
    ix = f"4194304000.{olt.onus[0].onu_id}"
    rows = dict(line.split("|", 2)[::2] for line in snmprec_text(olt).splitlines())
    assert rows[f"1.3.6.1.4.1.2011.6.128.1.1.2.51.1.4.{ix}"] == "2147483647"
    assert rows[f"1.3.6.1.4.1.2011.6.128.1.1.2.46.1.24.{ix}"] == "2"


def test_probe_datagram_round_trips_its_community() -> None:
    packet = get_request("olt-7", "1.3.6.1.2.1.1.3.0", 300)
    assert community_of(packet) == "olt-7"
    assert not is_response(packet)
    assert community_of(b"\x30\x03garbage") is None


def test_publish_stamps_increasing_mtimes_and_silence_removes_the_file(tmp_path: Path) -> None:
    device = build_device("routeros", "r1")
    fleet = SnmpFleet([device], tmp_path, "127.0.0.1")
    path = tmp_path / "r1.snmprec"
    first = path.stat().st_mtime
    fleet.tick(1.0)
    fleet.tick(1.0)
    assert math.floor(path.stat().st_mtime) >= math.floor(first) + 2
    device.faults.silent = True
    fleet.publish("r1")
    assert not path.exists()
    device.faults.silent = False
    fleet.publish()
    assert path.exists()
