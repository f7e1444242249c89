"""Running bandit and turning its JSON into findings, failing closed on what it skipped."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gates.checks.security.outcome import ToolOutcome, first_few, unscanned_error
from gates.checks.security.severity import bandit_rank, bandit_severity
from gates.findings import Finding
from gates.policy.sections.security import BanditSettings
from gates.tools import parse_json_output, run_tool

TOOL = "bandit"
INSTALL_HINT = "install it with 'pip install bandit==1.9.4' (a core dependency of ml-gates)"
# bandit documents 0 (no issues) and 1 (issues found); anything else is a crash.
OK_CODES = (0, 1)


def bandit_argv(settings: BanditSettings, files: Sequence[str]) -> list[str]:
    argv = ["bandit", "-f", "json", "-q"]
    if settings.config:
        argv += ["-c", settings.config]
    if settings.tests:
        argv += ["-t", ",".join(settings.tests)]
    if settings.skips:
        argv += ["-s", ",".join(settings.skips)]
    return [*argv, "--", *files]


def _relative(name: str) -> str:
    return name.removeprefix("./")


def run_bandit(root: Path, settings: BanditSettings, files: Sequence[str], timeout: float) -> ToolOutcome:
    if settings.config and not (root / settings.config).is_file():
        return ToolOutcome(
            TOOL,
            error=f"bandit config {settings.config!r} (security.bandit.config) does not exist; "
            "fix the path or remove the key",
        )
    run = run_tool(
        bandit_argv(settings, files), timeout=timeout, cwd=root, ok_codes=OK_CODES, install_hint=INSTALL_HINT
    )
    return normalize_bandit(parse_json_output(run), settings, files)


def normalize_bandit(data: Any, settings: BanditSettings, selected: Sequence[str]) -> ToolOutcome:
    """Findings from bandit's JSON; parse errors and unscanned files make the outcome an error."""
    outcome = ToolOutcome(TOOL)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        outcome.error = "bandit printed JSON without a 'results' list; is this bandit >= 1.7?"
        return outcome
    errors = data.get("errors") or []
    if errors:
        shown = first_few([f"{_relative(str(e.get('filename')))}: {e.get('reason')}" for e in errors])
        outcome.error = (
            f"bandit could not scan {len(errors)} file(s): {shown}; fix the syntax or add the "
            "file to paths.exclude (a file bandit cannot parse is not checked)"
        )
        return outcome
    metrics = data.get("metrics") or {}
    scanned = {_relative(name) for name in metrics if name != "_totals"}
    outcome.error = unscanned_error(
        TOOL, scanned, selected, "check the bandit config's exclude_dirs (-c) against the policy's paths"
    )
    if outcome.error:
        return outcome
    min_sev = bandit_rank(settings.min_severity)
    min_conf = bandit_rank(settings.min_confidence)
    below = 0
    for item in data["results"]:
        if bandit_rank(item["issue_severity"]) < min_sev or bandit_rank(item["issue_confidence"]) < min_conf:
            below += 1
            continue
        outcome.findings.append(_finding(item))
    outcome.metrics.update(
        {
            "bandit_files": len(scanned),
            "bandit_results": len(data["results"]),
            "bandit_below_threshold": below,
        }
    )
    return outcome


def _finding(item: dict[str, Any]) -> Finding:
    line = int(item["line_number"])
    line_range = [int(n) for n in item.get("line_range") or [line]]
    cwe = (item.get("issue_cwe") or {}).get("id")
    aliases = [str(item.get("test_name", ""))]
    if cwe:
        aliases.append(f"CWE-{cwe}")
    return Finding(
        gate="security",
        rule_id=str(item["test_id"]),
        severity=bandit_severity(item["issue_severity"], item["issue_confidence"]),
        message=(
            f"{item['issue_text']} (bandit {item['test_id']}, severity {item['issue_severity']}, "
            f"confidence {item['issue_confidence']})"
        ),
        path=_relative(str(item["filename"])),
        line=line,
        end_line=max(line_range),
        column=int(item.get("col_offset", 0)) + 1,
        help_uri=item.get("more_info"),
        source_tool=TOOL,
        aliases=tuple(a for a in aliases if a),
    )
