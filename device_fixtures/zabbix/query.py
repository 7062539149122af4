"""The common options of Zabbix ``*.get`` methods as pure functions over rows (dicts of strings).

Two validation styles, as in the 6.0 frontend: ``problem.get`` validates every parameter with
CApiInputValidator (unknown ones are errors), while ``host.get``, ``hostgroup.get`` and
``trigger.get`` merge options over defaults and silently ignore what they do not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

Row = dict[str, Any]

ERROR_MESSAGES = {
    -32700: "Parse error",
    -32600: "Invalid Request.",
    -32601: "Method not found.",
    -32602: "Invalid params.",
    -32603: "Internal error.",
    -32500: "Application error.",
    -32400: "System error.",
}
INVALID_PARAMS, APPLICATION_ERROR, NO_METHOD = -32602, -32500, -32601


class ApiError(Exception):
    """A Zabbix API error: the JSON-RPC ``code`` and Zabbix's ``data`` text."""

    def __init__(self, code: int, data: str) -> None:
        super().__init__(f"{code}: {data}")
        self.code = code
        self.data = data

    def as_error(self) -> dict[str, Any]:
        """The ``error`` member of the reply."""
        return {"code": self.code, "message": ERROR_MESSAGES[self.code], "data": self.data}


def invalid(path: str, problem: str) -> ApiError:
    """CApiInputValidator's wording: 'Invalid parameter "/x": problem.'."""
    return ApiError(INVALID_PARAMS, f'Invalid parameter "{path}": {problem}.')


def as_params(params: object) -> dict[str, Any]:
    """The request ``params`` as an object (PHP decodes ``[]`` and ``{}`` alike)."""
    if isinstance(params, dict):
        return params
    if isinstance(params, list) and not params:
        return {}
    raise invalid("/", 'unexpected parameter "1"')


def reject_unknown(params: Mapping[str, Any], known: Iterable[str]) -> None:
    """Fail on the first parameter the strict validator does not know."""
    allowed = set(known)
    for name in params:
        if name not in allowed:
            raise invalid("/", f'unexpected parameter "{name}"')


def ids_of(value: object, path: str = "", *, strict: bool = False) -> set[str] | None:
    """An ``*ids`` option as a set of id strings (None when absent)."""
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    result: set[str] = set()
    for k, item in enumerate(items, 1):
        text = str(item)
        if strict and (isinstance(item, bool) or not text.isdigit()):
            raise invalid(f"{path}/{k}", "a number is expected")
        result.add(text)
    return result


def check_output(value: object, fields: Sequence[str], path: str, *, allow_count: bool = False) -> None:
    """Strict API_OUTPUT validation: "extend" (or "count") or a list of known fields."""
    if value is None or value == "extend" or (allow_count and value == "count"):
        return
    if isinstance(value, list):
        for k, name in enumerate(value, 1):
            if name not in fields:
                choices = ", ".join(f'"{f}"' for f in fields)
                raise invalid(f"{path}/{k}", f"value must be one of {choices}")
        return
    raise invalid(path, 'value must be one of "extend"' + (', "count"' if allow_count else ""))


def project(row: Row, output: object, keep: Sequence[str] = ()) -> Row:
    """The requested fields of a row (``keep``: fields returned whatever was asked)."""
    if output is None or output == "extend":
        return dict(row)
    wanted = set(output) if isinstance(output, list) else set()
    return {k: v for k, v in row.items() if k in wanted or k in keep}


def select(rows: list[Row], output: object, keep: Sequence[str] = ()) -> list[Row] | str:
    """A ``select*`` option applied to related rows: projected rows, or their count as a string."""
    if output == "count":
        return str(len(rows))
    return [project(r, output, keep) for r in rows]


def matches_filter(row: Row, filters: object) -> bool:
    """``filter``: every named field equals one of the given values (unknown fields ignored)."""
    if not isinstance(filters, dict):
        return True
    for name, wanted in filters.items():
        if name not in row or wanted is None:
            continue
        values = wanted if isinstance(wanted, list) else [wanted]
        if str(row[name]) not in {str(v) for v in values}:
            return False
    return True


