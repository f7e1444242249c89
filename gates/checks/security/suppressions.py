"""Auditing inline suppressions: ``# nosec`` and ``# nosemgrep`` comments without a reason.

A reason follows the marker (and any rule ids) after `` -- `` or a second ``#``:
``# nosec B603 -- argv is a fixed list`` or ``# nosemgrep: rule-id  # fixture data``.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path

from gates.records import frozen_record
from gates.regular_files import read_regular_bytes

_MARKER = re.compile(r"#\s*(?P<kind>nosec|nosemgrep|nosem)\b(?P<rest>.*)$")
_REASON = re.compile(r"(?:\s--\s*|#\s*)(?P<reason>\S.*)$")


@frozen_record
class Suppression:
    kind: str  # "nosec" or "nosemgrep"
    path: str
    line: int
    reason: str | None


def suppressions_in(source: str, path: str) -> list[Suppression]:
    """Suppression comments in Python source (comments only, never strings)."""
    found: list[Suppression] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return found  # bandit reports the unparsable file itself
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = _MARKER.search(token.string)
        if not match:
            continue
        kind = "nosec" if match.group("kind") == "nosec" else "nosemgrep"
        reason = _REASON.search(match.group("rest"))
        found.append(
            Suppression(kind, path, token.start[0], reason.group("reason").strip() if reason else None)
        )
    return found


def audit(root: Path, files: Iterable[str]) -> list[Suppression]:
    found: list[Suppression] = []
    for path in files:
        try:
            source = read_regular_bytes(root / path).decode("utf-8", errors="replace")
        except OSError:
            continue
        if "nosec" in source or "nosem" in source:
            found.extend(suppressions_in(source, path))
    return found
