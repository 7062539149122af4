"""The simulated OLT CLIs without sockets: text generators against ntc-templates and the real
SmartAX captures, keyword matching, modes, deactivation and the questions the shells ask."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from ntc_templates.parse import parse_output

from device_fixtures.snmp.families import snmprec_text
from device_fixtures.snmp.olts import build_huawei_olt, build_zte_olt, huawei_pon_index
from device_fixtures.snmp.records import INTEGER
from device_fixtures.ssh import huawei_cli, huawei_text, zte_cli, zte_text
from device_fixtures.ssh.shell import CliSession, match
from device_fixtures.ssh.state import OltCliState, sim_clock

CAPTURES = {
    "display ont info 0 all": ["display_ont_info_0", "display_ont_info_0_1_2"],
    "display ont info summary 0/0/0": ["display_ont_info_summary_ont"],
    "display ont optical-info 0 all": ["display_ont_optical-info_0_all"],
    "display ont info 0 0 0 1": ["display_ont_info_0_1_2_3"],
}


def huawei() -> OltCliState:
    olt = build_huawei_olt("hw", random.Random(3), pons=2, per_pon=6)
    olt.onus[1].set_online(False, cause=2)
    return OltCliState(olt)


def zte() -> OltCliState:
    olt = build_zte_olt("zx", random.Random(4), pons=2, per_pon=5)
    olt.onus[2].set_online(False)
    return OltCliState(olt)


def kind(value: Any) -> str:
    """The shape of a parsed value: what a consumer of the field would have to handle."""
    text = str(value)
    patterns = [("empty", r""), ("int", r"-?\d+"), ("sn", r"[0-9A-F]{16}"),
                ("datetime", r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\+\d\d:\d\d)?")]
    for name, pattern in patterns:
        if re.fullmatch(pattern, text):
            return name
    decimals = re.fullmatch(r"-?\d+\.(\d+)", text)
    return f"float{len(decimals[1])}" if decimals else "text"


def capture_rows(device_data: Path, folders: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for folder in folders:
        for yml in sorted((device_data / "ntc" / "huawei_smartax" / folder).glob("*.yml")):
            rows += yaml.safe_load(yml.read_text())["parsed_sample"]
    assert rows, f"no captures in {folders}"
    return rows


def generated(command: str) -> str:
    state = huawei()
    if command.startswith("display ont info summary"):
        return huawei_text.ont_summary(state, 0)
    if "optical" in command:
        return huawei_text.optical_info(state, 0)
    if command.endswith("all"):
        return huawei_text.ont_info_table(state, [0, 1])
    return huawei_text.ont_detail(state, state.olt.onus[0])


@pytest.mark.parametrize("command", list(CAPTURES))
def test_huawei_text_parses_into_the_fields_and_formats_of_real_captures(
        device_data: Path, command: str) -> None:
    real = capture_rows(device_data, CAPTURES[command])
    ours = parse_output(platform="huawei_smartax", command=command, data=generated(command))
    assert ours, "ntc-templates found no rows in the generated text"
    assert {frozenset(r) for r in ours} == {frozenset(r) for r in real}
    for key in real[0]:
        real_kinds = {kind(r[key]) for r in real} | {"empty"}
        assert {kind(r[key]) for r in ours} <= real_kinds, key


def test_huawei_table_carries_the_snmp_face_onus() -> None:
    state = huawei()
    rows = parse_output(platform="huawei_smartax", command="display ont info 0 all",
                        data=huawei_text.ont_info_table(state, [0, 1]))
    assert [(r["fsp"], int(r["ont_id"])) for r in rows] == [
        (f"0/ 0/{o.pon}", o.onu_id) for o in state.olt.onus]
    assert rows[1]["serial_number"] == state.olt.onus[1].serial_octets().hex().upper()
    assert rows[1]["run_state"] == "offline" and rows[0]["run_state"] == "online"
    assert rows[0]["description"] == state.olt.onus[0].name


def test_huawei_summary_shows_optics_only_when_online() -> None:
    state = huawei()
    rows = parse_output(platform="huawei_smartax", command="display ont info summary 0/0/0",
                        data=huawei_text.ont_summary(state, 0))
    onu = state.olt.onus[0]
    assert rows[0]["rx_power_dbm"] == f"{onu.rx_dbm:.2f}" and rows[0]["distance_m"] == str(onu.distance_m)
    assert rows[1]["rx_power_dbm"] == "" and rows[1]["distance_m"] == "-"
    assert rows[1]["last_downcause"] == "LOSi/LOBi"


def test_zte_state_power_and_detail_follow_the_onus() -> None:
    state = zte()
    table = zte_text.onu_state(state, [0])
    assert "1/1/1:3     enable       disable     DyingGasp    1(GPON)" in table
    assert table.endswith("ONU Number: 4/5")
    power = zte_text.power_table(state, 0, olt_side=False).split("\r\n")
    assert power[0].split() == ["Onu", "Rx", "power"]
    assert power[2] == f"gpon-onu_1/1/1:1    {state.olt.onus[0].rx_dbm:.3f}(dbm)"
    assert power[4] == "gpon-onu_1/1/1:3    N/A"
    detail = zte_text.detail_info(state, state.olt.onus[2])
    assert f"  Serial number:       {state.olt.onus[2].serial}" in detail
    assert "  ONU Distance:        N/A" in detail
    history = [line for line in detail.split("\r\n") if re.fullmatch(r"\s+\d+   \S+ \S+    \S+ \S+.*", line)]
    assert len(history) == 10 and history[1].endswith("     DyingGasp")
    assert history[2].endswith("0000-00-00 00:00:00    0000-00-00 00:00:00")


def test_sim_clock_is_the_snmp_face_calendar() -> None:
    assert sim_clock(0) == "2025-01-01 00:00:00"
    assert sim_clock(86400 * 28 + 3661) == "2025-02-01 01:01:01"
    assert sim_clock(86400 * 336) == "2026-01-01 00:00:00"


@pytest.mark.parametrize(("words", "pattern", "expected"), [
    ("disp ont info 0 all", "display ont info <n> all", ["0"]),
    ("display ont info 0 1 all", "display ont info <n> all", None),
    ("int gpon 0/1", "interface gpon <word>", ["0/1"]),
    ("screen-length 0 temp", "screen-length <n> temporary", ["0"]),
    ("display ont info", "display ont info <n>", None),
    ("show gpon onu state", "show gpon onu state", []),
])
def test_keywords_abbreviate_and_arguments_are_returned(
        words: str, pattern: str, expected: list[str] | None) -> None:
    assert match(words.split(), pattern) == expected


def _huawei_session() -> CliSession:
    return CliSession(huawei(), "admin", huawei_cli.USER, 24)


def test_huawei_modes_prompts_and_unknown_commands() -> None:
    d, s = huawei_cli.DIALECT, _huawei_session()
    assert d.prompt(s) == "MA5608T>"
    assert "% Unknown command" in d.respond(s, "display ont info 0 all").text
    for line, prompt in [("enable", "MA5608T#"), ("config", "MA5608T(config)#"),
                         ("interface gpon 0/1", "MA5608T(config-if-gpon-0/1)#"), ("quit", "MA5608T(config)#"),
                         ("return", "MA5608T#")]:
        d.respond(s, line)
        assert d.prompt(s) == prompt
    assert d.respond(s, "config").text == "" and "does not exist" in d.respond(s, "interface gpon 0/7").text


def test_huawei_deactivate_takes_the_onu_down_for_the_snmp_face_too() -> None:
    d, s = huawei_cli.DIALECT, _huawei_session()
    changed: list[str] = []
    s.state.on_change = changed.append
    for line in ("enable", "config", "interface gpon 0/0"):
        d.respond(s, line)
    onu = s.state.find(1, 5)
    assert onu is not None and onu.online
    assert d.respond(s, "ont deactivate 1 5").text == ""
    assert not onu.online and changed == ["hw"]
    index = f"{huawei_pon_index(1)}.5"
    records = snmprec_text(s.state.olt)
    assert f"1.3.6.1.4.1.2011.6.128.1.1.2.46.1.15.{index}|{INTEGER}|2" in records
    assert f"1.3.6.1.4.1.2011.6.128.1.1.2.46.1.24.{index}|{INTEGER}|8" in records
    assert "deactive" in d.respond(s, "display ont info 1 all").text
    onu.set_online(True)  # a flap of the SNMP face's tick
    s.state.reassert()
    assert not onu.online
    d.respond(s, "ont activate 1 5")
    assert onu.online and "does not exist" in d.respond(s, "ont deactivate 1 99").text


def test_huawei_smart_question_and_logout_question() -> None:
    d, s = huawei_cli.DIALECT, _huawei_session()
    d.respond(s, "enable")
    d.respond(s, "config")
    asked = d.respond(s, "display ont info summary 0/0/0")
    assert asked.text.startswith("{ <cr>|ontid") and not asked.prompt
    assert "In port 0/0/0, the total of ONTs are: 6, online: 5" in d.respond(s, "").text
    d.respond(s, "undo smart")
    assert d.respond(s, "display ont info summary 0/0/0").prompt
    d.respond(s, "return")
    question = d.respond(s, "quit")
    assert question.text == huawei_cli.LOGOUT_QUESTION and not question.prompt
    assert not d.respond(s, "n").close
    d.respond(s, "quit")
    assert d.respond(s, "y").close


def test_zte_enable_asks_the_password_and_hides_it() -> None:
    d = zte_cli.DIALECT
    s = CliSession(zte(), "admin", zte_cli.USER, 24)
    assert d.prompt(s) == "ZXAN>"
    assert "%Error 20200" in d.respond(s, "show gpon onu state gpon-olt_1/1/1").text
    assert d.respond(s, "enable").text == "Password:" and s.hidden
    assert d.respond(s, "wrong").text == "% Bad password" and d.prompt(s) == "ZXAN>"
    d.respond(s, "enable")
    d.respond(s, "admin")
    assert d.prompt(s) == "ZXAN#" and not s.hidden
    assert d.respond(s, "show gpon onu state gpon-olt_1/1/9").text.startswith("%Error 20202")
    assert "ONU Number: 5/5" in d.respond(s, "show gpon onu state gpon-olt_1/1/2").text
    d.respond(s, "terminal length 0")
    assert s.page_length == 0 and d.respond(s, "exit").close
