"""Every SNMP collector family against the simulated agents and against the real recordings.

One snmpsim process serves generated devices (device_fixtures.snmp) and every real recording of
an SNMP family (community = file name); pysnmp polls them through the collectors. Where LibreNMS's
answer key (librenms/expected/<name>.json) holds the same quantity, our parsed value equals it.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from collectors.base import CollectError, Target
from collectors.enums import DeviceKind, OnuStatus, Vendor
from collectors.olt_snmp import OltPoll, OltSnmpCollector
from collectors.olt_snmp_vendors import huawei_pon
from collectors.radios import RadioCollector, RadioPoll
from collectors.snmp import SnmpClient, SnmpOptions, index_string
from device_fixtures.snmp import SnmpFleet, build_device
from device_fixtures.snmp.base import Device
from device_fixtures.snmp.olts import Olt

OLT_FAMILIES = {"smartax": Vendor.HUAWEI, "zxa10": Vendor.ZTE, "vsolution": Vendor.VSOL,
                "bdcom": Vendor.BDCOM, "edgeosolt": Vendor.UFIBER}
RADIO_FAMILIES = ("airos", "airos-af-ltu", "unifi", "epmp", "pmp")
RECORDINGS = {"airos_airos8": "airos", "airos-af-ltu": "airos-af-ltu", "unifi_nanohd": "unifi",
              "epmp_epmp-ap-connected-sta": "epmp", "pmp": "pmp", "pmp_450": "pmp",
              "smartax": "smartax", "zxa10_c320": "zxa10", "edgeosolt": "edgeosolt"}


class Agents:
    """The snmpsim process and the devices it serves; polls run on a fresh loop each."""

    def __init__(self, fleet: SnmpFleet, recordings: set[str]) -> None:
        self.fleet, self.recordings = fleet, recordings

    def target(self, community: str, family: str, *, timeout_s: float = 3.0) -> Target:
        if family in OLT_FAMILIES:
            return Target(1, community, DeviceKind.OLT, OLT_FAMILIES[family], "127.0.0.1",
                          snmp_port=self.fleet.port, community=community)
        return Target(1, community, DeviceKind.RADIO, Vendor.UBIQUITI, "127.0.0.1", model=family,
                      snmp_port=self.fleet.port, community=community)

    def poll(self, target: Target, options: SnmpOptions | None = None) -> Any:
        async def run() -> Any:
            client = SnmpClient(options)
            try:
                collector = (OltSnmpCollector(client) if target.kind == DeviceKind.OLT
                             else RadioCollector(client))
                return await collector.poll(target)
            finally:
                client.close()
        return asyncio.run(run())


def generated() -> list[Device]:
    devices = [build_device(f, f"gen-{f}", seed=5) for f in (*OLT_FAMILIES, *RADIO_FAMILIES)]
    for device in devices:
        if isinstance(device, Olt):
            device.onus[1].set_online(False, cause=1)
    return devices


@pytest.fixture(scope="module")
def agents(device_data_dir_or_none: Path | None) -> Iterator[Agents]:
    workdir = Path(tempfile.mkdtemp(prefix="snmp-collectors-"))
    data_dir = workdir / "data"
    data_dir.mkdir()
    fleet = SnmpFleet(generated(), data_dir, "127.0.0.1")
    found: set[str] = set()
    if device_data_dir_or_none is not None:
        for name in RECORDINGS:
            source = device_data_dir_or_none / "librenms" / "snmprec" / f"{name}.snmprec"
            if source.is_file():
                shutil.copyfile(source, data_dir / source.name)
                found.add(name)
    try:
        fleet.start(relay=False)
        yield Agents(fleet, found)
    finally:
        fleet.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def device_data_dir_or_none() -> Path | None:
    from tests.conftest import device_data_dir

    return device_data_dir()


# ------------------------------------------------------------------ against the fixtures

@pytest.mark.parametrize("family", [f for f in OLT_FAMILIES if f != "bdcom"])
def test_olt_onus_match_the_simulated_olt(agents: Agents, family: str) -> None:
    olt = agents.fleet.device(f"gen-{family}")
    assert isinstance(olt, Olt)
    poll: OltPoll = agents.poll(agents.target(olt.name, family))
    assert len(poll.onus) == len(olt.onus)
    by_name = {o.values.get("description"): o for o in poll.onus}
    for onu in olt.onus:
        reading = by_name[onu.name]
        status = OnuStatus.ONLINE if onu.online else OnuStatus.OFFLINE
        assert reading.values["status"] == status
        if onu.online:
            assert reading.values["rx_dbm"] == pytest.approx(onu.rx_dbm, abs=0.0051)
            assert reading.values["tx_dbm"] == pytest.approx(onu.tx_dbm, abs=0.0051)
        else:
            assert reading.values["rx_dbm"] is None and reading.values["tx_dbm"] is None
        if "serial" in reading.values:
            assert reading.values["serial"] == onu.serial
        if "distance_m" in reading.values and onu.online:
            assert reading.values["distance_m"] == onu.distance_m


def test_pon_names_are_in_the_vendor_style(agents: Agents) -> None:
    huawei = agents.poll(agents.target("gen-smartax", "smartax"))
    zte = agents.poll(agents.target("gen-zxa10", "zxa10"))
    assert {o.pon for o in huawei.onus} == {"0/0/0", "0/0/1", "0/0/2", "0/0/3"}
    assert {o.pon for o in zte.onus} == {"1/1/1", "1/1/2", "1/1/3", "1/1/4"}
    assert all(p.tx_dbm == 7.11 for p in huawei.pons)


def test_bdcom_counts_match_the_simulated_olt(agents: Agents) -> None:
    olt = agents.fleet.device("gen-bdcom")
    assert isinstance(olt, Olt)
    poll: OltPoll = agents.poll(agents.target(olt.name, "bdcom"))
    assert sum((p.online or 0) for p in poll.pons) == sum(o.online for o in olt.onus)
    assert sum((p.online or 0) + (p.offline or 0) for p in poll.pons) == len(olt.onus)


def test_airmax_ap_and_stations_match(agents: Agents) -> None:
    ap: Any = agents.fleet.device("gen-airos")
    poll: RadioPoll = agents.poll(agents.target(ap.name, "airos"))
    assert poll.metrics["signal_dbm"] == round(ap.signal) and poll.metrics["clients"] == len(ap.stations)
    assert poll.metrics["frequency_mhz"] == ap.frequency_mhz
    stations = {s.mac: s for s in poll.stations}
    assert set(stations) == {s.mac for s in ap.stations}
    for sta in ap.stations:
        got = stations[sta.mac]
        assert got.values["signal_dbm"] == round(sta.signal) and got.values["distance_m"] == sta.distance_m
        assert got.values["name"] == sta.name and got.values["ip"] == sta.ip


@pytest.mark.parametrize("family", ["airos-af-ltu", "epmp"])
def test_station_families_report_every_station(agents: Agents, family: str) -> None:
    ap: Any = agents.fleet.device(f"gen-{family}")
    poll: RadioPoll = agents.poll(agents.target(ap.name, family))
    expected = {p.mac for p in getattr(ap, "peers", None) or ap.stations}
    assert {s.mac for s in poll.stations} == expected
    assert all(s.values["signal_dbm"] is not None for s in poll.stations)


def test_unifi_and_pmp_ap_health(agents: Agents) -> None:
    unifi: Any = agents.fleet.device("gen-unifi")
    assert agents.poll(agents.target(unifi.name, "unifi")).metrics["clients"] == sum(unifi.clients)
    pmp: Any = agents.fleet.device("gen-pmp")
    metrics = agents.poll(agents.target(pmp.name, "pmp")).metrics
    assert metrics["clients"] == pmp.registered_sms and metrics["frequency_mhz"] == pmp.frequency_khz / 1000


def test_an_agent_that_never_answers_is_a_collect_error(agents: Agents) -> None:
    with pytest.raises(CollectError, match="timeout"):
        agents.poll(agents.target("no-such-community", "airos"), SnmpOptions(timeout_s=0.3, retries=0))


# ------------------------------------------------------------------ against the real recordings

def expected_sensors(agents: Agents, name: str, section: str) -> list[dict[str, Any]]:
    if name not in agents.recordings:
        pytest.skip(f"recording {name}.snmprec not in ../shared/device_data (or ISPNOC_DEVICE_DATA)")
    from tests.conftest import device_data_dir

    root = device_data_dir()
    path = root / "librenms" / "expected" / f"{name}.json" if root else None
    if path is None or not path.is_file():
        pytest.skip(f"no expected/{name}.json beside the recording")
    data = json.loads(path.read_text())[section]
    poller = data["poller"] if isinstance(data["poller"], dict) else data["discovery"]
    return list(poller["wireless_sensors" if section == "wireless" else "sensors"])


def _station(poll: RadioPoll, n: int) -> Any:
    return poll.stations[n - 1].values


WIRELESS: dict[str, Callable[[RadioPoll, dict[str, Any]], Any]] = {
    "ccq/airos": lambda p, s: p.metrics["ccq_pct"],
    "clients/airos": lambda p, s: p.metrics["clients"],
    "distance/airos": lambda p, s: p.metrics["distance_m"] / 1000,
    "frequency/airos": lambda p, s: p.metrics["frequency_mhz"],
    "noise-floor/airos": lambda p, s: p.metrics["noise_dbm"],
    "power/airos-rx": lambda p, s: p.metrics["signal_dbm"],
    "power/airos-tx": lambda p, s: p.metrics["tx_power_dbm"],
    "rate/airos-rx": lambda p, s: p.metrics["rx_rate_mbps"] * 1e6,
    "rate/airos-tx": lambda p, s: p.metrics["tx_rate_mbps"] * 1e6,
    "capacity/airos": lambda p, s: p.metrics["capacity_pct"],
    "utilization/airos": lambda p, s: p.metrics["airtime_pct"],
    "distance/airos-af-ltu": lambda p, s: p.stations[0].values["distance_m"] / 1000,
    "frequency/airos-af-ltu": lambda p, s: p.metrics["frequency_mhz"],
    "power/airos-af-ltu-rx-chain-0": lambda p, s: p.stations[0].values["chain0_dbm"],
    "power/airos-af-ltu-rx-chain-1": lambda p, s: p.stations[0].values["chain1_dbm"],
    "power/airos-af-ltu-tx-eirp": lambda p, s: p.metrics["tx_power_dbm"],
    "rate/airos-af-ltu-rx": lambda p, s: p.stations[0].values["rx_rate_mbps"] * 1e6,
    "rate/airos-af-ltu-tx": lambda p, s: p.stations[0].values["tx_rate_mbps"] * 1e6,
    "clients/unifi": lambda p, s: (p.details["clients_by_radio"].get(s["sensor_index"])
                                   if s["sensor_descr"].startswith("Clients")
                                   else p.details["clients_by_ssid"][s["sensor_index"]]),
    "frequency/unifi": lambda p, s: p.details["frequency_mhz_by_radio"][s["sensor_index"]],
    "power/unifi-tx": lambda p, s: p.details["tx_power_dbm_by_radio"][s["sensor_index"]],
    "clients/epmp": lambda p, s: p.metrics["clients"],
    "frequency/epmp": lambda p, s: p.metrics["frequency_mhz"],
    "rssi/epmp-ap-ul": lambda p, s: _station(p, int(s["sensor_index"]))["ul_rssi_dbm"],
    "rssi/epmp-ap-dl": lambda p, s: _station(p, int(s["sensor_index"]))["dl_rssi_dbm"],
    "snr/epmp-ap-ul": lambda p, s: _station(p, int(s["sensor_index"]))["ul_snr_db"],
    "snr/epmp-ap-dl": lambda p, s: _station(p, int(s["sensor_index"]))["dl_snr_db"],
    "mcs/epmp-ap-ul-mcs": lambda p, s: _station(p, int(s["sensor_index"]))["ul_mcs"],
    "mcs/epmp-ap-dl-mcs": lambda p, s: _station(p, int(s["sensor_index"]))["dl_mcs"],
    "quality/epmp-ap-quality": lambda p, s: _station(p, int(s["sensor_index"]))["ccq_pct"],
    "capacity/epmp-ap-capacity": lambda p, s: _station(p, int(s["sensor_index"]))["capacity_pct"],
    "distance/epmp-ap-distance": lambda p, s: _station(p, int(s["sensor_index"]))["distance_m"] / 1000,
    "clients/pmp": lambda p, s: p.metrics["clients"],
    "frequency/pmp": lambda p, s: p.metrics["frequency_mhz"],
}
"""LibreNMS wireless sensor (class/type) -> the same quantity in our poll, in LibreNMS's unit."""


