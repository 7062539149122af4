"""The simulated OLT CLIs over real SSH: netmiko's huawei_smartax and zte_zxros drivers unmodified,
a raw paramiko shell for the pager and questions, faults, and the SNMP face seeing a deactivation."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import paramiko
import pytest
import yaml
from netmiko import ConnectHandler
from netmiko.exceptions import NetmikoAuthenticationException, ReadTimeout
from ntc_templates.parse import parse_output

from device_fixtures.faults import Faults
from device_fixtures.network import run_network
from device_fixtures.scenario import Scenario
from device_fixtures.snmp.families import snmprec_text
from device_fixtures.snmp.olts import build_huawei_olt, build_zte_olt, huawei_pon_index
from device_fixtures.ssh import OltCliState, OltSshFleet, serve_olt_ssh

USER, PASSWORD = "noc", "Olt-Pass-77"


@pytest.fixture(scope="module")
def fleet() -> Iterator[OltSshFleet]:
    logins = {USER: PASSWORD}
    states = [
        OltCliState(build_huawei_olt("hw-1", random.Random(11), pons=2, per_pon=8), credentials=logins),
        OltCliState(build_zte_olt("zx-1", random.Random(12), pons=2, per_pon=6), credentials=logins),
    ]
    states[0].olt.onus[3].set_online(False, cause=1)
    states[1].olt.onus[2].set_online(False)
    with serve_olt_ssh(states) as srv:
        yield srv


@pytest.fixture(autouse=True)
def healthy(fleet: OltSshFleet) -> Iterator[None]:
    yield
    for endpoint in fleet:
        endpoint.state.fault.clear()


@contextmanager
def netmiko(fleet: OltSshFleet, name: str, **extra: Any) -> Iterator[Any]:
    """A netmiko session, closed even when its login or preparation fails (netmiko leaves it open)."""
    device_type = "huawei_smartax" if name.startswith("hw") else "zte_zxros"
    params = {"username": USER, "password": PASSWORD, **extra}
    conn = ConnectHandler(device_type=device_type, host=fleet.host, port=fleet[name].port, auto_connect=False,
                          **params)
    try:
        conn._open()
    except Exception:
        conn.paramiko_cleanup()
        raise
    try:
        yield conn
    finally:
        conn.disconnect()


def capture_keys(device_data: Path, folder: str) -> set[str]:
    yml = sorted((device_data / "ntc" / "huawei_smartax" / folder).glob("*.yml"))[0]
    return set(yaml.safe_load(yml.read_text())["parsed_sample"][0])


def test_netmiko_huawei_smartax_reads_the_ont_tables(fleet: OltSshFleet, device_data: Path) -> None:
    olt = fleet["hw-1"].state.olt
    with netmiko(fleet, "hw-1") as conn:
        assert conn.find_prompt() == "MA5608T>"
        conn.enable()
        conn.config_mode()
        assert conn.find_prompt() == "MA5608T(config)#"
        table = parse_output(platform="huawei_smartax", command="display ont info 0 all",
                             data=conn.send_command("display ont info 0 all"))
        summary = parse_output(platform="huawei_smartax", command="display ont info summary 0/0/1",
                               data=conn.send_command("display ont info summary 0/0/1"))
    assert set(table[0]) == capture_keys(device_data, "display_ont_info_0")
    assert set(summary[0]) == capture_keys(device_data, "display_ont_info_summary_ont")
    assert [(r["fsp"], int(r["ont_id"]), r["run_state"]) for r in table] == [
        (f"0/ 0/{o.pon}", o.onu_id, "online" if o.online else "offline") for o in olt.onus]
    assert table[3]["serial_number"] == olt.onus[3].serial_octets().hex().upper()
    second = [o for o in olt.onus if o.pon == 1]
    assert [r["rx_power_dbm"] for r in summary] == [f"{o.rx_dbm:.2f}" for o in second]


def test_netmiko_huawei_interface_mode_optics_and_deactivation(fleet: OltSshFleet, device_data: Path) -> None:
    state = fleet["hw-1"].state
    onu = state.find(1, 5)
    assert onu is not None and onu.online
    with netmiko(fleet, "hw-1") as conn:
        conn.enable()
        conn.config_mode()
        conn.send_command("interface gpon 0/0", expect_string=r"\(config-if-gpon-0/0\)#")
        assert conn.find_prompt() == "MA5608T(config-if-gpon-0/0)#"
        optics = parse_output(platform="huawei_smartax", command="display ont optical-info 1 all",
                              data=conn.send_command("display ont optical-info 1 all"))
        conn.send_command("ont deactivate 1 5")
        after = conn.send_command("display ont info 1 all")
    assert set(optics[0]) == capture_keys(device_data, "display_ont_optical-info_0_all")
    assert optics[5]["olt_rx_ont"] == f"{onu.olt_rx_dbm:.2f}"
    assert not onu.online and "  0/ 0/1    5  " in after and " deactive " in after
    records = snmprec_text(state.olt)
    assert f"46.1.15.{huawei_pon_index(1)}.5|2|2" in records
    state.set_active(onu, True)
    assert onu.online


def test_netmiko_zte_zxros_enables_and_reads_state_power_detail(fleet: OltSshFleet) -> None:
    olt = fleet["zx-1"].state.olt
    with netmiko(fleet, "zx-1", secret=PASSWORD) as conn:
        assert conn.find_prompt() == "ZXAN>"
        conn.enable()
        assert conn.find_prompt() == "ZXAN#"
        state = conn.send_command("show gpon onu state gpon-olt_1/1/1")
        power = conn.send_command("show pon power onu-rx gpon-olt_1/1/1")
        detail = conn.send_command("show gpon onu detail-info gpon-onu_1/1/1:3")
    assert state.splitlines()[0].split() == ["OnuIndex", "Admin", "State", "OMCC", "State", "Phase", "State",
                                             "Channel"]
    assert "1/1/1:3     enable       disable     DyingGasp    1(GPON)" in state
    assert state.splitlines()[-1] == "ONU Number: 5/6"
    assert f"gpon-onu_1/1/1:1    {olt.onus[0].rx_dbm:.3f}(dbm)" in power
    assert "gpon-onu_1/1/1:3    N/A" in power
    assert f"Serial number:       {olt.onus[2].serial}" in detail


def raw_shell(fleet: OltSshFleet, name: str) -> tuple[paramiko.SSHClient, paramiko.Channel]:
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    client.connect(fleet.host, port=fleet[name].port, username=USER, password=PASSWORD, look_for_keys=False,
                   allow_agent=False, timeout=5)
    channel = client.invoke_shell()
    channel.settimeout(5)
    return client, channel


def read_until(channel: paramiko.Channel, marker: str) -> str:
    data = ""
    deadline = time.monotonic() + 5
    while marker not in data:
        assert time.monotonic() < deadline, f"no {marker!r} in {data[-300:]!r}"
        data += channel.recv(65536).decode()
    return data


def test_huawei_pager_space_enter_and_q_then_screen_length_off(fleet: OltSshFleet) -> None:
    client, channel = raw_shell(fleet, "hw-1")
    with client:
        read_until(channel, "MA5608T>")
        channel.send(b"enable\rconfig\r")
        read_until(channel, "MA5608T(config)#")
        channel.send(b"display ont info 0 all\r")
        first = read_until(channel, "---- More ( Press 'Q' to break ) ----")
        assert "0/ 0/0       7   cust-1-7" in first and "In port 0/ 0/0 " not in first
        channel.send(b" ")
        second = read_until(channel, "---- More")
        assert "\x1b[37D" in second and "In port 0/ 0/0 " in second and "0/ 0/1       6" not in second
        channel.send(b"\r")
        third = read_until(channel, "---- More")
        assert "0/ 0/1       6   cust-2-6" in third and third.count("\r\n") == 1
        channel.send(b"q")
        assert read_until(channel, "MA5608T(config)#").count("\r\n") <= 3
        channel.send(b"screen-length 0 temporary\rdisplay ont info 0 all\r")
        whole = read_until(channel, "In port 0/ 0/1 ")
        assert "More" not in whole


def test_huawei_smart_question_and_logout(fleet: OltSshFleet) -> None:
    client, channel = raw_shell(fleet, "hw-1")
    with client:
        read_until(channel, "MA5608T>")
        channel.send(b"scroll\r\nenable\r\nconfig\r\ndisplay ont info summary 0/0/0\r\n")
        read_until(channel, "{ <cr>|ontid<U><0,255>|sort-by<K> }:")
        channel.send(b"\r\n")
        assert "In port 0/0/0, the total of ONTs are: 8, online: 7" in read_until(channel, "(config)#")
        channel.send(b"return\r\nquit\r\n")
        read_until(channel, "Are you sure to log out? (y/n)[n]:")
        channel.send(b"y\r\n")
        read_until(channel, "Configuration console exit, please retry to log on")
        deadline = time.monotonic() + 5
        while not channel.closed and not channel.exit_status_ready():
            assert time.monotonic() < deadline
            time.sleep(0.02)


def test_zte_pager_and_terminal_length(fleet: OltSshFleet) -> None:
    client, channel = raw_shell(fleet, "zx-1")
    with client:
        read_until(channel, "ZXAN>")
        channel.send(f"enable\r{PASSWORD}\r".encode())
        read_until(channel, "ZXAN#")
        channel.send(b"terminal length 5\rshow gpon onu state\r")
        read_until(channel, "--More--")
        channel.send(b"q")
        read_until(channel, "ZXAN#")
        channel.send(b"terminal length 0\rshow gpon onu state\r")
        assert "More" not in read_until(channel, "ONU Number: 11/12")


def test_wrong_credentials_are_refused(fleet: OltSshFleet) -> None:
    refused = pytest.raises(NetmikoAuthenticationException)
    with refused, netmiko(fleet, "zx-1", password="nope", auth_timeout=3):
        pass
    fleet["hw-1"].state.fault.update(wrong_credentials=True)
    with pytest.raises(NetmikoAuthenticationException), netmiko(fleet, "hw-1", auth_timeout=3):
        pass


def test_silent_olt_times_out_and_latency_delays(fleet: OltSshFleet) -> None:
    faults: Faults = fleet["zx-1"].state.fault
    faults.update(silent=True)
    started = time.monotonic()
    with pytest.raises(ReadTimeout), netmiko(fleet, "zx-1", read_timeout_override=1.0):
        pass
    assert time.monotonic() - started < 4
    faults.update(silent=False, latency_s=0.2)
    with netmiko(fleet, "zx-1", secret=PASSWORD) as conn:
        conn.enable()
        started = time.monotonic()
        conn.send_command("show gpon onu state", expect_string=r"ZXAN#")
        assert time.monotonic() - started >= 0.2


def test_cut_reply_sends_half_then_hangs_up(fleet: OltSshFleet) -> None:
    client, channel = raw_shell(fleet, "hw-1")
    with client:
        read_until(channel, "MA5608T>")
        channel.send(b"enable\rconfig\rscroll\r")
        read_until(channel, "MA5608T(config)#")
        fleet["hw-1"].state.fault.update(cut_reply=True)
        channel.send(b"display ont info 0 all\r")
        data = ""
        while chunk := channel.recv(65536).decode():
            data += chunk
        assert "F/S/P" in data and "In port 0/ 0/1 " not in data


def test_run_network_serves_each_olt_over_ssh_with_inventory_access() -> None:
    spec = Scenario(name="ssh", routers=0, olts=2, onus_per_olt=4, radios=0, zabbix_hosts=2,
                    zabbix_problems=0)
    with run_network(spec, tick=False) as net:
        olts = net.inventory()["olts"]
        assert {o["vendor"] for o in olts} == {"huawei", "zte"}
        huawei = next(o for o in olts if o["vendor"] == "huawei")
        ssh = huawei["ssh"]
        assert set(ssh) == {"port", "username", "password"}
        with ConnectHandler(device_type="huawei_smartax", host=huawei["host"], port=ssh["port"],
                            username=ssh["username"], password=ssh["password"]) as conn:
            conn.enable()
            conn.config_mode()
            table = str(conn.send_command("display ont info 0 all"))
        serials = {o["serial"] for o in net.inventory()["onus"] if o["olt"] == huawei["name"]}
        assert {s[4:] for s in serials} == {
            line.split()[3][8:] for line in table.splitlines() if " active " in line}
