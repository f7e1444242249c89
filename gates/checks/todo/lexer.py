"""Comment spans of Python source from one regular expression, the spans :mod:`tokenize` gives.

Python 3.11's ``tokenize`` is pure Python and was nearly all of the TODO gate's time on large
trees (13 s on torch's 2,285 files, 17x ruff). Telling a comment from a ``#`` in a string
needs only the string and comment tokens, and those are regular: a ``#`` outside a string
starts a comment to the end of the line; a quote outside a comment starts a string that ends
at the first unescaped matching quote (three of them for a triple-quoted one). One compiled
pattern skips the code between them in C and matches each string or comment whole, so a
``#`` inside a string is never seen as a comment, and vice versa.

The pattern mirrors tokenize's own (``Single``, ``Double``, ``Single3``, ``Double3``,
``ContStr``, ``Comment``), including backslash-newline inside single-quoted strings. What it
does not follow, it refuses (``None``) and the caller asks tokenize itself: an unterminated
string (tokenize then raises, or recovers in its own way), and on Python 3.12+ an f-string
whose replacement fields may hold its own quotes or comments (PEP 701).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

from gates.pep701 import fstring_unsure
from gates.records import frozen_record

_LEXEME = re.compile(
    r"""[^'"\#]*(?:
        (?P<comment>\#[^\r\n]*)
      | (?P<string>
            '''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''
          | \"\"\"[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*\"\"\"
        )
      | (?P<unterminated>'''|\"\"\")
      | (?P<short>
            '[^\n'\\]*(?:\\[\s\S][^\n'\\]*)*'
          | "[^\n"\\]*(?:\\[\s\S][^\n"\\]*)*"
        )
      | (?P<unclosed>['"])
      | \Z
    )""",
    re.VERBOSE,
)
# An unterminated triple quote is tried before the one-quote strings: ''' is not '' then '.
_PEP701 = sys.version_info >= (3, 12)


@frozen_record
class Comment:
    line: int
    code: str  # what precedes the comment on its line, stripped
    text: str  # the comment without its '#'s, stripped


def comments_at(text: str, positions: Sequence[int]) -> list[Comment] | None:
    """The comments that contain one of ``positions`` (sorted offsets), or None to ask tokenize.

    Every string and comment of the text is matched, so an unterminated string anywhere is
    noticed (and left to tokenize, which reports it) wherever the markers are.
    """
    found: list[Comment] = []
    index, count = 0, len(positions)
    line, counted_to = 1, 0
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if _PEP701 and (kind == "string" or kind == "short"):
            if fstring_unsure(text, match.start(kind), match.group(kind)):
                return None
        elif kind == "comment":
            start, end = match.span(kind)
            while index < count and positions[index] < start:
                index += 1
            if index < count and positions[index] < end:
                line += text.count("\n", counted_to, start)
                counted_to = start
                line_start = text.rfind("\n", 0, start) + 1
                code = text[line_start:start].strip()
                found.append(Comment(line, code, text[start:end].lstrip("#").strip()))
        elif kind == "unterminated" or kind == "unclosed":
            return None
    return found


def strings(text: str) -> list[str] | None:
    """Every string literal's text from its opening quote (prefixes left out), or None to ask tokenize."""
    found: list[str] = []
    for match in _LEXEME.finditer(text):
        kind = match.lastgroup
        if kind == "string" or kind == "short":
            if _PEP701 and fstring_unsure(text, match.start(kind), match.group(kind)):
                return None
            found.append(match.group(kind))
        elif kind == "unterminated" or kind == "unclosed":
            return None
    return found
