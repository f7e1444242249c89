"""Inline suppressions: ``# gates: ignore[MS101] reason``.

A comment applies to a finding whose span includes the comment's line, or, when the
comment stands alone on its line, to the statement right below it. A comment without a
rule id or without a reason suppresses nothing and is itself a finding (MS901); one that
matched nothing is reported too (MS902), so suppressions cannot outlive their reason.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import field

from gates.records import record

MARKER = re.compile(r"#\s*gates\s*:\s*ignore\b(?P<rest>.*)$")
_IDS = re.compile(r"\[(?P<ids>[^\]]*)\](?P<reason>.*)$")


@record
class Suppression:
    line: int
    # The line the comment covers when it stands alone above a statement.
    applies_to: int
    rules: frozenset[str]
    reason: str
    used: set[str] = field(default_factory=set)

    @property
    def valid(self) -> bool:
        return bool(self.rules) and bool(self.reason)

    def covers(self, rule_ids: tuple[str, ...], line: int, end_line: int) -> bool:
        if not self.valid or not self.rules.intersection(rule_ids):
            return False
        return line <= self.line <= end_line or self.applies_to == line


def parse_suppressions(source: str) -> list[Suppression]:
    """Every ``# gates: ignore`` comment; tokenizing keeps ``#`` inside strings out."""
    found: list[Suppression] = []
    pending: list[Suppression] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return found
    previous_code_line = 0
    for token in tokens:
        if token.type == tokenize.COMMENT:
            match = MARKER.match(token.string)
            if match is None:
                continue
            line = token.start[0]
            rules, reason = _parse_rest(match.group("rest"))
            suppression = Suppression(line, line, rules, reason)
            found.append(suppression)
            if previous_code_line != line:
                pending.append(suppression)
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                                tokenize.ENCODING, tokenize.ENDMARKER):  # fmt: skip
            for waiting in pending:
                waiting.applies_to = token.start[0]
            pending.clear()
            previous_code_line = token.end[0]
    return found


def _parse_rest(rest: str) -> tuple[frozenset[str], str]:
    match = _IDS.match(rest.strip())
    if match is None:
        return frozenset(), ""
    ids = frozenset(part.strip() for part in match.group("ids").split(",") if part.strip())
    # "# gates: ignore[X]  # other comment" has no reason: the rest is another comment.
    reason = match.group("reason").split("#", 1)[0].strip().lstrip(":-—").strip()
    return ids, reason
