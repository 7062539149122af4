"""The router's accounts against the store's usernames: only-on-router and only-in-store, sorted."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.mikrotik_accounts import SAMPLE, Account, compare, parse_accounts


def test_accounts_are_read_from_both_menus_without_routeros_built_ins() -> None:
    secrets = [{".id": "*1", "name": "u1", "profile": "10M", "disabled": "false"}, {"name": ""}]
    users = [{"name": "default-trial"}, {"name": "h1", "profile": "suspended", "disabled": "true"}]
    assert parse_accounts(secrets, users) == (Account("u1", False, "10M", False),
                                              Account("h1", True, "suspended", True))


def test_drift_counts_everything_and_keeps_the_first_names() -> None:
    accounts = [Account(f"r{n:03d}", False, None, False) for n in range(30)]
    accounts.append(Account("both", True, None, False))
    drift = compare(accounts, ["both", "s2", "s1"])
    assert drift.missing_on_router == ("s1", "s2")
    assert len(drift.unknown_on_router) == 30 and drift.accounts == 31
    kept = drift.as_details(datetime(2026, 1, 1, tzinfo=UTC))
    assert kept["unknown_on_router_count"] == 30 and len(kept["unknown_on_router"]) == SAMPLE
    assert kept["unknown_on_router"][0] == "r000" and kept["missing_on_router"] == ["s1", "s2"]
