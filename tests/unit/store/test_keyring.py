"""The store's own signing key: a 0600 file beside a SQLite database, a row in PostgreSQL, memory for
an in-memory database; made once, the same for every racer, refused when too short."""

from __future__ import annotations

import stat
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url

from ispnoc.settings import Settings
from store import keyring
from store.db import make_engine
from store.keyring import AppSecret, KeyringError


def race(make: Callable[[], str], n: int = 8) -> set[str]:
    """What ``n`` threads released together each got from ``make``."""
    start = threading.Barrier(n)

    def one() -> str:
        start.wait()
        return make()

    with ThreadPoolExecutor(n) as pool:
        return set(pool.map(lambda _: one(), range(n)))


def test_a_sqlite_file_store_keeps_its_key_in_a_0600_file_beside_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'noc.db'}")
    first = keyring.load_or_create(engine)
    path = tmp_path / "noc.db.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().strip() == first and len(first) >= 64
    assert keyring.load_or_create(make_engine(f"sqlite:///{tmp_path / 'noc.db'}")) == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["noc.db.key"]  # no temporary file left behind


def test_racing_makers_of_the_key_file_all_read_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "race.db.key"
    assert len(race(lambda: keyring.file_secret(path))) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.db.key"]


def test_other_secrets_get_files_of_their_own(tmp_path: Path) -> None:
    url = make_url(f"sqlite:///{tmp_path / 'noc.db'}")
    assert keyring.key_file(url) == tmp_path / "noc.db.key"
    assert keyring.key_file(url, "other") == tmp_path / "noc.db.other.key"


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite:///file::memory:?uri=true"])
def test_an_in_memory_database_has_no_key_file(url: str) -> None:
    assert keyring.key_file(make_url(url)) is None


def test_an_in_memory_store_keeps_its_key_in_this_process_only(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert keyring.load_or_create(make_engine("sqlite://")) == keyring.load_or_create(make_engine("sqlite://"))
    assert list(tmp_path.iterdir()) == []


def test_a_key_file_too_short_to_sign_with_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "noc.db.key"
    path.write_text("tiny-key-value\n")
    path.chmod(0o600)
    with pytest.raises(KeyringError, match=r"noc\.db\.key") as caught:
        keyring.file_secret(path)
    assert "tiny-key-value" not in str(caught.value)


def test_a_key_file_others_can_read_is_used_with_a_warning_that_never_shows_the_key(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "noc.db.key"
    key = keyring.new_secret()
    path.write_text(key + "\n")
    path.chmod(0o644)
    with caplog.at_level("WARNING", logger="store.keyring"):
        assert keyring.file_secret(path) == key
    assert "chmod 600" in caplog.text and key not in caplog.text


def test_a_configured_key_wins_and_the_store_is_not_touched(tmp_path: Path) -> None:
    configured = SecretStr("x" * 40)
    engine = make_engine(f"sqlite:///{tmp_path / 'noc.db'}")
    assert keyring.signing_key(engine, configured) is configured
    assert not (tmp_path / "noc.db.key").exists()


def test_the_row_is_made_once_and_racing_inserts_agree(committed: Engine) -> None:
    found = race(lambda: keyring.row_secret(committed, "row_test"))
    assert len(found) == 1 and len(next(iter(found))) >= 64
    assert keyring.row_secret(committed, "row_test") in found
    with committed.connect() as conn:
        rows = select(func.count()).select_from(AppSecret).where(AppSecret.name == "row_test")
        assert conn.scalar(rows) == 1


@pytest.mark.postgres
def test_postgresql_keeps_the_signing_key_in_app_secrets(committed: Engine) -> None:
    if committed.dialect.name != "postgresql":
        pytest.skip("needs ISPNOC_TEST_DATABASE_URL (PostgreSQL)")
    key = keyring.signing_key(committed).get_secret_value()
    with committed.connect() as conn:
        stored = conn.scalar(select(AppSecret.value).where(AppSecret.name == keyring.SIGNING_KEY))
    assert stored == key and len(race(lambda: keyring.load_or_create(committed))) == 1
    assert keyring.load_or_create(committed) == key


@pytest.mark.parametrize("short", ["", "x" * 31, "a-31-character-secret-key-value"])
def test_settings_refuse_a_short_secret_key_without_echoing_it(short: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ISPNOC_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="at least 32 characters") as caught:
        Settings(_env_file=None, secret_key=SecretStr(short))  # type: ignore[call-arg]
    assert not short or short not in str(caught.value)
    padded = short.ljust(32, "!")
    assert Settings(_env_file=None, secret_key=SecretStr(padded)).secret_key == SecretStr(padded)  # type: ignore[call-arg]
    assert Settings(_env_file=None).secret_key is None  # type: ignore[call-arg]
