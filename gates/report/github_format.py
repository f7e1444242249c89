"""GitHub Actions: workflow-command annotations, the job summary, and step outputs.

GitHub shows at most 10 error and 10 warning annotations per step (50 per job); the
rest are counted in the last annotation and listed in the job summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from gates.findings import Finding, Report, Severity
from gates.report import RenderOptions
from gates.report.markdown_format import render_summary

ANNOTATIONS_PER_LEVEL = 10
_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    props = []
    if finding.path:
        props.append(f"file={_escape_property(finding.path)}")
        if finding.line:
            props.append(f"line={finding.line}")
            if finding.end_line:
                props.append(f"endLine={finding.end_line}")
    props.append(f"title={_escape_property(f'{finding.gate}: {finding.rule_id}')}")
    return f"::{_COMMAND[finding.severity]} {','.join(props)}::{_escape_data(finding.message)}"


def annotation_lines(report: Report) -> list[str]:
    lines: list[str] = []
    for severity in Severity:
        found = [f for g in report.gates for f in g.new_findings() if f.severity is severity]
        lines += [annotation(f) for f in found[:ANNOTATIONS_PER_LEVEL]]
        hidden = len(found) - ANNOTATIONS_PER_LEVEL
        if hidden > 0:
            lines.append(
                f"::notice title=ml-gates::{hidden} more {severity.value} finding(s) are not "
                "annotated (GitHub caps annotations per step); see the job summary"
            )
    for gate in report.gates:
        if gate.error:
            lines.append(
                f"::error title={_escape_property(f'ml-gates {gate.name}')}::{_escape_data(gate.error)}"
            )
    return lines


def _append(variable: str, path: str, text: str) -> None:
    """Append to a file GitHub names; failing to is an error naming it, never a traceback."""
    from gates.fsutil import WriteError

    try:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise WriteError(f"cannot write ${variable} ({path}): {exc.strerror or exc}") from None


def write_outputs(report: Report, env: Mapping[str, str]) -> None:
    """Append the job summary and step outputs to the files GitHub names, when it names them."""
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        _append("GITHUB_STEP_SUMMARY", summary_path, render_summary(report))
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        lines = [f"verdict={report.verdict.value}", f"exit-code={report.exit_code}"]
        # The readiness score; other gates (mutation) also have a metric named "score".
        scored = [g for g in report.gates if "score" in g.metrics]
        chosen = next((g for g in scored if g.name == "readiness"), scored[0] if scored else None)
        score = chosen.metrics["score"] if chosen is not None else None
        if score is not None:
            lines.append(f"score={score:g}")
        _append("GITHUB_OUTPUT", output_path, "\n".join(lines) + "\n")


def render(report: Report, options: RenderOptions) -> str:
    write_outputs(report, options.env)
    return "\n".join(annotation_lines(report)) + "\n"
