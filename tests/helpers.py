"""Small building blocks for tests of the shared machinery (runner, reporters)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from gates.findings import Finding, GateResult, Report, Severity, Table, Verdict
from gates.gate import Gate, GateContext


class ListGate(Gate):
    """A gate that reports whatever findings a test hands it, through the real runner."""

    name = "security"
    section = "security"
    summary = "test gate"

    def __init__(self, produce: Callable[[GateContext], GateResult]) -> None:
        self.produce = produce

    def run(self, ctx: GateContext) -> GateResult:
        return self.produce(ctx)


def finding(
    rule: str = "R1",
    path: str | None = "src/a.py",
    line: int | None = 1,
    severity: Severity = Severity.ERROR,
    message: str = "something is wrong",
    gate: str = "security",
) -> Finding:
    return Finding(gate=gate, rule_id=rule, severity=severity, message=message, path=path, line=line)


def sample_report() -> Report:
    """A report with every kind of content the reporters must handle."""
    flagged = finding("B301", "src/a.py", 3, message="pickle.load, 100% unsafe: use safetensors")
    flagged.fingerprint = "f" * 32
    warn = finding("MS102", "src/b.py", 7, Severity.WARNING, "weights_only passed through **kwargs")
    warn.fingerprint = "e" * 32
    waived = finding("B602", "src/c.py", 2, message="shell=True")
    waived.fingerprint = "d" * 32
    waived.suppressed_by = "waiver"
    waived.suppression_reason = "legacy (until 2099-01-01)"
    no_location = finding("PYSEC-2024-1", None, None, message="jinja2 1.0 is vulnerable")
    no_location.fingerprint = "c" * 32
    gates = [
        GateResult(
            name="security",
            verdict=Verdict.FAIL,
            metrics={"findings": 3, "scanned_files": 12},
            findings=[flagged, waived, no_location],
            notes=["1 baselined finding(s) no longer occur"],
        ),
        GateResult(
            name="coverage",
            verdict=Verdict.PASS,
            metrics={"line_percent": 91.25},
            tables=[Table("Per-path coverage", ["path", "now", "floor"], [["src/", "91.3%", "80%"]])],
        ),
        GateResult(name="models", verdict=Verdict.PASS, findings=[warn]),
        GateResult.failed_closed("mutation", "mutmut is not installed; pip install 'ml-gates[mutation]'"),
        GateResult.skipped("coreml", "disabled in the policy"),
    ]
    return Report(gates=gates, tool_version="0.0.test", policy_path="policy.yaml")


def place_hostile(target: Path, kind: str) -> None:
    """Put at ``target`` an input no gate may read as a file: a ``directory``, a ``fifo``
    (reading it would block), a ``dangling`` link, or ``deep`` JSON (nested 100,000 levels)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "dangling":
        target.symlink_to(target.parent / "nowhere")
    elif kind == "deep":
        target.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    else:
        raise ValueError(f"unknown hostile input {kind!r}")