def search_predicate(options: Mapping[str, Any]) -> Callable[[Row], bool]:
    """``search`` with startSearch, searchByAny, searchWildcardsEnabled, excludeSearch (case-insensitive)."""
    search = options.get("search")
    if not isinstance(search, dict):
        return lambda row: True
    patterns: list[tuple[str, list[re.Pattern[str]]]] = []
    for name, wanted in search.items():
        values = [v for v in (wanted if isinstance(wanted, list) else [wanted]) if v not in (None, "")]
        if values:
            patterns.append((name, [_like(str(v), options) for v in values]))
    any_field = bool(options.get("searchByAny"))
    exclude = bool(options.get("excludeSearch"))

    def predicate(row: Row) -> bool:
        hits = [any(p.search(str(row.get(name, ""))) for p in pats) for name, pats in patterns if name in row]
        if not hits:
            return True
        hit = any(hits) if any_field else all(hits)
        return hit != exclude

    return predicate


def _like(value: str, options: Mapping[str, Any]) -> re.Pattern[str]:
    body = re.escape(value)
    if options.get("searchWildcardsEnabled"):
        body = body.replace(r"\*", ".*")
    prefix = "^" if options.get("startSearch") or options.get("searchWildcardsEnabled") else ""
    suffix = "$" if options.get("searchWildcardsEnabled") else ""
    return re.compile(prefix + body + suffix, re.IGNORECASE | re.DOTALL)


def matches_tags(tags: Sequence[tuple[str, str]], conditions: object, evaltype: object) -> bool:
    """The ``tags``/``evaltype`` filter: and/or (0) groups by tag name, or (2) any condition."""
    if not isinstance(conditions, list) or not conditions:
        return True
    results: dict[str, list[bool]] = {}
    for cond in conditions:
        if isinstance(cond, dict):
            results.setdefault(str(cond.get("tag", "")), []).append(_tag_condition(tags, cond))
    if str(evaltype) == "2":
        return any(any(r) for r in results.values())
    return all(any(r) for r in results.values())


def _tag_condition(tags: Sequence[tuple[str, str]], cond: Mapping[str, Any]) -> bool:
    name, value = str(cond.get("tag", "")), str(cond.get("value", ""))
    operator = int(cond.get("operator", 0))
    values = [v for t, v in tags if t == name]
    if operator == 4:
        return bool(values)
    if operator == 5:
        return not values
    if operator == 1:
        return value in values
    if operator == 3:
        return value not in values
    contains = any(value.lower() in v.lower() for v in values)
    return contains if operator == 0 else not contains


def sort_rows(
    rows: list[Row],
    options: Mapping[str, Any],
    allowed: Sequence[str],
    numeric: Iterable[str] = (),
    virtual: Mapping[str, Callable[[Row], Any]] | None = None,
) -> None:
    """``sortfield``/``sortorder`` in place; a field outside ``allowed`` is an error, as in Zabbix.

    ``virtual`` gives the sort key of fields that are not columns of the row (trigger "hostname").
    """
    fields = options.get("sortfield") or []
    fields = fields if isinstance(fields, list) else [fields]
    orders = options.get("sortorder") or []
    orders = orders if isinstance(orders, list) else [orders] * len(fields)
    for field in fields:
        if field not in allowed:
            raise ApiError(INVALID_PARAMS, f'Sorting by field "{field}" not allowed.')
    keys = {f: (lambda r, f=f: int(r[f])) for f in numeric} | dict(virtual or {})
    for k in range(len(fields) - 1, -1, -1):
        field = fields[k]
        desc = str(orders[k] if k < len(orders) else "ASC").upper() == "DESC"
        rows.sort(key=keys.get(field, lambda r, f=field: r[f]), reverse=desc)


def finish(
    rows: list[Row],
    options: Mapping[str, Any],
    pk: str,
    *,
    keep_pk: bool = True,
    related: Callable[[Row, Row], None] | None = None,
) -> list[Row] | dict[str, Row] | str:
    """``countOutput``, ``limit``, ``output``, the ``select*`` options and ``preservekeys``.

    ``rows`` are whole objects, already filtered and sorted; ``related(out, row)`` adds the
    requested related objects to each projected row (only for rows that survive the limit).
    """
    if options.get("countOutput"):
        return str(len(rows))
    limit = options.get("limit")
    if limit is not None and str(limit).isdigit() and int(limit) > 0:
        rows = rows[: int(limit)]
    output = options.get("output", "extend")
    result: list[Row] = []
    for row in rows:
        out = project(row, output, (pk,) if keep_pk else ())
        if related is not None:
            related(out, row)
        result.append(out)
    if options.get("preservekeys"):
        return {str(row[pk]): out for row, out in zip(rows, result, strict=True)}
    return result
