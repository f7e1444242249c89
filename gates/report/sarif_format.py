"""SARIF 2.1.0: one run per gate, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from typing import Any

from gates.findings import Finding, GateResult, Report, Verdict
from gates.report import RenderOptions

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/ml-gates/ml-gates"


def _rules(result: GateResult) -> list[dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    for finding in result.findings:
        if finding.rule_id in rules:
            continue
        rule: dict[str, Any] = {
            "id": finding.rule_id,
            "shortDescription": {"text": finding.rule_id},
            "defaultConfiguration": {"level": finding.severity.value},
        }
        if finding.help_uri:
            rule["helpUri"] = finding.help_uri
        rules[finding.rule_id] = rule
    return list(rules.values())


def _result(finding: Finding, rule_index: int) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": finding.severity.value,
        "message": {"text": finding.message},
        "partialFingerprints": {"mlGates/v1": finding.fingerprint},
        "properties": {"sourceTool": finding.source_tool},
    }
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
        entry["locations"] = [{"physicalLocation": location}]
    if finding.suppressed_by:
        entry["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{finding.suppressed_by}: {finding.suppression_reason or ''}".strip(),
            }
        ]
    return entry


def _run(result: GateResult, version: str) -> dict[str, Any]:
    rules = _rules(result)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = []
    if result.error:
        notifications.append({"level": "error", "message": {"text": result.error}})
    return {
        "tool": {
            "driver": {
                "name": f"ml-gates/{result.name}",
                "version": version,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"ml-gates/{result.name}/"},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
        "invocations": [
            {
                "executionSuccessful": result.verdict is not Verdict.ERROR,
                "toolExecutionNotifications": notifications,
            }
        ],
        "results": [_result(f, index[f.rule_id]) for f in result.findings],
        "properties": {"verdict": result.verdict.value, "metrics": result.metrics},
    }


def report_to_sarif(report: Report) -> dict[str, Any]:
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [_run(g, report.tool_version) for g in report.gates],
    }


def render(report: Report, options: RenderOptions) -> str:
    return json.dumps(report_to_sarif(report), indent=2) + "\n"
