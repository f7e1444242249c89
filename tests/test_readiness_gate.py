"""The readiness gate on constructed inputs: this run's results, a saved JSON report, history."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gates.checks.readiness import GATE
from gates.findings import Finding, GateResult, Report, Severity, Verdict
from gates.gate import GateContext
from gates.policy.loader import load_policy
from gates.report.json_format import report_to_json
from gates.runner import run_one
from tests.conftest import Repo
from tests.helpers import place_hostile
from tests.test_readiness_junit import junit

POLICY = """\
version: 1
paths:
  source: ["src/"]
  critical: ["src/core/", "src/train.py"]
readiness:
  min_pass_rate: 50
"""

CASES = [
    ("tests.test_core", "test_a", "failed"),
    ("tests.test_core", "test_b", "passed"),
    ("tests.test_cli", "test_c", "passed"),
    ("tests.test_cli", "test_d", "passed"),
]


def coverage_result(line: float = 80.0) -> GateResult:
    rows = [
        {
            "path": "src/core/io.py",
            "percent": 50.0,
            "floor": 90.0,
            "needed": 8,
            "statements": 20,
            "covered": 10,
            "status": "fail",
            "before": None,
        },
        {
            "path": "src/train.py",
            "percent": 95.0,
            "floor": 90.0,
            "needed": 0,
            "statements": 40,
            "covered": 38,
            "status": "pass",
            "before": 94.0,
        },
        {
            "path": "src/other.py",
            "percent": 10.0,
            "floor": None,
            "needed": 0,
            "statements": 10,
            "covered": 1,
            "status": "info",
            "before": None,
        },
    ]
    return GateResult(
        "coverage",
        Verdict.FAIL,
        metrics={"line_percent": line, "branch_percent": 70.0},
        findings=[Finding("coverage", "path-floor", Severity.ERROR, "below", path="src/core/io.py")],
        details={"paths": rows},
    )


def todo_result() -> GateResult:
    blocking = Finding(
        "todo", "todo.blocking", Severity.ERROR, "blocking TODO", path="src/core/io.py", line=3
    )
    plain = Finding("todo", "todo.marker", Severity.WARNING, "TODO", path="src/train.py", line=9)
    return GateResult(
        "todo",
        Verdict.FAIL,
        metrics={"todos": 4, "blocking": 1},
        findings=[blocking, plain],
        details={
            "paths": [
                {"path": "src/core/io.py", "critical": True, "markers": 2, "placeholders": 0, "blocking": 1},
                {"path": "src/train.py", "critical": True, "markers": 2, "placeholders": 0, "blocking": 0},
            ]
        },
    )


def results() -> dict[str, GateResult]:
    return {
        "coverage": coverage_result(),
        "todo": todo_result(),
        "security": GateResult("security", Verdict.PASS),
        "mutation": GateResult.skipped("mutation", "disabled in the policy (mutation.enabled)"),
        "models": GateResult.failed_closed("models", "could not read model.pt"),
    }


def setup(repo: Repo, policy: str = POLICY) -> None:
    repo.write("policy.yaml", policy)
    repo.write(".gates/junit.xml", junit(CASES))
    repo.write("tests/test_core.py", "")
    repo.write("tests/test_cli.py", "")


def run_readiness(repo: Repo, given: dict[str, GateResult], **args: Any) -> GateResult:
    loaded = load_policy(None, repo.root)
    ctx = GateContext(
        root=repo.root,
        loaded=loaded,
        section_name="readiness",
        args=argparse.Namespace(**args),
        results=given,
    )
    return run_one(GATE, ctx, None)


def table(result: GateResult, title: str) -> list[list[str]]:
    return next(t.rows for t in result.tables if t.title == title)


def test_score_from_this_runs_results(repo: Repo) -> None:
    setup(repo)
    result = run_readiness(repo, results())
    # tests 3/4 = 75; coverage 80; todos 1 - 1/4 = 75; critical paths: src/core/ open
    # (coverage below floor, failing test, blocking TODO), src/train.py clear -> 50.
    # (30*75 + 30*80 + 25*75 + 15*50) / 100 = 72.75 -> 72.8 (rounded to one decimal)
    assert result.metrics["score"] == 72.8
    assert result.details["band"] == "mostly ready"
    assert [c["value"] for c in result.details["components"]] == [75.0, 80.0, 75.0, 50.0]  # type: ignore[index]
    assert table(result, "Critical modules") == [
        ["src/core/io.py", "50.0%", "90%", "fail", "8"],
        ["src/train.py", "95.0%", "90%", "pass", "0"],
    ]
    assert table(result, "Critical-path health") == [
        ["src/core/", "open", "1 below floor", "1", "1", "0"],
        ["src/train.py", "clear", "ok", "0", "0", "0"],
    ]
    messages = sorted((f.rule_id, f.message) for f in result.findings)
    assert messages == [
        ("readiness.critical-test-failure", "test test_a of critical path src/core/ failed: AssertionError"),
        (
            "readiness.input-errored",
            "the models gate could not run, so the assessment lacks its results: could not read model.pt",
        ),
    ]
    assert result.verdict is Verdict.FAIL
    gates = table(result, "Gates")
    assert ["models", "errored: could not read model.pt", "no"] in gates
    assert ["mutation", "skipped (disabled in the policy (mutation.enabled))", "no"] in gates
    assert ["security", "pass", "yes"] in gates
    fix_first = result.details["fix_first"]
    assert fix_first == [
        "make the models gate run (errored: could not read model.pt)",
        "fix 1 failing test(s) of critical paths in tests/test_core.py",
        "resolve the blocking TODO at src/core/io.py:3",
        "cover 8 more statement(s) in src/core/io.py to reach 90%",
    ]


def test_missing_coverage_is_left_out_not_zero(repo: Repo) -> None:
    setup(repo)
    given = results()
    given["coverage"] = GateResult.skipped("coverage", "disabled in the policy (coverage.enabled)")
    result = run_readiness(repo, given)
    coverage = result.details["components"][1]  # type: ignore[index]
    assert coverage["available"] is False
    assert "skipped (disabled in the policy" in coverage["formula"]
    # tests 75, todos 75, critical: src/core/ open (test + TODO), src/train.py clear -> 50
    # (30*75 + 25*75 + 15*50) / 70 = 4875 / 70 = 69.64 -> 69.6
    assert result.metrics["score"] == 69.6
    assert any(n.startswith("renormalised: left out for lack of input: coverage (30)") for n in result.notes)


def test_key_findings_say_when_the_todo_gate_did_not_run(repo: Repo) -> None:
    setup(repo)
    given = results()
    del given["todo"]
    key_findings = run_readiness(repo, given).details["key_findings"]
    assert "TODOs: the todo gate is not in this run (run 'gates check', or pass --from-json)." in key_findings  # type: ignore[operator]
    assert not any("blocking TODO" in line for line in key_findings)  # type: ignore[union-attr]


def test_below_min_score_and_pass_rate_are_errors(repo: Repo) -> None:
    setup(repo, POLICY.replace("min_pass_rate: 50", "min_pass_rate: 90\n  min_score: 95"))
    result = run_readiness(repo, results())
    messages = {f.rule_id: f.message for f in result.findings}
    assert messages["readiness.score-below-min"].startswith(
        "readiness score 72.8 (mostly ready) is below the minimum 95"
    )
    assert messages["readiness.pass-rate"].startswith("test pass rate 75.0% is below 90%")


def test_no_input_at_all_is_an_error(repo: Repo) -> None:
    setup(repo, POLICY + "  junit_xml: null\n")
    result = run_readiness(repo, {})
    assert result.verdict is Verdict.ERROR
    assert result.error is not None and result.error.startswith("no readiness component has an input")


def test_from_json_gives_the_same_score(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    report = Report(gates=list(results().values()), tool_version="test")
    repo.write("check.json", json.dumps(report_to_json(report)))
    outcome = run_cli("readiness", "--from-json", "check.json", "--format", "json")
    assert outcome.code == 1
    (gate,) = json.loads(outcome.out)["gates"]
    assert gate["metrics"]["score"] == 72.8


def test_from_json_rejects_other_files(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    repo.write("check.json", '{"version": 1,\n "gates": [}')
    outcome = run_cli("readiness", "--from-json", "check.json")
    assert outcome.code == 2
    assert "check.json:2:12: not valid JSON" in outcome.out + outcome.err


def test_missing_junit_is_a_clear_error(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    (repo.root / ".gates/junit.xml").unlink()
    outcome = run_cli("readiness")
    assert outcome.code == 2
    assert (
        ".gates/junit.xml: JUnit report not found; run the tests with 'pytest --junitxml=.gates/junit.xml'"
        in (outcome.out + outcome.err)
    )


def test_corrupt_junit_is_a_clear_error(repo: Repo, run_cli: Any) -> None:
    setup(repo)
    repo.write(".gates/junit.xml", "<testsuites>\n<testcase name='x'>\n")
    outcome = run_cli("readiness", "--format", "json")
    assert outcome.code == 2
    (gate,) = json.loads(outcome.out)["gates"]
    assert gate["verdict"] == "error"
    assert gate["error"].startswith(".gates/junit.xml:3:0: corrupt JUnit XML")


def test_history_appends_and_shows_the_change(repo: Repo) -> None:
    setup(repo)
    history = repo.root / "history.jsonl"
    first = run_readiness(repo, results(), history=str(history))
    assert not any(t.title == "Change since the last run" for t in first.tables)
    better = results()
    better["coverage"] = coverage_result(line=86.0)
    second = run_readiness(repo, better, history=str(history))
    lines = [json.loads(line) for line in history.read_text().splitlines()]
    assert [e["score"] for e in lines] == [72.8, 74.6]
    assert set(lines[0]) == {"time", "score", "band", "coverage_line", "pass_rate", "failures", "blockers"}
    assert table(second, "Change since the last run") == [
        ["score", "72.8", "74.6", "+1.8"],
        ["line coverage", "80%", "86%", "+6.0%"],
        ["test pass rate", "75%", "75%", "0"],
        ["failing tests", "1", "1", "0"],
        ["blocking TODOs", "1", "1", "0"],
    ]


def test_corrupt_history_names_the_line(repo: Repo) -> None:
    setup(repo)
    repo.write("history.jsonl", '{"score": 1}\nnot json\n')
    result = run_readiness(repo, results(), history=str(repo.root / "history.jsonl"))
    assert result.verdict is Verdict.ERROR
    assert result.error is not None and "history.jsonl:2: not a JSON line" in result.error


def test_github_output_prefers_the_readiness_score(tmp_path: Path) -> None:
    from gates.report.github_format import write_outputs

    report = Report(
        gates=[
            GateResult("mutation", Verdict.PASS, metrics={"score": 91.0}),
            GateResult("readiness", Verdict.PASS, metrics={"score": 64.5}),
        ],
        tool_version="test",
    )
    output = tmp_path / "github_output"
    write_outputs(report, {"GITHUB_OUTPUT": str(output)})
    assert [line for line in output.read_text().splitlines() if line.startswith("score=")] == ["score=64.5"]


def test_long_failure_tables_are_capped_but_json_keeps_every_group(repo: Repo) -> None:
    setup(repo)
    many = [(f"tests.test_m{n:02d}", "test_x", "failed") for n in range(30)]
    repo.write(".gates/junit.xml", junit(many))
    result = run_readiness(repo, results())
    rows = table(result, "Failures by test module")
    assert len(rows) == 26
    assert rows[-1][0] == "… 5 more module groups (see the JSON report)"
    assert len(result.details["tests"]["by_module"]) == 30  # type: ignore[index]


def test_history_and_document_paths_from_the_policy(repo: Repo) -> None:
    setup(repo, POLICY + "  history_file: .gates/history.jsonl\n  markdown_file: out/readiness.md\n")
    run_readiness(repo, results())
    assert len((repo.root / ".gates/history.jsonl").read_text().splitlines()) == 1
    assert (repo.root / "out/readiness.md").read_text().startswith("# Readiness assessment\n")


def test_long_gate_errors_are_shortened_in_tables_but_not_in_the_finding(repo: Repo) -> None:
    setup(repo)
    given = results()
    long_error = "coverage.run: 'python -m coverage run -m pytest' exited with code 1: " + "x" * 300
    given["coverage"] = GateResult.failed_closed("coverage", long_error)
    result = run_readiness(repo, given)
    state = next(row[1] for row in table(result, "Gates") if row[0] == "coverage")
    assert state.startswith("errored: coverage.run: 'python -m coverage run -m pytest'")
    assert state.endswith("…") and len(state) == len("errored: ") + 160
    errored = [f.message for f in result.findings if f.rule_id == "readiness.input-errored"]
    assert any(long_error in message for message in errored)


def test_document_without_tests_and_with_history(repo: Repo) -> None:
    setup(repo, POLICY + "  junit_xml: null\n  markdown_file: readiness.md\n")
    history = str(repo.root / "history.jsonl")
    run_readiness(repo, results(), history=history)
    better = results()
    better["coverage"] = coverage_result(line=90.0)
    run_readiness(repo, better, history=history)
    document = (repo.root / "readiness.md").read_text()
    assert "No test report: not configured (readiness.junit_xml is null)." in document
    assert "## Change since the last run\n\n| metric | last run | this run | change |" in document
    assert "| line coverage | 80% | 90% | +10.0% |" in document
    assert "_Renormalised: left out for lack of input: tests (30);" in document


@pytest.mark.parametrize("option", ["--history", "--from-json"])
@pytest.mark.parametrize("kind", ["fifo", "deep"])
def test_history_and_saved_report_never_block_or_crash(repo: Repo, option: str, kind: str) -> None:
    """A FIFO as `--history` or `--from-json` blocked the gate forever; JSON nested 100,000 deep
    was "internal error ... please report it" (issue 13, items 12 and 14, for readiness's inputs)."""
    setup(repo)
    target = repo.root / "input.json"
    place_hostile(target, kind)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "gates", "readiness", option, "input.json", "--format", "json"],
            cwd=repo.root,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"gates readiness {option} blocked on a FIFO")
    (gate,) = json.loads(proc.stdout)["gates"]
    assert proc.returncode == 2
    assert gate["error"].startswith("input.json"), gate["error"]
    assert "internal error" not in gate["error"]
