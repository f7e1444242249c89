"""SARIF 2.1.0: one run per gate, for GitHub code scanning and other SARIF viewers.

GitHub rejects a whole upload when one result has no location, and shows a rule only
with ``shortDescription``, ``fullDescription`` and ``help`` (the SARIF Multitool's
``--rule-kind Gh`` rules, checked in tests/test_sarif_github.py). So every result has a
location: its file, or, for a project-level finding (a coverage floor, the readiness
score), the line of the gate's section in the policy file that sets the threshold.
"""

from __future__ import annotations

import json
from typing import Any

from gates.findings import Finding, GateResult, Report, Severity, Verdict
from gates.links import REPOSITORY_URL, gate_docs_url
from gates.report import RenderOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = REPOSITORY_URL
# Where a project-level finding points when no policy file exists: the file that would
# hold the setting (`gates policy init` writes it there).
DEFAULT_POLICY_FILE = "policy.yaml"
# Gates whose findings are security problems: GitHub ranks them by `security-severity`
# (a CVSS-like 0.0-10.0 string) and lists them under "Security".
SECURITY_GATES = frozenset({"security", "models"})
_SECURITY_SEVERITY = {Severity.ERROR: "8.0", Severity.WARNING: "5.5", Severity.NOTE: "3.0"}
_SHORT_LIMIT = 120


def _first_sentence(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    for stop in (". ", "; "):
        if stop in line:
            line = line.split(stop, 1)[0]
    if len(line) > _SHORT_LIMIT:
        line = line[: _SHORT_LIMIT - 3].rstrip() + "..."
    return line.rstrip(".")


def _rule(finding: Finding, gate: str) -> dict[str, Any]:
    help_uri = finding.help_uri or gate_docs_url(gate)
    summary = _first_sentence(finding.message) or finding.rule_id
    full = finding.message.strip() or finding.rule_id
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "shortDescription": {"text": f"{finding.rule_id}: {summary}"},
        "fullDescription": {"text": full},
        "help": {
            "text": f"{full}\n\nDocumentation: {help_uri}",
            "markdown": f"{full}\n\n[Documentation for {finding.rule_id}]({help_uri})",
        },
        "helpUri": help_uri,
        "defaultConfiguration": {"level": finding.severity.value},
    }
    properties: dict[str, Any] = {"tags": [f"ml-gates/{gate}", finding.source_tool]}
    if gate in SECURITY_GATES:
        properties["tags"].append("security")
        properties["security-severity"] = _SECURITY_SEVERITY[finding.severity]
    rule["properties"] = properties
    return rule


def _rules(result: GateResult) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        if finding.rule_id not in rules:
            rules[finding.rule_id] = _rule(finding, result.name)
    return list(rules.values())


def _location(finding: Finding, report: Report) -> dict[str, Any]:
    if finding.path:
        region: dict[str, Any] = {}
        if finding.line:
            region["startLine"] = finding.line
            if finding.end_line and finding.end_line >= finding.line:
                region["endLine"] = finding.end_line
            if finding.column:
                region["startColumn"] = finding.column
        location: dict[str, Any] = {"artifactLocation": {"uri": finding.path, "uriBaseId": "%SRCROOT%"}}
        if region:
            location["region"] = region
        return {"physicalLocation": location}
    # A project-level finding: the policy setting it is measured against.
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": report.policy_file or DEFAULT_POLICY_FILE, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": report.policy_lines.get(finding.gate, 1)},
        },
        "message": {"text": f"project-level finding of the {finding.gate} gate (its policy section)"},
    }


def _result(finding: Finding, rule_index: int, report: Report) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity.value,
        "message": {"text": finding.message},
        "locations": [_location(finding, report)],
        "partialFingerprints": {"mlGates/v1": finding.fingerprint},
        "properties": {"sourceTool": finding.source_tool},
    }
    if finding.suppressed_by:
        entry["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{finding.suppressed_by}: {finding.suppression_reason or ''}".strip(),
            }
        ]
    return entry


def _run(result: GateResult, report: Report) -> dict[str, Any]:
    rules = _rules(result)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = []
    if result.error:
        notifications.append({"level": "error", "message": {"text": result.error}})
    return {
        "tool": {
            "driver": {
                "name": f"ml-gates/{result.name}",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        # One code-scanning category per gate, so one gate's upload never closes another's alerts.
        "automationDetails": {"id": f"ml-gates/{result.name}/"},
        # No originalUriBaseIds: SARIF wants an absolute URI there, which a checkout does not
        # have; code scanning resolves %SRCROOT%-relative URIs against the repository root.
        "invocations": [
            {
                "executionSuccessful": result.verdict is not Verdict.ERROR,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(f, index[f.rule_id], report) for f in result.findings],
        "properties": {"verdict": result.verdict.value, "metrics": result.metrics},
    }


def report_to_sarif(report: Report) -> dict[str, Any]:
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [_run(g, report) for g in report.gates],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report_to_sarif(report), indent=2) + "\n"
