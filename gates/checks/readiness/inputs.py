"""The other gates' results, from this run (``ctx.results``) or a saved JSON report.

Readiness never re-runs a gate: it reads what a ``gates check`` run produced. Both sources
are reduced to the same small shape here so the scoring code has one input type.
"""

from __future__ import annotations

import json
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.errors import GatesError
from gates.findings import GateResult
from gates.records import frozen_record, record
from gates.regular_files import read_regular_bytes


@frozen_record
class InputFinding:
    rule_id: str
    severity: str
    message: str
    path: str | None
    line: int | None
    suppressed: bool


@record
class GateInput:
    name: str
    verdict: str  # pass | fail | error | skipped
    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    findings: list[InputFinding] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """It completed (pass or fail); an errored or skipped gate has no numbers to trust."""
        return self.verdict in ("pass", "fail")

    def open_errors(self) -> list[InputFinding]:
        return [f for f in self.findings if f.severity == "error" and not f.suppressed]

    def state(self) -> str:
        """How the gate ended, for reports: 'skipped (disabled in the policy ...)', 'error: ...'."""
        if self.verdict == "skipped":
            reason = self.notes[0] if self.notes else "skipped"
            return f"skipped ({reason})"
        if self.verdict == "error":
            return f"errored: {_shorten(self.error or 'the gate could not run')}"
        return self.verdict


def _shorten(text: str, limit: int = 160) -> str:
    """Tool errors can quote whole command lines and outputs; tables need the gist."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def from_results(results: dict[str, GateResult]) -> dict[str, GateInput]:
    return {name: _from_result(result) for name, result in results.items()}


def _from_result(result: GateResult) -> GateInput:
    return GateInput(
        name=result.name,
        verdict=result.verdict.value,
        metrics={k: float(v) for k, v in result.metrics.items()},
        details=dict(result.details),
        findings=[
            InputFinding(
                f.rule_id, f.severity.value, f.message, f.path, f.line, suppressed=f.suppressed_by is not None
            )
            for f in result.findings
        ],
        error=result.error,
        notes=list(result.notes),
    )


def from_json_file(path: Path, shown_as: str, exclude: str) -> dict[str, GateInput]:
    """Gates in a saved ``gates check --format json`` report (``exclude``: readiness itself)."""
    try:
        # Only a regular file: a FIFO here blocked the gate forever.
        data = json.loads(read_regular_bytes(path).decode("utf-8"))
    except RecursionError:
        raise GatesError(f"{shown_as}: nested too deeply to be an ml-gates JSON report") from None
    except FileNotFoundError:
        raise GatesError(
            f"{shown_as}: no such report; write one with 'gates check --format json --output {shown_as}'"
        ) from None
    except json.JSONDecodeError as exc:
        raise GatesError(f"{shown_as}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise GatesError(f"{shown_as}: cannot read the report ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != 1 or not isinstance(data.get("gates"), list):
        raise GatesError(
            f"{shown_as}: not an ml-gates JSON report (version 1 with 'gates'); "
            "write one with 'gates check --format json'"
        )
    found: dict[str, GateInput] = {}
    for index, gate in enumerate(data["gates"]):
        try:
            parsed = _from_json_gate(gate)
        except (KeyError, TypeError, ValueError) as exc:
            raise GatesError(f"{shown_as}: gates[{index}] is malformed ({exc})") from None
        if parsed.name != exclude:
            found[parsed.name] = parsed
    return found


def _from_json_gate(gate: dict[str, Any]) -> GateInput:
    verdict = str(gate["verdict"])
    if verdict not in ("pass", "fail", "error", "skipped"):
        raise ValueError(f"unknown verdict {verdict!r}")
    return GateInput(
        name=str(gate["name"]),
        verdict=verdict,
        metrics={str(k): float(v) for k, v in (gate.get("metrics") or {}).items()},
        details=dict(gate.get("details") or {}),
        findings=[
            InputFinding(
                rule_id=str(f["rule_id"]),
                severity=str(f["severity"]),
                message=str(f.get("message", "")),
                path=f.get("path"),
                line=f.get("line"),
                suppressed=f.get("suppressed_by") is not None,
            )
            for f in gate.get("findings") or []
        ],
        error=gate.get("error"),
        notes=[str(n) for n in gate.get("notes") or []],
    )
