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


def _gate_error(name: str, message: str) -> str:
    return f"::error title={_escape_property(f'ml-gates {name}')}::{_escape_data(message)}"


def annotation_lines(report: Report) -> list[str]:
    """Errors that stopped a gate first (they explain an exit 2), then findings by severity.

    GitHub drops annotations past the per-level cap, so each level gets at most
    ``ANNOTATIONS_PER_LEVEL`` lines, the "N more" line included (it takes the last slot).
    """
    stopped = [_gate_error(g.name, g.error) for g in report.gates if g.error]
    lines: list[str] = []
    for severity in sorted(Severity, key=lambda s: -s.rank):
        found = [
            f
            for g in report.gates
            for f in sorted(g.new_findings(), key=lambda f: (f.path or "", f.line or 0))
            if f.severity is severity
        ]
        head = stopped if severity is Severity.ERROR else []
        room = ANNOTATIONS_PER_LEVEL - len(head)
        level = head + [annotation(f) for f in found[: max(room, 0)]]
        if len(head) + len(found) > ANNOTATIONS_PER_LEVEL:
            level = level[: ANNOTATIONS_PER_LEVEL - 1]
            hidden = len(head) + len(found) - len(level)
            level.append(
                f"::{_COMMAND[severity]} title=ml-gates::{hidden} more {severity.value} annotation(s) "
                "not shown (GitHub caps annotations per step); see the job summary"
            )
        lines += level
    return lines


def _append(variable: str, path: str, text: str) -> None:
    """Append to a file GitHub names; failing to is an error naming it, never a traceback."""
    from gates.fsutil import WriteError

    try:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise WriteError(f"cannot write ${variable} ({path}): {exc.strerror or exc}") from None


def write_error_summary(message: str, env: Mapping[str, str]) -> None:
    """A run that stopped before any gate (bad policy, usage): say why in the job summary too."""
    summary_path = env.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        _append(
            "GITHUB_STEP_SUMMARY",
            summary_path,
            f"## ml-gates: ⛔ error\n\nNo gate ran:\n\n```\n{message.strip()}\n```\n",
        )
    output_path = env.get("GITHUB_OUTPUT")
    if output_path:
        _append("GITHUB_OUTPUT", output_path, "verdict=error\nexit-code=2\n")


def error_annotation(message: str) -> str:
    return _gate_error("configuration", message)


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
