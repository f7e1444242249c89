"""The runner applies fingerprints, waivers, the baseline and the verdict in one place."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from gates import registry
from gates.baseline import BaselineEntry, read_baseline, write_baseline
from gates.errors import GatesError, ToolError
from gates.findings import GateResult, Severity, Verdict
from gates.gate import GateContext
from gates.policy.loader import parse_policy_text
from gates.runner import RunOptions, run_gates
from tests.helpers import ListGate, finding

FUTURE = (date.today() + timedelta(days=30)).isoformat()


def policy(tmp_path: Path, extra: str = "") -> object:
    return parse_policy_text("version: 1\n" + extra, tmp_path / "policy.yaml")


def run(tmp_path: Path, gate: ListGate, extra: str = "", **options: object) -> GateResult:
    loaded = policy(tmp_path, extra)
    report = run_gates([gate], loaded, RunOptions(root=tmp_path, **options))  # type: ignore[arg-type]
    return report.gates[0]


def completed(*findings: object) -> ListGate:
    return ListGate(lambda ctx: GateResult("security", Verdict.PASS, findings=list(findings)))  # type: ignore[arg-type]


def test_error_finding_fails_and_warning_passes(tmp_path: Path) -> None:
    assert run(tmp_path, completed(finding())).verdict is Verdict.FAIL
    assert run(tmp_path, completed(finding(severity=Severity.WARNING))).verdict is Verdict.PASS
    assert run(tmp_path, completed()).verdict is Verdict.PASS


def test_fail_on_warning_blocks_warnings(tmp_path: Path) -> None:
    gate = completed(finding(severity=Severity.WARNING))
    assert run(tmp_path, gate, "security:\n  fail_on: warning\n").verdict is Verdict.FAIL
    assert run(tmp_path, gate, "fail_on: warning\n").verdict is Verdict.FAIL


def test_tool_error_fails_closed(tmp_path: Path) -> None:
    def broken(ctx: GateContext) -> GateResult:
        raise ToolError("bandit is not installed; pip install bandit")

    result = run(tmp_path, ListGate(broken))
    assert result.verdict is Verdict.ERROR
    assert result.error == "bandit is not installed; pip install bandit"


def test_bug_in_a_gate_fails_closed_without_traceback(tmp_path: Path) -> None:
    def buggy(ctx: GateContext) -> GateResult:
        raise KeyError("oops")

    result = run(tmp_path, ListGate(buggy))
    assert result.verdict is Verdict.ERROR
    assert result.error is not None and "internal error in the security gate: KeyError" in result.error


def test_disabled_gate_is_skipped(tmp_path: Path) -> None:
    result = run(tmp_path, completed(finding()), "security:\n  enabled: false\n")
    assert result.verdict is Verdict.SKIPPED


def test_waiver_by_rule_path_and_alias(tmp_path: Path) -> None:
    by_alias = finding("GHSA-xxxx")
    by_alias.aliases = ("CVE-2024-1",)
    extra = (
        "security:\n  waivers:\n"
        f"    - rule: CVE-2024-1\n      reason: no fix yet\n      expires: {FUTURE}\n"
        f"    - rule: B3*\n      path: legacy/\n      reason: old code\n      expires: {FUTURE}\n"
    )
    legacy = finding("B301", "legacy/io.py")
    elsewhere = finding("B301", "src/io.py")
    result = run(tmp_path, completed(by_alias, legacy, elsewhere), extra)
    assert [f.suppressed_by for f in result.findings[:3]] == ["waiver", "waiver", None]
    assert result.verdict is Verdict.FAIL  # src/io.py is not waived


def test_unused_waiver_is_a_warning_pointing_into_the_policy(tmp_path: Path) -> None:
    extra = f"security:\n  waivers:\n    - rule: NOPE\n      reason: r\n      expires: {FUTURE}\n"
    result = run(tmp_path, completed(), extra)
    unused = [f for f in result.findings if f.rule_id == "gates.unused-waiver"]
    assert len(unused) == 1
    assert unused[0].severity is Severity.WARNING
    assert unused[0].line == 4
    assert len(unused[0].fingerprint) == 32  # the JSON schema and SARIF need one
    assert result.verdict is Verdict.PASS


def test_unused_waivers_are_not_reported_for_a_file_subset(tmp_path: Path) -> None:
    extra = f"security:\n  waivers:\n    - rule: NOPE\n      reason: r\n      expires: {FUTURE}\n"
    result = run(tmp_path, completed(), extra, files=["src/a.py"])
    assert not [f for f in result.findings if f.rule_id == "gates.unused-waiver"]


def test_baseline_suppresses_known_and_reports_fixed(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.py").write_text("import pickle\npickle.load(f)\n", encoding="utf-8")
    first = run(tmp_path, completed(finding("B301", "src/a.py", 2)))
    known = first.findings[0].fingerprint
    write_baseline(
        tmp_path / ".gates/baseline.json",
        [
            BaselineEntry("security", "B301", "src/a.py", known, "m"),
            BaselineEntry("security", "B999", "src/gone.py", "0" * 32, "fixed since"),
        ],
    )
    # The same code moved down two lines is still baselined.
    (tmp_path / "src/a.py").write_text("import pickle\n\n\npickle.load(f)\n", encoding="utf-8")
    moved = run(tmp_path, completed(finding("B301", "src/a.py", 4)))
    assert moved.findings[0].suppressed_by == "baseline"
    assert moved.verdict is Verdict.PASS
    assert moved.metrics["baseline_fixed"] == 1
    # --no-baseline audits.
    audit = run(tmp_path, completed(finding("B301", "src/a.py", 4)), use_baseline=False)
    assert audit.verdict is Verdict.FAIL


def test_duplicate_finding_is_new_even_when_the_first_is_baselined(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("pickle.load(f)\npickle.load(f)\n", encoding="utf-8")
    one = run(tmp_path, completed(finding("B301", "a.py", 1)))
    write_baseline(
        tmp_path / ".gates/baseline.json",
        [BaselineEntry("security", "B301", "a.py", one.findings[0].fingerprint, "m")],
    )
    two = run(tmp_path, completed(finding("B301", "a.py", 1), finding("B301", "a.py", 2)))
    assert [f.suppressed_by for f in two.findings] == ["baseline", None]
    assert two.verdict is Verdict.FAIL


def test_baseline_file_is_sorted_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    entries = [
        BaselineEntry("security", "B2", "z.py", "2" * 32, "m"),
        BaselineEntry("models", "MS1", "a.py", "1" * 32, "m"),
        BaselineEntry("security", "B1", "a.py", "3" * 32, "m"),
    ]
    write_baseline(path, entries)
    assert read_baseline(path) == sorted(entries, key=lambda e: (e.gate, e.path or "", e.rule_id))
    assert not list(tmp_path.glob(".b.json.*"))  # no temp file left behind


def test_corrupt_baseline_is_a_clear_error(repo, run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo.root / ".gates").mkdir()
    (repo.root / ".gates/baseline.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(GatesError, match=r"unreadable baseline .*gates baseline update"):
        read_baseline(repo.root / ".gates/baseline.json")
    # Through the CLI: never read as an empty baseline, always exit 2.
    monkeypatch.setattr(registry, "all_gates", lambda: [completed()])
    result = run_cli("check")
    assert result.code == 2
    assert "unreadable baseline" in result.err
