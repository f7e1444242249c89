"""Running semgrep offline on the ML rule pack and local rules, and normalizing its JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gates.checks.security.outcome import ToolOutcome, first_few, unscanned_error
from gates.checks.security.severity import semgrep_rank, semgrep_severity
from gates.findings import Finding
from gates.policy.sections.security import SemgrepSettings
from gates.tools import ToolRun, parse_json_output, run_tool

TOOL = "semgrep"
INSTALL_HINT = "install it with 'pip install \"ml-gates[semgrep]\"' (semgrep==1.182.0)"
RULE_PACK = Path(__file__).resolve().parents[2] / "rules"
# semgrep documents 0 (completed) and 1 (findings, with --error); 2+ are failures
# (2 fatal, 3 bad target, 4 bad pattern, 5 bad YAML, 7 missing config, ...).
OK_CODES = (0, 1)
ANY_CODE = range(-64, 256)  # checked here, so the message can quote semgrep's JSON errors
EXIT_MEANINGS = {
    2: "fatal error",
    3: "invalid target",
    4: "invalid rule pattern",
    5: "unparsable rule file",
    7: "missing or invalid config",
    8: "invalid language",
    13: "invalid API key",
}
# Never phone home: no metrics, no version check, no registry rules.
OFFLINE_ENV = {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
_CWE = re.compile(r"CWE-(\d+)")


def rule_configs(root: Path, settings: SemgrepSettings) -> list[str]:
    configs = [str(RULE_PACK)] if settings.pack else []
    configs += [str(root / rule) for rule in settings.rules]
    return configs


def semgrep_argv(configs: Sequence[str], files: Sequence[str], timeout: float) -> list[str]:
    argv = [
        "semgrep",
        "scan",
        "--json",
        "--metrics=off",
        "--disable-version-check",
        # Rule ids as written in the rule file, wherever the pack is installed.
        "--no-rewrite-rule-ids",
        # semgrep silently drops files over 1 MB by default; we scan what we select.
        "--max-target-bytes=0",
        "--quiet",
        # Per rule and file; a timeout lands in errors[] and fails the gate closed.
        f"--timeout={max(1, min(int(timeout), 60))}",
    ]
    for config in configs:
        argv += ["--config", config]
    return [*argv, "--", *files]


def run_semgrep(root: Path, settings: SemgrepSettings, files: Sequence[str], timeout: float) -> ToolOutcome:
    missing = [rule for rule in settings.rules if not (root / rule).exists()]
    if missing:
        return ToolOutcome(
            TOOL,
            error=f"semgrep rule file {missing[0]!r} (security.semgrep.rules) does not exist; "
            "fix the path or remove it",
        )
    configs = rule_configs(root, settings)
    if not configs:
        return ToolOutcome(
            TOOL,
            error="semgrep has no rules: security.semgrep.pack is false and security.semgrep.rules "
            "is empty; enable the pack, list rule files, or set security.semgrep.enabled: false",
        )
    run = run_tool(
        semgrep_argv(configs, files, timeout),
        timeout=timeout,
        cwd=root,
        ok_codes=ANY_CODE,
        install_hint=INSTALL_HINT,
        env=OFFLINE_ENV,
    )
    if run.returncode not in OK_CODES:
        return ToolOutcome(TOOL, error=_exit_message(run))
    return normalize_semgrep(parse_json_output(run), settings, files)


def _exit_message(run: ToolRun) -> str:
    """semgrep puts the reason for a failed run in the JSON ``errors``, not on stderr."""
    meaning = EXIT_MEANINGS.get(run.returncode, "undocumented exit code")
    try:
        errors = json.loads(run.stdout).get("errors") or []
    except (ValueError, AttributeError):
        errors = []
    detail = "; ".join(_describe_error(e) for e in errors[:2]) if errors else run.stderr_tail()
    return f"semgrep exited with code {run.returncode} ({meaning}): {detail}"


def normalize_semgrep(data: Any, settings: SemgrepSettings, selected: Sequence[str]) -> ToolOutcome:
    outcome = ToolOutcome(TOOL)
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        outcome.error = "semgrep printed JSON without a 'results' list; is this semgrep >= 1.0?"
        return outcome
    errors = data.get("errors") or []
    if errors:
        shown = first_few([_describe_error(e) for e in errors])
        outcome.error = (
            f"semgrep reported {len(errors)} error(s): {shown}; a rule or file it could not "
            "process is not checked"
        )
        return outcome
    scanned = {str(p).removeprefix("./") for p in (data.get("paths") or {}).get("scanned", [])}
    # semgrep scans files named on its command line even when .semgrepignore lists them, so
    # the reason is semgrep's own: its --verbose output names it.
    outcome.error = unscanned_error(
        TOOL, scanned, selected, "rerun semgrep with --verbose on that file to see why it was skipped"
    )
    if outcome.error:
        return outcome
    floor = semgrep_rank(settings.min_severity)
    below = 0
    for item in data["results"]:
        if semgrep_rank(str(item.get("extra", {}).get("severity", "INFO"))) < floor:
            below += 1
            continue
        outcome.findings.append(_finding(item))
    outcome.metrics.update(
        {
            "semgrep_files": len(scanned),
            "semgrep_results": len(data["results"]),
            "semgrep_below_threshold": below,
        }
    )
    return outcome


def _describe_error(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else "error"
    where = f" in {error['path']}" if error.get("path") else ""
    message = " ".join(str(error.get("message", "")).split())[:240]
    return f"{kind}{where}: {message or 'no message'}"


def cwes(metadata: dict[str, Any]) -> list[str]:
    raw = metadata.get("cwe") or []
    values = raw if isinstance(raw, list) else [raw]
    return [f"CWE-{m}" for value in values for m in _CWE.findall(str(value))]


def _finding(item: dict[str, Any]) -> Finding:
    extra = item.get("extra", {})
    metadata = extra.get("metadata") or {}
    references = metadata.get("references") or []
    help_uri = references[0] if isinstance(references, list) and references else None
    rule_id = str(item["check_id"])
    return Finding(
        gate="security",
        rule_id=rule_id,
        severity=semgrep_severity(str(extra.get("severity", "INFO"))),
        message=f"{' '.join(str(extra.get('message', rule_id)).split())} (semgrep {rule_id})",
        path=str(item["path"]).removeprefix("./"),
        line=int(item["start"]["line"]),
        end_line=int(item["end"]["line"]),
        column=int(item["start"].get("col", 1)),
        help_uri=help_uri if isinstance(help_uri, str) else None,
        source_tool=TOOL,
        aliases=tuple(cwes(metadata)),
    )
