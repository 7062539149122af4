"""Simulated OLT CLIs over SSH (Huawei SmartAX MA5608T, ZTE C320) on loopback, driven by netmiko's
``huawei_smartax`` and ``zte_zxros`` device types unmodified.

Each OLT's CLI works on its SNMP face's ``Olt`` object (``device_fixtures.snmp.olts``): the same
ONUs, serials, states, optics and distances, moving with the same tick, so both faces agree; an
``ont deactivate`` typed here takes the ONU offline for the SNMP face too (``on_change`` lets the
caller republish it at once). ``with serve_olt_ssh([OltCliState(olt)]) as srv:`` gives
``srv.host``/``srv.port`` (one endpoint per OLT in ``srv.endpoints``); faults are the OLT's own
``Faults`` unless given (see ``server`` for their SSH meaning).
"""

from device_fixtures.ssh.server import OltSshEndpoint, OltSshFleet, host_key, serve_olt_ssh
from device_fixtures.ssh.state import OltCliState

__all__ = ["OltCliState", "OltSshEndpoint", "OltSshFleet", "host_key", "serve_olt_ssh"]
