"""RouterOS API query evaluation on the boolean stack."""

from __future__ import annotations

import pytest

from device_fixtures.routeros.query import QueryError, compile_query, evaluate

ROWS = [
    {".id": "*1", "name": "ether1", "type": "ether", "mtu": "1500", "disabled": "false", "comment": "WAN"},
    {".id": "*2", "name": "ether2", "type": "ether", "mtu": "9000", "disabled": "true"},
    {".id": "*3", "name": "vlan10", "type": "vlan", "mtu": "1496", "disabled": "false"},
]


def names(words: list[str]) -> list[str]:
    test = compile_query(words)
    return [r["name"] for r in ROWS if test(r)]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], ["ether1", "ether2", "vlan10"]),
        (["?type=ether"], ["ether1", "ether2"]),
        (["?=type=vlan"], ["vlan10"]),
        (["?comment"], ["ether1"]),
        (["?-comment"], ["ether2", "vlan10"]),
        (["?>mtu=1500"], ["ether2"]),
        (["?<mtu=1500"], ["vlan10"]),
        (["?>name=ether1"], ["ether2", "vlan10"]),
        (["?type=ether", "?#!"], ["vlan10"]),
        (["?type=vlan", "?mtu=9000", "?#|"], ["ether2", "vlan10"]),
        (["?type=ether", "?disabled=false", "?#&"], ["ether1"]),
        (["?type=ether", "?mtu=1500", "?mtu=9000", "?#|&"], ["ether1", "ether2"]),
        (["?type=vlan", "?#.|"], ["vlan10"]),
        (["?type=ether", "?#.!"], []),
        (["?type=ether", "?disabled=true", "?#1"], ["ether2"]),
        (["?disabled=no"], ["ether1", "vlan10"]),
        (["?disabled=yes"], ["ether2"]),
        (["?type=ether", "?#!!"], ["ether1", "ether2"]),
    ],
)
def test_query_words(words: list[str], expected: list[str]) -> None:
    assert names(words) == expected


def test_empty_stack_reads_true() -> None:
    assert evaluate(["?#|"], ROWS[0])
    assert not evaluate(["?#!"], ROWS[0])


@pytest.mark.parametrize("word", ["?#x", "?>mtu", "?="])
def test_malformed_words_refused(word: str) -> None:
    with pytest.raises(QueryError):
        compile_query([word])
