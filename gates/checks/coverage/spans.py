"""Where a multi-line statement ends, for the few statements a diff touches, without tokenizing the file.

coverage.py records a multi-line statement on its first line and maps the others to it with
its ``multiline_map``, built from :mod:`tokenize` over the whole file: pure Python on 3.11, and
about three quarters of the gate's time on a real repository (click, 300 commits: 17 files,
2 s of a profiled run). The report already names every statement's first line, so a changed
line that is not one belongs to the nearest statement above it, or to none: it does exactly
when that statement's logical line reaches it. Finding where one logical line ends needs only
the strings, comments, brackets and backslash continuations from its first line on, the same
tokens tokenize uses to end a logical line (a newline outside brackets, strings and
continuations), matched by one compiled pattern.

Where the pattern cannot follow tokenize (an unterminated string; on Python 3.12+ an f-string
in the logical line whose fields may hold its own quote or a comment, PEP 701), the caller
falls back to coverage.py.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from collections.abc import Iterable, Mapping

from gates.pep701 import fstring_unsure

_LOGICAL = re.compile(
    r"""[^'"\#()\[\]{}\\\n]*(?:
        (?P<string>
            '''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''
          | \"\"\"[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*\"\"\"
        )
      | (?P<unterminated>'''|\"\"\")
      | (?P<short>
            '[^\n'\\]*(?:\\[\s\S][^\n'\\]*)*'
          | "[^\n"\\]*(?:\\[\s\S][^\n"\\]*)*"
        )
      | (?P<unclosed>['"])
      | (?P<comment>\#[^\n]*)
      | (?P<open>[(\[{])
      | (?P<close>[)\]}])
      | \\\n
      | (?P<newline>\n)
      | \\
      | \Z
    )""",
    re.VERBOSE,
)
_PEP701 = sys.version_info >= (3, 12)


class Unfollowable(Exception):
    """The text has a construct this lexer does not follow; ask coverage.py's tokenizer."""


def logical_end(text: str, offset: int, first: int) -> int:
    """The last line of the logical line that starts at ``offset`` (on line ``first``)."""
    depth = 0
    for match in _LOGICAL.finditer(text, offset):
        kind = match.lastgroup
        if (
            _PEP701
            and kind in ("string", "short")
            and fstring_unsure(text, match.start(kind), match.group(kind))
        ):
            raise Unfollowable
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "newline":
            if depth <= 0:  # tokenize ends a logical line at parenlev <= 0
                return first + text.count("\n", offset, match.start(kind))
        elif kind == "unterminated" or kind == "unclosed":
            raise Unfollowable
        elif kind is None and match.end() == len(text):
            break
    return first + text.count("\n", offset, len(text))


def owners(text: str, statements: Iterable[int], lines: Iterable[int]) -> dict[int, int]:
    """For each of ``lines`` inside a multi-line statement, that statement's first line.

    ``statements`` are the first lines of the file's statements (as coverage.py reports them);
    each starts a logical line. Raises :class:`Unfollowable` where only tokenize can tell.
    """
    starts = sorted(statements)
    wanted: dict[int, list[int]] = {}
    for line in lines:
        at = bisect_right(starts, line) - 1
        if at >= 0 and starts[at] != line:
            wanted.setdefault(starts[at], []).append(line)
    found: dict[int, int] = {}
    offset, current = 0, 1
    for first in sorted(wanted):
        while current < first:  # walk to the statement's first line
            offset = text.find("\n", offset) + 1
            if offset == 0:
                return found  # the file is shorter than the report says: nothing to map
            current += 1
        last = logical_end(text, offset, first)
        found.update((line, first) for line in wanted[first] if line <= last)
    return found


def from_multiline_map(multiline: Mapping[int, int], lines: Iterable[int]) -> dict[int, int]:
    return {line: multiline[line] for line in lines if line in multiline}
