"""RouterOS API query words evaluated on a stack of booleans, as the router does.

The stack starts as if full of ``true``; each word pushes or combines values; a row matches when
no value left on the stack is ``false``. Words: ``?name`` (has the property), ``?-name`` (lacks
it), ``?name=x`` and ``?=name=x`` (equals), ``?<name=x`` and ``?>name=x`` (less / greater,
numerically when both sides are numbers), and ``?#ops`` where each character of ops is ``|``
(or of the top two), ``&`` (and of the top two), ``!`` (negate the top), ``.`` (push a copy of
the top; after an index it does nothing) or a decimal index (push a copy of the value that many
places below the top).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

Row = Mapping[str, str]
Test = Callable[[Row], bool]
BOOLEAN_WORDS = {"yes": "true", "no": "false", "true": "true", "false": "false"}


class QueryError(ValueError):
    """A query word the router would refuse."""


class _Stack:
    """A boolean stack that reads as ``true`` below its bottom."""

    def __init__(self) -> None:
        self.values: list[bool] = []

    def pop(self) -> bool:
        return self.values.pop() if self.values else True

    def push(self, value: bool) -> None:
        self.values.append(value)

    def peek(self, index: int = 0) -> bool:
        return self.values[-1 - index] if index < len(self.values) else True


def _number(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def same(actual: str, expected: str) -> bool:
    """Equality as the router compares: booleans in either spelling (yes/true, no/false) match."""
    if actual == expected:
        return True
    return actual in ("true", "false") and BOOLEAN_WORDS.get(expected) == actual


def _compare(actual: str | None, expected: str, sign: int) -> bool:
    if actual is None:
        return False
    left, right = _number(actual), _number(expected)
    if left is not None and right is not None:
        return (left > right) if sign > 0 else (left < right)
    return (actual > expected) if sign > 0 else (actual < expected)


def _run_ops(ops: str, stack: _Stack) -> None:
    """Apply one ``?#`` operation string."""
    i = 0
    after_index = False
    while i < len(ops):
        ch = ops[i]
        if ch.isdigit():
            j = i
            while j < len(ops) and ops[j].isdigit():
                j += 1
            stack.push(stack.peek(int(ops[i:j])))
            i, after_index = j, True
            continue
        if ch == "!":
            stack.push(not stack.pop())
        elif ch in "|&":
            right, left = stack.pop(), stack.pop()
            stack.push((left or right) if ch == "|" else (left and right))
        elif ch == ".":
            if not after_index:
                stack.push(stack.peek())
        else:
            raise QueryError(f"unknown query operation {ch!r}")
        after_index = False
        i += 1


def _word_test(word: str) -> Callable[[Row, _Stack], None]:
    """One query word as a step on the stack."""
    body = word[1:]
    if body.startswith("#"):
        ops = body[1:]
        _run_ops(ops, _Stack())  # validate once, rows reuse the string
        return lambda row, stack: _run_ops(ops, stack)
    if body[:1] in ("<", ">"):
        sign = 1 if body[0] == ">" else -1
        name, sep, value = body[1:].partition("=")
        if not sep or not name:
            raise QueryError(f"bad query word {word!r}")
        return lambda row, stack: stack.push(_compare(row.get(name), value, sign))
    if body.startswith("-"):
        name = body[1:]
        return lambda row, stack: stack.push(name not in row)
    if body.startswith("="):
        body = body[1:]
    name, sep, value = body.partition("=")
    if not name:
        raise QueryError(f"bad query word {word!r}")
    if not sep:
        return lambda row, stack: stack.push(name in row)
    return lambda row, stack: stack.push(name in row and same(row[name], value))


def compile_query(words: Sequence[str]) -> Test:
    """A row predicate from the request's query words; raises QueryError on a malformed word."""
    steps = [_word_test(w) for w in words]
    if not steps:
        return lambda row: True

    def test(row: Row) -> bool:
        stack = _Stack()
        for step in steps:
            step(row, stack)
        return all(stack.values)

    return test


def evaluate(words: Sequence[str], row: Row) -> bool:
    """Whether one row matches the query words."""
    return compile_query(words)(row)
