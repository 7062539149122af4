"""The vendor-neutral part of a simulated OLT CLI: one session's modes and paging, a command's
reply, keyword matching with abbreviations, and the vendor ``Dialect`` as data (prompts, pager
text, banner, the command interpreter). No I/O here: ``server`` drives it over SSH."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from device_fixtures.ssh.state import OltCliState

NUMBER = "<n>"
ANY = "<word>"


@dataclass(frozen=True)
class Reply:
    """What one command line prints (without the prompt) and what it does to the session."""

    text: str = ""
    close: bool = False
    prompt: bool = True
    paged: bool = True


@dataclass
class CliSession:
    """One logged-in CLI session: its mode, interface context, paging and a pending question."""

    state: OltCliState
    user: str
    mode: str
    page_length: int
    slot: int = 0
    smart: bool = True
    hidden: bool = False
    pending: Callable[[CliSession, str], Reply] | None = None
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dialect:
    """A vendor's CLI as data: initial mode, paging (pager text and how it is erased), what comes
    between a reply and the next prompt, the prompt, banner and command interpreter."""

    name: str
    initial_mode: str
    page_length: int
    more: str
    erase: str
    gap: str
    prompt: Callable[[CliSession], str]
    banner: Callable[[CliSession], str]
    interpret: Callable[[CliSession, list[str]], Reply]

    def respond(self, session: CliSession, line: str) -> Reply:
        """The reply to one typed line (an answer to a pending question goes to its handler)."""
        if session.pending is not None:
            handler, session.pending, session.hidden = session.pending, None, False
            return handler(session, line.strip())
        words = line.split()
        if not words:
            return Reply()
        session.history.append(line.strip())
        return self.interpret(session, words)


def match(words: Sequence[str], pattern: str) -> list[str] | None:
    """The arguments if ``words`` match ``pattern`` (keywords may be abbreviated), else None.

    A pattern is space-separated keywords, ``<n>`` (a number) and ``<word>`` (anything);
    ``[kw]`` marks an optional keyword. ``match(["disp", "ont", "info", "0", "all"],
    "display ont info <n> all")`` gives ``["0"]``.
    """
    args: list[str] = []
    tokens = pattern.split()
    i = 0
    for token in tokens:
        optional = token.startswith("[")
        keyword = token.strip("[]")
        word = words[i] if i < len(words) else None
        if keyword == NUMBER and word is not None and word.isdigit():
            args.append(word)
        elif keyword == ANY and word is not None:
            args.append(word)
        elif word is not None and keyword not in (NUMBER, ANY) and keyword.startswith(word.lower()):
            pass
        elif optional:
            continue
        else:
            return None
        i += 1
    return args if i == len(words) else None


def first_match(words: Sequence[str], table: Sequence[tuple[str, Callable[..., Reply]]],
                session: CliSession) -> Reply | None:
    """Run the handler of the first pattern in ``table`` matching ``words`` (None: nothing did)."""
    for pattern, handler in table:
        args = match(words, pattern)
        if args is not None:
            return handler(session, *args)
    return None