@pytest.mark.parametrize("name", [n for n, f in RECORDINGS.items() if f in RADIO_FAMILIES])
def test_radio_recording_matches_librenms(agents: Agents, name: str) -> None:
    sensors = expected_sensors(agents, name, "wireless")
    poll: RadioPoll = agents.poll(agents.target(name, RECORDINGS[name]))
    compared = 0
    for sensor in sensors:
        key = f"{sensor['sensor_class']}/{sensor['sensor_type']}"
        if key in WIRELESS:
            ours = WIRELESS[key](poll, sensor)
            expected = float(sensor["sensor_current"])
            assert ours == pytest.approx(expected, abs=1e-6), (key, sensor["sensor_descr"])
            compared += 1
    assert compared >= 2, f"{name}: nothing compared"
    if name.startswith("epmp"):
        assert [s.mac for s in poll.stations] == [f"aa:bb:cc:dd:ee:f{n}" for n in range(1, 7)]


def test_ufiber_recording_optics_and_states_match_librenms(agents: Agents) -> None:
    sensors = expected_sensors(agents, "edgeosolt", "sensors")
    poll: OltPoll = agents.poll(agents.target("edgeosolt", "edgeosolt"))
    by_serial = {o.values["serial"]: o.values for o in poll.onus}
    count = next(s for s in sensors if s["sensor_class"] == "count")
    assert len(poll.onus) == int(count["sensor_current"]) == 29
    compared = 0
    for sensor in sensors:
        kind, _, index = str(sensor["sensor_index"]).partition("-")
        if sensor["sensor_class"] == "dbm":
            values = by_serial[index_string(tuple(int(x) for x in index.split(".")))]
            ours = values[f"{kind}_dbm"]
            expected = float(sensor["sensor_current"])
            # LibreNMS shows an offline ONU's 0 (no reading) as 0 dBm; ours is None, never a dBm value
            assert ours == pytest.approx(expected) if ours is not None else (
                expected == 0 and values["status"] == OnuStatus.OFFLINE)
            compared += 1
        elif sensor["sensor_type"] == "ubntOnusTable":
            serial = index_string(tuple(int(x) for x in str(sensor["sensor_index"]).split(".")))
            online = int(sensor["sensor_current"]) == 1
            assert (by_serial[serial]["status"] == OnuStatus.ONLINE) is online
            compared += 1
    assert compared == 29 * 3


