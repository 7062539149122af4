"""OLT SNMP parsing: index schemes, value encodings, sentinels, offline ONUs (no sockets)."""

from __future__ import annotations

import warnings

import pytest

from collectors.enums import OnuStatus
from collectors.olt_snmp import parse_olt, parse_onus
from collectors.olt_snmp_vendors import (
    BDCOM,
    HUAWEI,
    UFIBER,
    VSOL,
    ZTE,
    dbm_text,
    gpon_serial,
    huawei_pon,
    ufiber_onu_index,
    zte_pon,
    zte_power,
)
from collectors.snmp import Walk, oid

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from pysnmp.proto.rfc1902 import Gauge32, Integer, OctetString

HW = "1.3.6.1.4.1.2011.6.128.1.1.2"
PON_0_1_0 = 4194304000 + 8192


def test_huawei_and_zte_pon_names_follow_the_vendor() -> None:
    assert huawei_pon(4194304000) == "0/0/0"
    assert huawei_pon(4194307840) == "0/0/15"
    assert huawei_pon(PON_0_1_0) == "0/1/0"
    assert zte_pon(268501248) == "1/1/1"
    assert zte_pon(268501504) == "1/1/2"
    assert zte_pon(268566784) == "1/2/1"


def test_huawei_ont_rows_decode_and_sentinels_are_none() -> None:
    ix = f"{PON_0_1_0}.3"
    walk: Walk = {
        oid(f"{HW}.43.1.3.{ix}"): OctetString(hexValue="485754431F14CAAD"),
        oid(f"{HW}.43.1.9.{ix}"): OctetString("cust-7"),
        oid(f"{HW}.46.1.15.{ix}"): Integer(1),
        oid(f"{HW}.46.1.20.{ix}"): Integer(1234),
        oid(f"{HW}.51.1.3.{ix}"): Integer(223),
        oid(f"{HW}.51.1.4.{ix}"): Integer(-2154),
        oid(f"{HW}.51.1.6.{ix}"): Integer(2147483647),
        oid(f"{HW}.23.1.4.{PON_0_1_0}"): Integer(711),
    }
    poll = parse_olt(HUAWEI, walk)
    (onu,) = poll.onus
    assert (onu.pon, onu.onu_index) == ("0/1/0", 3)
    assert onu.values["serial"] == "HWTC1F14CAAD"
    assert onu.values["status"] == OnuStatus.ONLINE
    assert onu.values["rx_dbm"] == -21.54 and onu.values["tx_dbm"] == 2.23
    assert onu.values["olt_rx_dbm"] is None
    assert onu.values["distance_m"] == 1234
    assert [(p.name, p.tx_dbm) for p in poll.pons] == [("0/1/0", 7.11)]


@pytest.mark.parametrize("raw", [2147483647, -21474836, -2147483648])
def test_huawei_unknown_optics_never_become_dbm(raw: int) -> None:
    ix = f"{PON_0_1_0}.1"
    walk: Walk = {oid(f"{HW}.46.1.15.{ix}"): Integer(1), oid(f"{HW}.51.1.4.{ix}"): Integer(raw)}
    assert parse_onus(HUAWEI, walk)[0].values["rx_dbm"] is None


def test_huawei_olt_rx_is_offset_by_10000() -> None:
    ix = f"{PON_0_1_0}.1"
    walk: Walk = {oid(f"{HW}.51.1.6.{ix}"): Integer(-2250 + 10000)}
    assert parse_onus(HUAWEI, walk)[0].values["olt_rx_dbm"] == -22.5


def test_offline_onu_has_no_optics_and_keeps_its_down_cause() -> None:
    ix = f"{PON_0_1_0}.2"
    walk: Walk = {oid(f"{HW}.46.1.15.{ix}"): Integer(2), oid(f"{HW}.46.1.24.{ix}"): Integer(13),
                  oid(f"{HW}.46.1.20.{ix}"): Integer(-1), oid(f"{HW}.51.1.4.{ix}"): Integer(-1500)}
    values = parse_onus(HUAWEI, walk)[0].values
    assert values["status"] == OnuStatus.OFFLINE
    assert values["last_down_cause"] == "dying-gasp"
    assert values["rx_dbm"] is None and values["distance_m"] is None


