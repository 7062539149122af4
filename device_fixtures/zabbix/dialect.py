"""What changes in the Zabbix API between versions, as data picked once from the version string.

Sources: the Zabbix frontend (``ui/include/classes/core/CJsonRpc.php``,
``api/clients/CLocalApiClient.php``, ``api/services/CUser.php``) and the API changelogs.
- 5.4: ``user.login`` takes ``username`` (``user`` deprecated), API tokens (64 hex characters),
  "Not authorized." replaces the older "Not authorised.".
- 6.2: ``selectHostGroups`` / ``with_hosts`` join ``selectGroups`` / ``real_hosts`` (deprecated).
- 6.4: ``Authorization: Bearer`` header; the body ``auth`` field is deprecated; ``user`` removed.
- 7.0: ``selectGroups`` and ``real_hosts`` removed.
- 7.2: the body ``auth`` field removed (a request carrying it is an invalid JSON-RPC request).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


def version_tuple(version: str) -> tuple[int, int]:
    """Major and minor of a version string such as "6.0.25" or "7.0.0rc1"."""
    parts = version.split(".")
    major = int(parts[0])
    minor = int("".join(ch for ch in parts[1] if ch.isdigit()) or 0) if len(parts) > 1 else 0
    return major, minor


@dataclass(frozen=True)
class Dialect:
    """The version-dependent behaviour of one Zabbix API version."""

    version: str
    login_fields: tuple[str, ...]
    deprecated_login_field: str | None
    not_authorized: str
    bearer_header: bool
    body_auth: bool
    api_tokens: bool
    group_selects: tuple[str, ...]
    with_hosts_flags: tuple[str, ...]
    problem_extra_fields: tuple[str, ...]
    ack_extra_fields: tuple[str, ...]

    @property
    def name_field(self) -> str:
        """The user object's login name field ("alias" before 5.4)."""
        return "username" if self.login_fields[0] == "username" else "alias"


@lru_cache(maxsize=32)
def dialect_for(version: str) -> Dialect:
    """The behaviour of the given Zabbix version."""
    v = version_tuple(version)
    groups = ("selectGroups",) if v < (6, 2) else ("selectGroups", "selectHostGroups")
    flags = ("real_hosts",) if v < (6, 2) else ("real_hosts", "with_hosts")
    if v >= (7, 0):
        groups, flags = ("selectHostGroups",), ("with_hosts",)
    return Dialect(
        version=version,
        login_fields=("user",) if v < (5, 4) else ("username",),
        deprecated_login_field="user" if (5, 4) <= v < (6, 4) else None,
        not_authorized="Not authorised." if v < (5, 4) else "Not authorized.",
        bearer_header=v >= (6, 4),
        body_auth=v < (7, 2),
        api_tokens=v >= (5, 4),
        group_selects=groups,
        with_hosts_flags=flags,
        problem_extra_fields=("cause_eventid",) if v >= (6, 4) else (),
        ack_extra_fields=("suppress_until",) if v >= (6, 2) else (),
    )
