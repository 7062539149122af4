"""Radio SNMP parsing and rates (no sockets): stations by MAC, family units, reboots."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

from collectors.radios import RadioPoll, Station, counters_of, parse_radio, traffic_rates
from collectors.radios_vendors import AIRMAX_PROFILE, EPMP_PROFILE, LTU_PROFILE, PMP_PROFILE, channel_mhz
from collectors.snmp import Walk, as_mac, counter_delta, mac_of, oid

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from pysnmp.proto.rfc1902 import Counter64, Integer, IpAddress, OctetString, TimeTicks

AIRMAX = "1.3.6.1.4.1.41112.1.4"
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_airmax_scalars_units_and_station_by_mac_index() -> None:
    sta = "1.252.236.218.1.2.3"
    walk: Walk = {
        oid("1.3.6.1.2.1.1.3.0"): TimeTicks(12345),
        oid(f"{AIRMAX}.5.1.9.1"): Integer(39_000_000), oid(f"{AIRMAX}.6.1.7.1"): Integer(699),
        oid(f"{AIRMAX}.1.1.7.1"): Integer(1200),
        oid(f"{AIRMAX}.7.1.3.{sta}"): Integer(-61), oid(f"{AIRMAX}.7.1.10.{sta}"): IpAddress("10.0.0.9"),
        oid(f"{AIRMAX}.7.1.11.{sta}"): Integer(130_000_000), oid(f"{AIRMAX}.7.1.17.{sta}"): Integer(80_000),
        oid(f"{AIRMAX}.7.1.13.{sta}"): Counter64(10),
    }
    poll = parse_radio(AIRMAX_PROFILE, walk)
    assert poll.metrics["tx_rate_mbps"] == 39.0 and poll.metrics["airtime_pct"] == 69.9
    assert poll.metrics["clients"] == 1.0 and poll.uptime_s == 123.45
    (station,) = poll.stations
    assert station.mac == "fc:ec:da:01:02:03"
    assert station.values["signal_dbm"] == -61 and station.values["ip"] == "10.0.0.9"
    assert station.values["tx_rate_mbps"] == 130.0 and station.values["capacity_mbps"] == 80.0


def test_epmp_station_mac_from_text_column_and_noise_from_snr() -> None:
    col = "1.3.6.1.4.1.17713.21.1.2.30.1"
    walk: Walk = {oid(f"{col}.1.1"): OctetString("aa:bb:cc:dd:ee:f1"), oid(f"{col}.4.1"): Integer(-54),
                  oid(f"{col}.6.1"): Integer(32), oid(f"{col}.20.1"): Integer(98),
                  oid(f"{col}.4.2"): Integer(-60)}  # a row without a MAC is not a station
    (station,) = parse_radio(EPMP_PROFILE, walk).stations
    assert station.mac == "aa:bb:cc:dd:ee:f1"
    assert station.values["signal_dbm"] == -54 and station.values["noise_dbm"] == -86
    assert station.values["ccq_pct"] == 98


def test_ltu_signal_is_the_stronger_chain_and_rates_are_kbps() -> None:
    col = "1.3.6.1.4.1.41112.1.10.1.4.1"
    mac = "24.232.41.30.48.222"
    walk: Walk = {oid(f"{col}.5.{mac}"): Integer(-49), oid(f"{col}.6.{mac}"): Integer(-47),
                  oid(f"{col}.3.{mac}"): Integer(63488)}
    (station,) = parse_radio(LTU_PROFILE, walk).stations
    assert station.mac == "18:e8:29:1e:30:de"
    assert station.values["signal_dbm"] == -47 and station.values["tx_rate_mbps"] == 63.488


def test_pmp_frequency_in_khz_and_text_power() -> None:
    walk: Walk = {oid("1.3.6.1.4.1.161.19.3.1.7.37.0"): Integer(5_525_000),
                  oid("1.3.6.1.4.1.161.19.3.1.4.1.35.2"): OctetString("-62.8")}
    poll = parse_radio(PMP_PROFILE, walk)
    assert poll.metrics == {"frequency_mhz": 5525.0, "signal_dbm": -62.8}


def test_channel_to_frequency() -> None:
    assert channel_mhz(Integer(6)) == 2437
    assert channel_mhz(Integer(14)) == 2484
    assert channel_mhz(Integer(157)) == 5785
    assert channel_mhz(Integer(0)) is None


def test_mac_forms() -> None:
    assert as_mac(OctetString(hexValue="0004561d2071")) == "00:04:56:1d:20:71"
    assert mac_of("AA-BB-CC-DD-EE-FF") == "aa:bb:cc:dd:ee:ff"
    assert mac_of("not a mac") is None


def _poll(tx: int, rx: int, uptime: float) -> RadioPoll:
    return RadioPoll("airos", {}, (Station("fc:ec:da:01:02:03", {"tx_bytes": tx, "rx_bytes": rx}),),
                     uptime_s=uptime)


def test_rates_from_counters_between_polls() -> None:
    before = counters_of(_poll(1_000, 2_000, 100.0), now=NOW)
    later = NOW + timedelta(seconds=60)
    rates = traffic_rates(before, _poll(1_000 + 7_500, 2_000 + 15_000, 160.0), now=later)
    assert rates == {"tx_bps": 1000.0, "rx_bps": 2000.0}


def test_counters_going_back_never_give_negative_rates() -> None:
    before = counters_of(_poll(10_000, 20_000, 5_000.0), now=NOW)
    later = NOW + timedelta(seconds=60)
    assert traffic_rates(before, _poll(100, 200, 30.0), now=later) == {}  # rebooted: uptime restarted
    assert traffic_rates(before, _poll(100, 200, 5_060.0), now=later) == {}  # re-associated: counters reset
    assert counter_delta(5, 3) is None and counter_delta(3, 5) == 2


def test_first_poll_has_no_rates() -> None:
    assert traffic_rates({}, _poll(1, 2, 3.0), now=NOW) == {}