def test_huawei_recording_pon_optics_match_librenms(agents: Agents) -> None:
    sensors = expected_sensors(agents, "smartax", "sensors")
    poll: OltPoll = agents.poll(agents.target("smartax", "smartax"))
    pons = {p.name: p.tx_dbm for p in poll.pons}
    tx = [s for s in sensors if s["sensor_class"] == "dbm" and str(s["sensor_index"]).startswith("tx-")]
    assert len(tx) == 32
    for sensor in tx:
        name = huawei_pon(int(str(sensor["sensor_index"])[3:]))
        assert f"GPON {name}" in sensor["sensor_descr"]
        assert pons[name] == pytest.approx(float(sensor["sensor_current"]))
    assert poll.onus == ()  # the recording has no ONT tables


def test_zte_recording_onus_from_the_ranging_table(agents: Agents) -> None:
    if "zxa10_c320" not in agents.recordings:
        pytest.skip("recording zxa10_c320.snmprec not in ../shared/device_data (or ISPNOC_DEVICE_DATA)")
    poll: OltPoll = agents.poll(agents.target("zxa10_c320", "zxa10"))
    assert len(poll.onus) == 125
    assert {o.pon for o in poll.onus} <= {f"1/1/{n}" for n in range(1, 9)}
    distances = [o.values["distance_m"] for o in poll.onus]
    assert all(0 <= d < 60_000 for d in distances) and sum(d > 0 for d in distances) == 122
    assert all("status" not in o.values for o in poll.onus)  # not observed: the store keeps "unknown"
