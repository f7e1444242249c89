"""The JSON report: the stable, versioned contract scripts consume (see docs/json-report.md)."""

from __future__ import annotations

import json
from typing import Any

from gates.findings import Finding, GateResult, Report
from gates.report import RenderOptions

REPORT_VERSION = 1


def finding_to_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "end_line": finding.end_line,
        "column": finding.column,
        "fingerprint": finding.fingerprint,
        "help_uri": finding.help_uri,
        "source_tool": finding.source_tool,
        "aliases": list(finding.aliases),
        "suppressed_by": finding.suppressed_by,
        "suppression_reason": finding.suppression_reason,
    }


def gate_to_json(result: GateResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "verdict": result.verdict.value,
        "error": result.error,
        "duration_s": round(result.duration_s, 3),
        "metrics": dict(sorted(result.metrics.items())),
        "notes": list(result.notes),
        "tables": [
            {"title": t.title, "columns": list(t.columns), "rows": [list(r) for r in t.rows]}
            for t in result.tables
        ],
        "details": result.details,
        "findings": [finding_to_json(f) for f in result.findings],
    }


def report_to_json(report: Report) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "tool": {"name": "ml-gates", "version": report.tool_version},
        "verdict": report.verdict.value,
        "exit_code": report.exit_code,
        "policy": report.policy_path,
        "gates": [gate_to_json(g) for g in report.gates],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report_to_json(report), indent=2, default=str) + "\n"
