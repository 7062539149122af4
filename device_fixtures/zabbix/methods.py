"""The API methods as pure handlers over a ZabbixState, dispatched as CLocalApiClient does.

``call()`` resolves the method (case-insensitive), refuses an ``auth`` on the anonymous methods,
authenticates the others (session id, or a 64-hex API token from 5.4), then runs the handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from device_fixtures.zabbix.getters import host_get, hostgroup_get, trigger_get
from device_fixtures.zabbix.objects import user_row
from device_fixtures.zabbix.problems import problem_get
from device_fixtures.zabbix.query import (
    APPLICATION_ERROR,
    INVALID_PARAMS,
    NO_METHOD,
    ApiError,
    as_params,
    invalid,
)
from device_fixtures.zabbix.state import Session, User, ZabbixState

Params = dict[str, Any]
Handler = Callable[[ZabbixState, Params, str | None], Any]

SESSION_TERMINATED = "Session terminated, re-login, please."
ANONYMOUS = frozenset({"user.login", "user.checkauthentication", "apiinfo.version", "settings.getglobal"})
# Every API a 6.0 frontend has, so that an unknown one is "Incorrect API" and not "Incorrect method".
APIS = frozenset(
    "action alert apiinfo auditlog authentication autoregistration configuration correlation dashboard "
    "dcheck dhost discoveryrule drule dservice event graph graphitem graphprototype hanode history host "
    "hostgroup hostinterface hostprototype housekeeping httptest iconmap image item itemprototype "
    "maintenance map mediatype module problem proxy regexp report role script service settings sla task "
    "template templatedashboard token trend trigger triggerprototype user usergroup usermacro "
    "valuemap".split()
)


# Verbs most APIs have: a real Zabbix would answer these, the simulator says it does not.
REAL_VERBS = frozenset(
    {"get", "create", "update", "delete", "acknowledge", "massadd", "massupdate", "massremove"}
)


def login_failed_text(state: ZabbixState) -> str:
    """What a failed login says in this version."""
    if state.dialect.login_fields == ("user",):
        return "Login name or password is incorrect."
    return "Incorrect user name or password or account is temporarily blocked."


def authenticate(state: ZabbixState, auth: str | None) -> Session:
    """The session (or API token) behind ``auth``, or the error Zabbix answers."""
    dialect = state.dialect
    if not auth:
        raise ApiError(INVALID_PARAMS, dialect.not_authorized)
    session = state.sessions.get(auth)
    is_token = dialect.api_tokens and len(auth) == 64
    if session is None or not session.active or state.user_by_id(session.userid) is None:
        raise ApiError(INVALID_PARAMS, dialect.not_authorized if is_token else SESSION_TERMINATED)
    return session


def call(
    state: ZabbixState, method: str, params: object, auth: str | None, *, reject_logins: bool = False
) -> Any:
    """Run one API call as the frontend would and return its ``result`` (or raise ApiError)."""
    api, _, name = method.partition(".")
    key = method.lower()
    if api.lower() not in APIS:
        raise ApiError(NO_METHOD, f'Incorrect API "{api}".')
    handler = HANDLERS.get(key)
    if handler is None and name.lower() in REAL_VERBS:
        raise ApiError(NO_METHOD, f'Method "{api}.{name}" is not simulated by device_fixtures.zabbix.')
    if handler is None:
        raise ApiError(NO_METHOD, f'Incorrect method "{api}.{name}".')
    if key in ANONYMOUS and auth is not None:
        raise ApiError(
            INVALID_PARAMS, f'The "{api}.{name}" method must be called without the "auth" parameter.'
        )
    with state.lock:
        if key not in ANONYMOUS:
            authenticate(state, auth)
        if key == "user.login" and reject_logins:
            raise ApiError(APPLICATION_ERROR, login_failed_text(state))
        return handler(state, as_params(params), auth)


def apiinfo_version(state: ZabbixState, p: Params, auth: str | None) -> str:
    """apiinfo.version: the version string; takes no parameters."""
    for name in p:
        raise invalid("/", f'unexpected parameter "{name}"')
    return state.version


def _check_login_params(state: ZabbixState, p: Params) -> tuple[str, str]:
    dialect = state.dialect
    name_field = dialect.login_fields[0]
    allowed = {name_field, "password", "userData"}
    if dialect.deprecated_login_field is not None:
        allowed.add(dialect.deprecated_login_field)
        if dialect.deprecated_login_field in p:
            if name_field in p:
                raise ApiError(INVALID_PARAMS, f'Parameter "{dialect.deprecated_login_field}" is deprecated.')
            p = {**p, name_field: p[dialect.deprecated_login_field]}
            del p[dialect.deprecated_login_field]
    for name in p:
        if name not in allowed:
            raise invalid("/", f'unexpected parameter "{name}"')
    for name in (name_field, "password"):
        if name not in p:
            raise invalid("/", f'the parameter "{name}" is missing')
        if not isinstance(p[name], str):
            raise invalid(f"/{name}", "a character string is expected")
    return p[name_field], p["password"]


def user_login(state: ZabbixState, p: Params, auth: str | None) -> str | dict[str, Any]:
    """user.login: a session id, or the user object with ``userData``."""
    username, password = _check_login_params(state, p)
    user: User | None = state.users.get(username)
    if user is None:
        raise ApiError(INVALID_PARAMS, login_failed_text(state))
    if user.password != password:
        raise ApiError(APPLICATION_ERROR, login_failed_text(state))
    sessionid = state.login(user)
    return user_row(user, state.dialect, sessionid) if p.get("userData") else sessionid


def user_logout(state: ZabbixState, p: Params, auth: str | None) -> bool:
    """user.logout: ends the caller's login session (an API token cannot log out)."""
    for name in p:
        raise invalid("/", f'unexpected parameter "{name}"')
    session = state.sessions.get(auth or "")
    if session is None or (state.dialect.api_tokens and len(auth or "") == 64):
        raise ApiError(INVALID_PARAMS, "Cannot log out.")
    session.active = False
    return True


def user_check_authentication(state: ZabbixState, p: Params, auth: str | None) -> dict[str, Any]:
    """user.checkAuthentication: the user of a live session, else "Session terminated"."""
    allowed = {"sessionid", "extend", "token"} if state.dialect.bearer_header else {"sessionid", "extend"}
    for name in p:
        if name not in allowed:
            raise invalid("/", f'unexpected parameter "{name}"')
    key = p.get("sessionid") or p.get("token")
    if not isinstance(key, str):
        raise invalid("/", 'the parameter "sessionid" is missing')
    session = state.sessions.get(key)
    user = state.user_by_id(session.userid) if session is not None and session.active else None
    if user is None:
        raise ApiError(INVALID_PARAMS, SESSION_TERMINATED)
    return user_row(user, state.dialect, key)


def _get(handler: Callable[[ZabbixState, Params], Any]) -> Handler:
    return lambda state, p, auth: handler(state, p)


HANDLERS: dict[str, Handler] = {
    "apiinfo.version": apiinfo_version,
    "user.login": user_login,
    "user.logout": user_logout,
    "user.checkauthentication": user_check_authentication,
    "host.get": _get(host_get),
    "hostgroup.get": _get(hostgroup_get),
    "problem.get": _get(problem_get),
    "trigger.get": _get(trigger_get),
}
