"""What one tool run contributes to the security gate."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import field

from gates.findings import Finding, Table
from gates.records import record


@record
class ToolOutcome:
    tool: str
    findings: list[Finding] = field(default_factory=list)
    metrics: dict[str, float | int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Set when the tool could not check: the gate's verdict becomes ``error``.
    error: str | None = None
    details: dict[str, object] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)


def first_few(items: Sequence[str], limit: int = 3) -> str:
    """``a; b; c (and 2 more)``: enough of a list for a one-line error."""
    more = f" (and {len(items) - limit} more)" if len(items) > limit else ""
    return "; ".join(items[:limit]) + more


def unscanned_error(tool: str, scanned: Set[str], selected: Sequence[str], hint: str) -> str | None:
    """The error when ``tool`` reported fewer files scanned than it was given: those went unchecked."""
    missing = sorted(set(selected) - scanned)
    if not missing:
        return None
    return (
        f"{tool} scanned {len(scanned)} of {len(selected)} selected files (first missing: "
        f"{missing[0]}); {hint}"
    )
