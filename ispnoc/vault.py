"""Device secrets at rest: Fernet-encrypted with ``ISPNOC_CREDENTIALS_KEY`` when it is set (plain
otherwise, for a development store), and never printed."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

from ispnoc.settings import Settings


def _fernet(settings: Settings) -> Fernet | None:
    key = settings.credentials_key
    return Fernet(key.get_secret_value().encode()) if key is not None else None


def seal(settings: Settings, secret: str) -> str:
    """What to store for ``secret``."""
    box = _fernet(settings)
    return box.encrypt(secret.encode()).decode() if box is not None and secret else secret


def reveal(settings: Settings, stored: str | None) -> str:
    """A stored secret in clear."""
    if not stored:
        return ""
    box = _fernet(settings)
    if box is None:
        return stored
    try:
        return box.decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("a stored device secret does not match ISPNOC_CREDENTIALS_KEY") from exc
