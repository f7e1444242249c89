"""Inline suppression comments a change adds: ``# nosec``, ``# nosemgrep``, ``# gates: ignore[...]``
and coverage exclusion pragmas (``# pragma: no cover``).

A comment counts as added when the changed side has more copies of it in a file than the
base had: a line that was only edited or moved keeps its comment without being reported,
while a second, identical ``# nosec`` is new. Only comments count (tokenized, so ``"# nosec"``
inside a string does not), and only on the lines the change touched.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import Counter
from collections.abc import Iterable

from gates.records import frozen_record

_SECURITY = re.compile(r"#\s*(?P<kind>nosec|nosemgrep|nosem)\b")
# As the models gate reads it (gates/checks/models/suppressions.py): only at the comment's start.
_GATES = re.compile(r"^#\s*gates\s*:\s*ignore\b")


@frozen_record
class AddedSuppression:
    line: int
    kind: str  # "nosec", "nosemgrep", "gates: ignore" or "coverage pragma"
    comment: str


def comment_markers(source: str, pragma: re.Pattern[str]) -> list[tuple[int, str, str]]:
    """``(line, kind, normalized comment)`` for every suppression comment in Python source."""
    found: list[tuple[int, str, str]] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _by_regex(source, pragma)  # an unparsable file still shows its comments
    for token in tokens:
        if token.type == tokenize.COMMENT:
            found.extend((token.start[0], kind, text) for kind, text in _kinds(token.string, pragma))
    return found


def _by_regex(source: str, pragma: re.Pattern[str]) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        if "#" in line:
            comment = line[line.index("#") :]
            found.extend((number, kind, text) for kind, text in _kinds(comment, pragma))
    return found


def _kinds(comment: str, pragma: re.Pattern[str]) -> list[tuple[str, str]]:
    text = " ".join(comment.split())
    kinds: list[tuple[str, str]] = []
    match = _SECURITY.search(comment)
    if match:
        kinds.append(("nosec" if match.group("kind") == "nosec" else "nosemgrep", text))
    if _GATES.search(comment.lstrip()):
        kinds.append(("gates: ignore", text))
    if pragma.search(comment):
        kinds.append(("coverage pragma", text))
    return kinds


def _key(kind: str, text: str) -> tuple[str, str]:
    """What must match for a comment to count as the base's: the text, since rule ids and
    reasons matter (``# nosec B603`` is not ``# nosec``); for coverage pragmas only the kind,
    whose spellings (``no cover``, ``nocover``) all exclude the same way."""
    return (kind, "") if kind == "coverage pragma" else (kind, text)


def may_add(head_source: str, changed_lines: Iterable[int], pragma: re.Pattern[str]) -> bool:
    """A cheap first look: does any changed line hold something like a suppression comment?
    Most changed files do not, and then neither tokenizing nor reading the base is needed."""
    lines = head_source.splitlines()
    for number in changed_lines:
        if 0 < number <= len(lines) and "#" in lines[number - 1]:
            line = lines[number - 1]
            comment = line[line.index("#") :]
            if _SECURITY.search(line) or "gates" in comment or pragma.search(line):
                return True
    return False


def added_suppressions(
    base_source: str | None, head_source: str, changed_lines: Iterable[int], pragma: re.Pattern[str]
) -> list[AddedSuppression]:
    """Suppression comments on ``changed_lines`` of ``head_source`` that the base did not have."""
    changed = set(changed_lines)
    head = comment_markers(head_source, pragma)
    available = Counter(_key(kind, text) for _, kind, text in comment_markers(base_source or "", pragma))
    # Comments on untouched lines were there before: they use up the base's copies first.
    for line, kind, text in head:
        if line not in changed and available[_key(kind, text)] > 0:
            available[_key(kind, text)] -= 1
    added: list[AddedSuppression] = []
    for line, kind, text in sorted(head):
        if line not in changed:
            continue
        if available[_key(kind, text)] > 0:
            available[_key(kind, text)] -= 1
            continue
        added.append(AddedSuppression(line, kind, text))
    return added
