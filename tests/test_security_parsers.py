"""Parser edge cases on canned tool output (the real tools run in test_security_gate/pip_audit)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from gates.checks.security import pip_audit
from gates.checks.security.bandit import bandit_argv, normalize_bandit
from gates.checks.security.origin import Pin
from gates.checks.security.semgrep import normalize_semgrep, semgrep_argv
from gates.errors import ToolError
from gates.findings import Severity
from gates.policy.sections.security import BanditSettings, PipAuditSettings, SemgrepSettings


def _bandit_result(**over: Any) -> dict[str, Any]:
    item = {
        "filename": "./a.py",
        "test_id": "B301",
        "test_name": "blacklist",
        "issue_severity": "MEDIUM",
        "issue_confidence": "HIGH",
        "issue_cwe": {"id": 502, "link": ""},
        "issue_text": "Pickle",
        "line_number": 3,
        "line_range": [3, 4],
        "col_offset": 4,
        "more_info": "https://bandit.readthedocs.io/",
    }
    item.update(over)
    return item


def test_bandit_normalizes_path_line_range_and_cwe() -> None:
    data = {"errors": [], "results": [_bandit_result()], "metrics": {"./a.py": {}, "_totals": {}}}
    outcome = normalize_bandit(data, BanditSettings(), ["a.py"])
    (finding,) = outcome.findings
    assert (finding.path, finding.line, finding.end_line, finding.column) == ("a.py", 3, 4, 5)
    assert finding.aliases == ("blacklist", "CWE-502")
    assert finding.severity is Severity.WARNING and finding.source_tool == "bandit"


def test_bandit_confidence_floor_drops_results() -> None:
    data = {
        "errors": [],
        "results": [_bandit_result(issue_confidence="LOW")],
        "metrics": {"./a.py": {}, "_totals": {}},
    }
    outcome = normalize_bandit(data, BanditSettings(min_confidence="medium"), ["a.py"])
    assert outcome.findings == [] and outcome.metrics["bandit_below_threshold"] == 1


def test_bandit_without_results_list_is_an_error() -> None:
    assert normalize_bandit({"errors": []}, BanditSettings(), []).error


def test_bandit_argv_carries_config_tests_and_skips() -> None:
    argv = bandit_argv(BanditSettings(config="b.yaml", tests=["B301"], skips=["B101", "B102"]), ["a.py"])
    assert argv == [
        "bandit",
        "-f",
        "json",
        "-q",
        "-c",
        "b.yaml",
        "-t",
        "B301",
        "-s",
        "B101,B102",
        "--",
        "a.py",
    ]


def test_semgrep_argv_is_offline_with_stable_rule_ids() -> None:
    argv = semgrep_argv(["/pack", "/local.yaml"], ["a.py"], 60)
    for flag in ("--metrics=off", "--disable-version-check", "--no-rewrite-rule-ids", "--json"):
        assert flag in argv
    assert argv[-2:] == ["--", "a.py"]
    assert argv.count("--config") == 2


def _semgrep_result(severity: str = "WARNING") -> dict[str, Any]:
    return {
        "check_id": "ml-gates.tempfile-mktemp",
        "path": "a.py",
        "start": {"line": 2, "col": 5},
        "end": {"line": 2, "col": 20},
        "extra": {"severity": severity, "message": "mktemp\n  races", "metadata": {"cwe": ["CWE-377: x"]}},
    }


def test_semgrep_errors_fail_closed_with_their_type_and_path() -> None:
    data = {
        "results": [],
        "errors": [{"type": ["PartialParsing", []], "path": "a.py", "message": "bad\nmore"}],
        "paths": {"scanned": ["a.py"]},
    }
    outcome = normalize_semgrep(data, SemgrepSettings(), ["a.py"])
    assert outcome.error is not None and "PartialParsing in a.py: bad more" in outcome.error


def test_semgrep_unscanned_file_fails_closed() -> None:
    data = {"results": [], "errors": [], "paths": {"scanned": ["a.py"]}}
    outcome = normalize_semgrep(data, SemgrepSettings(), ["a.py", "b.py"])
    assert outcome.error is not None and "scanned 1 of 2" in outcome.error


def test_semgrep_severity_floor_and_cwe_alias() -> None:
    data = {
        "results": [_semgrep_result(), _semgrep_result("INFO")],
        "errors": [],
        "paths": {"scanned": ["a.py"]},
    }
    outcome = normalize_semgrep(data, SemgrepSettings(min_severity="warning"), ["a.py"])
    (finding,) = outcome.findings
    assert finding.aliases == ("CWE-377",)
    assert finding.message == "mktemp races (semgrep ml-gates.tempfile-mktemp)"
    assert outcome.metrics["semgrep_below_threshold"] == 1


def test_pip_audit_argv_pinned_mode_needs_no_resolver(tmp_path: Path) -> None:
    settings = PipAuditSettings(requirements=["r.txt"], osv_url="http://127.0.0.1:1/v1/query")
    (item,) = pip_audit.audit_inputs(tmp_path, settings)
    assert item.argv == ["-r", "r.txt", "--no-deps", "--disable-pip"]
    common = pip_audit.common_argv(settings, 900)
    assert common[common.index("--osv-url") + 1] == "http://127.0.0.1:1/v1/query"
    assert common[common.index("-s") + 1] == "osv"
    resolving = pip_audit.audit_inputs(tmp_path, PipAuditSettings(requirements=["r.txt"], resolve=True))
    assert "--no-deps" not in resolving[0].argv


def test_pip_audit_json_without_dependencies_is_an_error() -> None:
    with pytest.raises(ToolError):
        pip_audit.parse_dependencies({"fixes": []})


NOW = datetime(2026, 1, 20, tzinfo=timezone.utc)


def _ctx(published: datetime | None, base_version: str = "1.0") -> pip_audit.OriginContext:
    return pip_audit.OriginContext(
        current={"lib": Pin("1.0", "r.txt", 1)},
        base={"lib": Pin(base_version, "r.txt", 1)},
        now=NOW,
        dates=lambda name, version: {"ADV-1": published} if published else None,
    )


def _finding(ctx: pip_audit.OriginContext, grace: int = 14) -> Any:
    dep = pip_audit.AuditedDependency("lib", "1.0", [{"id": "ADV-1", "fix_versions": ["1.1"]}], None)
    outcome = pip_audit.dependency_findings([dep], PipAuditSettings(grace_days=grace), ctx)
    return outcome.findings[0]


def test_grace_period_boundaries() -> None:
    assert _finding(_ctx(NOW - timedelta(days=13))).severity is Severity.WARNING
    assert _finding(_ctx(NOW - timedelta(days=14))).severity is Severity.ERROR
    assert _finding(_ctx(NOW - timedelta(days=1)), grace=0).severity is Severity.ERROR


def test_unknown_advisory_date_gets_no_grace() -> None:
    finding = _finding(_ctx(None))
    assert finding.severity is Severity.ERROR and "date unknown" in finding.message


def test_bumped_pin_blocks_even_with_a_fresh_advisory() -> None:
    finding = _finding(_ctx(NOW - timedelta(days=1), base_version="0.9"))
    assert finding.severity is Severity.ERROR and "bumped by this change from 0.9" in finding.message


def test_many_bandit_errors_show_three_and_count_the_rest() -> None:
    errors = [{"filename": f"f{i}.py", "reason": "syntax error"} for i in range(5)]
    outcome = normalize_bandit({"results": [], "errors": errors}, BanditSettings(), ["f0.py"])
    assert outcome.error is not None
    assert (
        "could not scan 5 file(s): f0.py: syntax error; f1.py: syntax error; f2.py: syntax error (and 2 more)"
        in (outcome.error)
    )