def test_zte_power_formula_and_na() -> None:
    assert zte_power(Integer(round((-21.5 + 30) / 0.002))) == -21.5
    assert zte_power(Integer(65535)) is None


def test_zte_optics_index_has_a_trailing_one_and_phase_maps_status() -> None:
    base = "1.3.6.1.4.1.3902.1012.3"
    walk: Walk = {oid(f"{base}.28.2.1.4.268501504.5"): Integer(5),
                  oid(f"{base}.50.12.1.1.10.268501504.5.1"): Integer(65535),
                  oid(f"{base}.28.2.1.4.268501504.6"): Integer(4),
                  oid(f"{base}.50.12.1.1.10.268501504.6.1"): Integer(4250)}
    offline, online = parse_onus(ZTE, walk)
    assert (offline.pon, offline.onu_index) == ("1/1/2", 5)
    assert offline.values["status"] == OnuStatus.OFFLINE
    assert offline.values["last_down_cause"] == "dyingGasp"
    assert online.values["status"] == OnuStatus.ONLINE and online.values["rx_dbm"] == -21.5


@pytest.mark.parametrize(("text", "dbm"), [("0.03 mW (-14.61 dBm)", -14.61), ("1.66 mW (2.20 dBm)", 2.2),
                                           ("--", None), ("", None)])
def test_vsol_optics_text(text: str, dbm: float | None) -> None:
    assert dbm_text(OctetString(text)) == dbm


def test_vsol_rows() -> None:
    base = "1.3.6.1.4.1.37950.1.1.5.12"
    walk: Walk = {oid(f"{base}.1.25.1.4.2.7"): Integer(1),
                  oid(f"{base}.1.25.1.5.2.7"): OctetString("E0:67:B3:00:11:22"),
                  oid(f"{base}.1.25.1.17.2.7"): Gauge32(830),
                  oid(f"{base}.2.1.8.1.7.2.7"): OctetString("0.01 mW (-19.90 dBm)")}
    (onu,) = parse_onus(VSOL, walk)
    assert (onu.pon, onu.onu_index) == ("0/2", 7)
    assert onu.values == {"status": OnuStatus.ONLINE, "mac": "e0:67:b3:00:11:22", "distance_m": 830,
                          "rx_dbm": -19.9}


def test_ufiber_offline_zero_optics_are_none_and_pon_comes_from_column_5() -> None:
    serial = "UBNTe4eb528a"
    index = ".".join([str(len(serial)), *(str(b) for b in serial.encode())])
    base = "1.3.6.1.4.1.41112.1.5.6.2.1"
    walk: Walk = {oid(f"{base}.1.{index}"): OctetString(serial), oid(f"{base}.3.{index}"): Integer(2),
                  oid(f"{base}.5.{index}"): Integer(3), oid(f"{base}.8.{index}"): Integer(0),
                  oid(f"{base}.9.{index}"): Integer(0)}
    (onu,) = parse_onus(UFIBER, walk)
    assert onu.pon == "pon3" and onu.onu_index == ufiber_onu_index(serial) == 0x64EB528A
    assert onu.values["rx_dbm"] is None and onu.values["tx_dbm"] is None


def test_bdcom_counts_per_pon_named_from_if_name() -> None:
    base = "1.3.6.1.4.1.3320.10.2.1.1"
    walk: Walk = {oid(f"{base}.4.11"): Integer(14), oid(f"{base}.5.11"): Integer(2),
                  oid("1.3.6.1.2.1.31.1.1.1.1.11"): OctetString("GPON0/1"),
                  oid("1.3.6.1.2.1.31.1.1.1.1.1"): OctetString("GigaEthernet0/1")}
    poll = parse_olt(BDCOM, walk)
    assert poll.onus == ()
    assert [(p.name, p.online, p.offline) for p in poll.pons] == [("0/1", 14, 2)]


def test_gpon_serial_non_standard_is_text() -> None:
    assert gpon_serial(OctetString("ABC")) == "ABC"
