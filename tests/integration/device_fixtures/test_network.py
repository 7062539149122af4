"""A whole scenario up at once: the inventory says where everything is, and the real client
libraries reach every kind of device with what it says."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import librouteros
import pytest
from pyzabbix.api import ZabbixAPI

from device_fixtures.network import Network, run_network, tree_rss_mb
from device_fixtures.scenario import SCENARIOS, Scenario, load_scenario

SMALL = Scenario(name="small", routers=2, subscribers_per_router=10, olts=2, onus_per_olt=8, radios=3,
                 zabbix_hosts=12, zabbix_problems=3, tick_seconds=0.5)


@pytest.fixture(scope="module")
def net() -> Iterator[Network]:
    with run_network(SMALL) as running:
        yield running


def test_the_inventory_lists_every_device_subscriber_and_onu(net: Network, tmp_path: Path) -> None:
    inventory = json.loads(net.write_inventory(tmp_path / "inv.json").read_text())
    assert (tmp_path / "inv.json").stat().st_mode & 0o777 == 0o600
    counts = [len(inventory[k]) for k in ("routers", "olts", "radios", "subscribers", "onus")]
    assert counts == [2, 2, 3, 20, 16]
    assert {o["vendor"] for o in inventory["olts"]} == {"huawei", "zte"}
    assert len({o["serial"] for o in inventory["onus"]}) == 16
    assert {s["service"] for s in inventory["subscribers"]} <= {"pppoe", "hotspot"}


def test_librouteros_logs_in_with_the_inventory_and_sees_the_subscribers(net: Network) -> None:
    router = net.routers[0]
    api = librouteros.connect(router["host"], router["api"]["username"], router["api"]["password"],
                              port=router["api"]["port"], timeout=5)
    try:
        names = {row["name"] for row in api.path("ppp", "secret")} | {
            row["name"] for row in api.path("ip", "hotspot", "user")}
        identity = next(iter(api.path("system", "identity")))["name"]
    finally:
        api.close()
    expected = {s["username"] for s in net.subscribers if s["router"] == router["name"]}
    assert expected <= names and identity == router["name"]


def test_pyzabbix_sees_the_network_as_hosts(net: Network) -> None:
    zapi = ZabbixAPI(net.zabbix["url"])
    zapi.login(net.zabbix["username"], net.zabbix["password"])
    hosts = {h["host"] for h in zapi.host.get(output=["host"])}
    assert len(hosts) == SMALL.zabbix_hosts
    assert {r["name"] for r in net.routers} <= hosts


def test_values_move_on_the_tick(net: Network) -> None:
    router = net.routers[0]
    api = librouteros.connect(router["host"], "admin", "admin", port=router["api"]["port"], timeout=5)
    try:
        def uptime() -> str:
            return str(next(iter(api.path("system", "resource")))["uptime"])
        before = uptime()
        time.sleep(2.2)
        assert uptime() != before
    finally:
        api.close()


def test_scenarios_by_name_and_from_a_file(tmp_path: Path) -> None:
    assert load_scenario("large").devices >= 2000
    assert SCENARIOS["demo"].devices < 20
    spec = tmp_path / "pop.toml"
    spec.write_text('routers = 3\nolt_vendors = ["zte"]\n')
    assert (load_scenario(str(spec)).routers, load_scenario(str(spec)).name) == (3, "pop")
    spec.write_text("routerz = 3\n")
    with pytest.raises(ValueError, match="routerz"):
        load_scenario(str(spec))
    with pytest.raises(ValueError, match="no scenario"):
        load_scenario("huge")


def test_fixtures_up_runs_until_interrupted_and_leaves_nothing(tmp_path: Path) -> None:
    inventory = tmp_path / "inv.json"
    spec = tmp_path / "tiny.json"
    spec.write_text(json.dumps({"routers": 1, "subscribers_per_router": 5, "olts": 1, "onus_per_olt": 4,
                                "radios": 1, "zabbix_hosts": 3}))
    proc = subprocess.Popen([sys.executable, "-m", "ispnoc", "fixtures", "up", "--scenario", str(spec),
                             "--inventory", str(inventory)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not inventory.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert inventory.exists()
        assert tree_rss_mb(proc.pid) > 0
        children = _children(proc.pid)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output
    assert b"stopped" in output and not inventory.exists()
    assert all(not Path(f"/proc/{pid}").exists() for pid in children)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


