"""Python 3.12's f-strings (PEP 701) for the lexers that read source without tokenize.

Before 3.12 an f-string is one string token: it ends at the first unescaped matching quote,
like any other. From 3.12 a replacement field may hold the f-string's own quote, newlines and
``#`` comments, so that rule can end it too early. This tells when it may have.
"""

from __future__ import annotations

import re

# The prefix of an f-string, ending where its quote starts.
_FSTRING_PREFIX = re.compile(r"(?<![\w])(?:[fF][rR]?|[rR][fF])\Z")
_FIELD_CHARS = re.compile(r"""[{}'"\#\\]""")


def fstring_unsure(text: str, start: int, literal: str) -> bool:
    """Whether the literal at ``start`` of ``text`` (as a pre-3.12 lexer matched it, from its
    opening quote) is an f-string whose fields may not end where that match ended it.

    Walking its braces (and the strings inside its fields) tells: every field closed, no ``#``
    and no backslash in one, and the literal ends where a pre-3.12 string would. Anything else
    is "unsure", for the caller to leave to tokenize.
    """
    if "{" not in literal or _FSTRING_PREFIX.search(text, max(0, start - 3), start) is None:
        return False
    depth, at, end = 0, 0, len(literal)
    while True:
        found = _FIELD_CHARS.search(literal, at)
        if found is None:
            return depth != 0
        at = found.start()
        char = literal[at]
        if char == "{":
            if depth == 0 and literal.startswith("{{", at):
                at += 2  # a literal brace
                continue
            depth += 1
        elif char == "}":
            if depth == 0:
                at += 2 if literal.startswith("}}", at) else 1
                continue
            depth -= 1
        elif depth:
            if char != "'" and char != '"':
                return True  # a comment or a backslash inside a field
            close = literal.find(char, at + 1)
            if close < 0 or "\\" in literal[at:close]:
                return True  # a string in a field that does not close here
            at = close
        at += 1
        if at >= end:
            return depth != 0
