"""What one tool run contributes to the security gate."""

from __future__ import annotations

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
