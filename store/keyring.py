"""Secrets the installation makes for itself and keeps beside its own store: the token signing key
when ``ISPNOC_SECRET_KEY`` is not set.

SQLite keeps it in a file of mode 0600 beside the database (``ispnoc.db.key``), an in-memory SQLite
database in this process only, PostgreSQL in a row of ``app_secrets``. Each is made once, the first
maker wins a race, and every process reads the same key back, so restarts keep tokens valid."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import threading
from datetime import datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine, String, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.orm import Mapped, mapped_column

from store.base import Base
from store.types import UTCDateTime, utcnow

log = logging.getLogger(__name__)

SIGNING_KEY = "signing_key"
MIN_SECRET_LENGTH = 32
KEY_SUFFIX = ".key"

_memory: dict[str, str] = {}
_memory_lock = threading.Lock()


class AppSecret(Base):
    """A generated secret of this installation (e.g. the token signing key), made once, never shown."""

    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KeyringError(RuntimeError):
    """A stored secret is unusable (too short, unreadable); the message says where it is."""


def new_secret() -> str:
    """A fresh random secret: 48 random bytes, URL-safe base64 (64 characters)."""
    return secrets.token_urlsafe(48)


def key_file(url: URL, name: str = SIGNING_KEY) -> Path | None:
    """Where a SQLite database keeps secret ``name``: ``<database>.key`` for the signing key,
    ``<database>.<name>.key`` for another; None for an in-memory database."""
    database = url.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    if in_memory or url.query.get("mode") == "memory":
        return None
    infix = "" if name == SIGNING_KEY else f".{name}"
    return Path(f"{database.removeprefix('file:')}{infix}{KEY_SUFFIX}")


def signing_key(engine: Engine, configured: SecretStr | None = None) -> SecretStr:
    """``configured`` when given, else the store's own signing key (made on first use)."""
    if configured is not None:
        return configured
    return SecretStr(load_or_create(engine, SIGNING_KEY))


def load_or_create(engine: Engine, name: str = SIGNING_KEY) -> str:
    """The secret ``name`` kept where ``engine``'s store is, made now if it does not exist yet."""
    if engine.dialect.name != "sqlite":
        return row_secret(engine, name)
    path = key_file(engine.url, name)
    if path is None:
        with _memory_lock:
            return _memory.setdefault(name, new_secret())
    return file_secret(path)


def row_secret(engine: Engine, name: str) -> str:
    """The ``app_secrets`` row ``name``: inserted if absent, then read back (a racing insert loses)."""
    table = AppSecret.__table__
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(name=name, value=new_secret(), created_at=utcnow())
    with engine.begin() as conn:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
        value = conn.scalar(select(table.c.value).where(table.c.name == name))
    return _checked(str(value or ""), f"app_secrets row {name!r}")


def file_secret(path: Path) -> str:
    """The secret in ``path``, written first (mode 0600) if the file does not exist."""
    if not path.exists():
        _publish(path, new_secret())
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        value = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyringError(f"cannot read the key file {path}: {exc}") from exc
    if mode & 0o077:
        log.warning("key file %s is readable by other users (mode %o): chmod 600 it", path, mode)
    return _checked(value, f"key file {path}")


def _publish(path: Path, value: str) -> None:
    """Make ``path`` hold ``value`` unless it exists: written under a temporary name (O_CREAT|O_EXCL,
    mode 0600) and hard-linked in, so racers see no file or a whole key, and the first link wins."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    try:
        _write_new(temp, value)
    except OSError as exc:
        raise KeyringError(f"cannot create the key file {path} ({exc}): make its directory writable "
                           "or set ISPNOC_SECRET_KEY") from exc
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: an exclusive create of the file itself
        with contextlib.suppress(FileExistsError):
            _write_new(path, value)
    finally:
        temp.unlink(missing_ok=True)


def _write_new(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(value + "\n")
        out.flush()
        os.fsync(out.fileno())


def _checked(value: str, where: str) -> str:
    if len(value) < MIN_SECRET_LENGTH:
        raise KeyringError(f"the {where} holds no key of at least {MIN_SECRET_LENGTH} characters; "
                           "remove it to have a new one made (tokens issued so far stop working)")
    return value
