"""The OLT SSH collector's pure parsers: real SmartAX captures (ntc-templates' own test data) and
ZTE C320 output in the layout public captures show."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.enums import OnuStatus
from collectors.olt_ssh import (
    OnuFacts,
    huawei_serial,
    merge,
    parse_huawei_ont_table,
    parse_huawei_optical,
    parse_huawei_summary,
    parse_zte_detail,
    parse_zte_power,
    parse_zte_state,
)

ZTE_STATE = """OnuIndex   Admin State  OMCC State  Phase State  Channel
--------------------------------------------------------------
1/2/1:1     enable       enable      working      1(GPON)
1/2/1:4     enable       disable     OffLine      1(GPON)
1/2/1:9     enable       disable     DyingGasp    1(GPON)
1/2/1:12    enable       disable     LOS          1(GPON)
ONU Number: 1/4
"""
ZTE_POWER = """Onu                 Rx power
------------------------------------
gpon-onu_1/2/1:1    -16.676(dbm)
gpon-onu_1/2/1:4    N/A
gpon-onu_1/2/1:12   -27.110(dbm)
"""
ZTE_DETAIL = """ONU interface:         gpon-onu_1/2/1:9
  Name:                alice-home
  Type:                F601
  State:               ready
  Admin state:         enable
  Phase state:         DyingGasp
  Serial number:       ZTEGC0FFEE11
  Password:
  Description:         pole 14
  ONU Distance:        N/A
  Online Duration:     N/A
------------------------------------------
       Authpass Time          OfflineTime             Cause
   1   2026-03-21 15:08:19    2026-03-25 16:03:23     LOS
   2   2026-03-25 16:06:32    2026-03-26 10:59:52     DyingGasp
   3   0000-00-00 00:00:00    0000-00-00 00:00:00
"""


def raw(device_data: Path, folder: str, name: str) -> str:
    path = device_data / "ntc" / "huawei_smartax" / folder / name
    if not path.is_file():
        pytest.skip(f"{path} is not in the recordings")
    return path.read_text()


def test_huawei_ont_table_capture(device_data: Path) -> None:
    text = raw(device_data, "display_ont_info_0", "huawei_smartax_display_ont_info_fsp.raw")
    facts = parse_huawei_ont_table(text)
    assert sum(1 for f in facts if f.pon == "0/1/0") == 31
    first = facts[0]
    assert (first.pon, first.onu_index) == ("0/1/0", 0)
    assert first.values == {"serial": "1234567890ABCDEF", "status": OnuStatus.ONLINE,
                            "description": "Generic_description"}


def test_huawei_summary_capture_with_offline_ont(device_data: Path) -> None:
    facts = parse_huawei_summary(raw(device_data, "display_ont_info_summary_ont",
                                     "huawei_smartax_display_ont_info_summary_ont_3.raw"))
    online, offline = facts
    assert (online.pon, online.onu_index) == ("0/1/0", 0)
    assert online.values == {"status": OnuStatus.ONLINE, "last_down_cause": None, "model": "P612E",
                             "distance_m": 42, "rx_dbm": -22.84, "tx_dbm": 2.12}
    assert offline.values["status"] == OnuStatus.OFFLINE
    assert offline.values["last_down_cause"] == "LOSi/LOBi"
    assert offline.values["rx_dbm"] is None and offline.values["distance_m"] is None


def test_huawei_optical_capture(device_data: Path) -> None:
    facts = parse_huawei_optical(raw(device_data, "display_ont_optical-info_0_all",
                                     "huawei_smartax_display_ont_optical-info_0_all.raw"), "0/1/0")
    assert len(facts) == 10 and facts[0].pon == "0/1/0"
    assert facts[0].values == {"rx_dbm": -24.68, "tx_dbm": 3.68, "olt_rx_dbm": -22.68,
                               "temperature_c": 38.0, "distance_m": 171}


def test_huawei_failure_answer_is_no_rows() -> None:
    assert parse_huawei_optical("  Failure: The ONT is not online\n", "0/0/0") == []


def test_huawei_serial_hex_to_vendor_form() -> None:
    assert huawei_serial("485754431F14CAAD") == "HWTC1F14CAAD"
    assert huawei_serial("485754431F14CAAD (HWTC-1F14CAAD)") == "HWTC1F14CAAD"
    assert huawei_serial("1234567890ABCDEF") == "1234567890ABCDEF"


def test_zte_state_power_detail() -> None:
    states = parse_zte_state(ZTE_STATE)
    assert [(f.pon, f.onu_index, f.values["status"]) for f in states] == [
        ("1/2/1", 1, OnuStatus.ONLINE), ("1/2/1", 4, OnuStatus.OFFLINE), ("1/2/1", 9, OnuStatus.OFFLINE),
        ("1/2/1", 12, OnuStatus.OFFLINE)]
    power = {f.onu_index: f.values for f in parse_zte_power(ZTE_POWER, "rx_dbm")}
    assert power == {1: {"rx_dbm": -16.676}, 4: {"rx_dbm": None}, 12: {"rx_dbm": -27.11}}
    detail = parse_zte_detail(ZTE_DETAIL)
    assert detail == OnuFacts("1/2/1", 9, {"serial": "ZTEGC0FFEE11", "description": "alice-home",
                                           "model": "F601", "distance_m": None,
                                           "last_down_cause": "dyingGasp"})
    assert parse_zte_detail("%Code 62310: No related information to show.") is None


def test_merge_later_commands_win_and_places_are_ordered() -> None:
    first = [OnuFacts("0/0/10", 1, {"status": OnuStatus.ONLINE}), OnuFacts("0/0/2", 3, {"rx_dbm": -20.0})]
    merged = merge(first, [OnuFacts("0/0/2", 3, {"rx_dbm": -21.5, "tx_dbm": 2.0})])
    assert merged == (OnuFacts("0/0/2", 3, {"rx_dbm": -21.5, "tx_dbm": 2.0}),
                      OnuFacts("0/0/10", 1, {"status": OnuStatus.ONLINE}))
