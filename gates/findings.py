"""The shared result types every gate returns and every reporter reads.

A gate produces one :class:`GateResult` holding :class:`Finding` objects and flat
numeric metrics. The runner applies waivers, the baseline and the severity
threshold, then wraps all results in a :class:`Report`. Reporters only read it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import field
from enum import Enum

from gates.records import record


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"note": 0, "warning": 1, "error": 2}[self.value]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"


# Why a finding does not block. ``None`` means it is new and counts.
SUPPRESSED_BY_BASELINE = "baseline"
SUPPRESSED_BY_WAIVER = "waiver"
SUPPRESSED_INLINE = "inline"


@record
class Finding:
    """One problem at one place, from one gate (and possibly several tools)."""

    gate: str
    rule_id: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    end_line: int | None = None
    column: int | None = None
    help_uri: str | None = None
    fingerprint: str = ""
    source_tool: str = "ml-gates"
    # Other ids the same problem is known by (CVE, GHSA, PYSEC, a peer tool's rule id);
    # waivers match on these as well as on ``rule_id``.
    aliases: tuple[str, ...] = ()
    suppressed_by: str | None = None
    suppression_reason: str | None = None

    @property
    def blocking_candidate(self) -> bool:
        return self.suppressed_by is None

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path


@record
class Table:
    """A titled table a gate wants shown in summaries (Markdown, text)."""

    title: str
    columns: list[str]
    rows: list[list[str]]


@record
class GateResult:
    name: str
    verdict: Verdict
    metrics: dict[str, float | int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    # Set when the verdict is ``error``: what went wrong and how to fix it.
    error: str | None = None
    # Extra JSON-serialisable data a gate wants in the JSON report (paths of artifacts, ...).
    details: dict[str, object] = field(default_factory=dict)
    duration_s: float = 0.0
    # True when the gate checked only part of its scope (e.g. ``gates security --tool bandit``):
    # the runner then judges neither unused waivers nor fixed baseline entries.
    partial_scope: bool = False

    @classmethod
    def failed_closed(cls, name: str, message: str) -> GateResult:
        return cls(name=name, verdict=Verdict.ERROR, error=message)

    @classmethod
    def skipped(cls, name: str, reason: str) -> GateResult:
        return cls(name=name, verdict=Verdict.SKIPPED, notes=[reason])

    def new_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.suppressed_by is None]


@record
class Report:
    gates: list[GateResult]
    tool_version: str
    policy_path: str | None = None
    base: str | None = None
    # Where project-level findings (no file of their own) point in SARIF: the policy file,
    # relative to the repository root, and the line of each gate's section in it.
    policy_file: str | None = None
    policy_lines: dict[str, int] = field(default_factory=dict)

    @property
    def verdict(self) -> Verdict:
        return overall_verdict(r.verdict for r in self.gates)

    @property
    def exit_code(self) -> int:
        return {Verdict.PASS: 0, Verdict.SKIPPED: 0, Verdict.FAIL: 1, Verdict.ERROR: 2}[self.verdict]

    def gate(self, name: str) -> GateResult | None:
        return next((g for g in self.gates if g.name == name), None)


def overall_verdict(verdicts: Iterable[Verdict]) -> Verdict:
    """An error anywhere wins over a failure, and a failure over a pass (fail closed)."""
    seen = set(verdicts)
    for verdict in (Verdict.ERROR, Verdict.FAIL, Verdict.PASS):
        if verdict in seen:
            return verdict
    return Verdict.SKIPPED if seen else Verdict.PASS


_WHITESPACE = re.compile(r"\s+")
_NUMBERS = re.compile(r"\d+(?:[.,]\d+)*")


def normalize_snippet(text: str) -> str:
    """Collapse whitespace so re-indenting or re-wrapping code keeps a fingerprint."""
    return _WHITESPACE.sub(" ", text).strip()


def assign_fingerprints(
    findings: Sequence[Finding], read_lines: Callable[[str], Sequence[str] | None]
) -> None:
    """Give every finding without one a stable, count-aware fingerprint.

    The fingerprint is tool + rule + path + a hash of the normalized source of the
    flagged lines (or of the message without its numbers, when there is no source line)
    + the occurrence index among identical keys. It survives the code
    moving to another line, and a second identical occurrence in the same file gets a
    different fingerprint, so it is new rather than hidden by the first one's entry.
    """
    occurrences: Counter[str] = Counter()
    ordered = sorted(
        (f for f in findings if not f.fingerprint),
        key=lambda f: (f.path or "", f.line or 0, f.column or 0, f.rule_id),
    )
    if not ordered:
        return
    import hashlib  # here: OpenSSL's start-up (~3 ms) is paid only by a run that found something

    for finding in ordered:
        # A finding with no source line to hash (a coverage floor, the readiness score) is
        # keyed on its message without the measured numbers: coverage moving either way must
        # not make a baselined floor new again (the ratchet is what catches a drop).
        snippet = _NUMBERS.sub("#", finding.message)
        if finding.path and finding.line:
            lines = read_lines(finding.path)
            if lines:
                start = finding.line - 1
                end = finding.end_line or finding.line
                snippet = normalize_snippet("\n".join(lines[start:end])) or snippet
        key = "\x1f".join(
            [finding.source_tool, finding.rule_id, finding.path or "", normalize_snippet(snippet)]
        )
        index = occurrences[key]
        occurrences[key] += 1
        finding.fingerprint = hashlib.sha256(f"{key}\x1f{index}".encode()).hexdigest()[:32]
