"""What a newcomer hits first: usage refusals, GitHub output limits, errors that name the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from gates.findings import GateResult, Report, Severity, Verdict
from gates.report import RenderOptions, render
from gates.report.github_format import ANNOTATIONS_PER_LEVEL
from tests.conftest import Repo
from tests.helpers import finding


def test_two_machine_formats_on_stdout_are_refused(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli("todo", "--format", "text", "--format", "json")
    assert result.code == 2
    assert result.out == ""
    assert "would both print to stdout" in result.err and "--output" in result.err


def test_text_and_github_annotations_may_share_a_workflow_log(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\ntodo: {scope: source}\n")
    repo.write("app.py", "x = 1\n")
    result = run_cli("todo", "--format", "text", "--format", "github")
    assert result.code == 0
    assert "verdict: PASS" in result.out


def test_a_gate_error_is_annotated_first_and_every_level_stays_within_the_cap() -> None:
    errors = [finding("R", f"e{i}.py", 1) for i in range(25)]
    notes = [finding("N", f"n{i}.py", 1, Severity.NOTE) for i in range(12)]
    report = Report(
        [
            GateResult("security", Verdict.FAIL, findings=errors + notes),
            GateResult.failed_closed("coverage", "coverage report coverage.json not found"),
        ],
        "0",
    )
    lines = render("github", report, RenderOptions(env={})).splitlines()
    assert lines[0].startswith("::error title=ml-gates coverage::coverage report coverage.json not found")
    error_lines = [line for line in lines if line.startswith("::error ")]
    notice_lines = [line for line in lines if line.startswith("::notice ")]
    assert len(error_lines) == ANNOTATIONS_PER_LEVEL
    assert len(notice_lines) == ANNOTATIONS_PER_LEVEL
    assert "17 more error annotation(s) not shown" in error_lines[-1]
    assert "3 more note annotation(s) not shown" in notice_lines[-1]


def test_exactly_the_cap_needs_no_more_line() -> None:
    report = Report(
        [GateResult("security", Verdict.FAIL, findings=[finding("R", f"f{i}.py", 1) for i in range(10)])], "0"
    )
    lines = render("github", report, RenderOptions(env={})).splitlines()
    assert len(lines) == ANNOTATIONS_PER_LEVEL and not any("more" in line for line in lines)


def test_a_configuration_error_reaches_the_job_summary(
    repo: Repo, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    repo.write("policy.yaml", "version: 1\ncoverage:\n  line_mni: 80\n")
    result = run_cli("check", "--format", "github")
    assert result.code == 2
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("## ml-gates: ⛔ error") and "policy.yaml:3:3" in text and "line_mni" in text
    assert "verdict=error" in outputs.read_text(encoding="utf-8")
    assert result.out.startswith("::error title=ml-gates configuration::policy.yaml:3:3")


def test_policy_validate_takes_the_common_policy_option(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("conf/gates.yaml", "version: 1\nfail_on: sometimes\n")
    result = run_cli("policy", "validate", "--policy", "conf/gates.yaml")
    assert result.code == 2
    assert "conf/gates.yaml:2" in result.err
    repo.write("conf/ok.yaml", "version: 1\n")
    assert run_cli("policy", "validate", "--policy", "conf/ok.yaml").code == 0


def test_baseline_update_ends_naming_each_gate_that_could_not_run(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("app.py", "x = 1\n")
    repo.write(
        "policy.yaml",
        "version: 1\nsecurity: {enabled: false}\nmutation: {enabled: false}\ncoreml: {enabled: false}\n",
    )
    result = run_cli("baseline", "update", "--format", "json", "--output", str(repo.root / "r.json"))
    assert result.code == 2
    tail = result.err.strip().splitlines()
    assert tail[0] == "gates: error: baseline not written; these gates could not run:"
    named = [line.split(":")[0].strip() for line in tail[1:-1]]
    assert named == ["coverage", "readiness"]
    assert "coverage report coverage.json not found" in tail[1]
    assert "gates check --gate coverage --gate readiness" in tail[-1]
    assert not (repo.root / ".gates" / "baseline.json").exists()


def test_no_run_coverage_does_not_suggest_coverage_run(repo: Repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\n")
    plain = run_cli("coverage", "--format", "json")
    assert "or set coverage.run" in plain.out
    hook = run_cli("coverage", "--no-run", "--format", "json")
    assert hook.code == 2
    assert "coverage.json not found" in hook.out and "coverage.run" not in hook.out


def test_project_level_fingerprints_ignore_the_measured_numbers() -> None:
    from gates.findings import assign_fingerprints

    def floor(message: str) -> str:
        found = [finding("line-floor", None, None, message=message, gate="coverage")]
        assign_fingerprints(found, lambda path: None)
        return found[0].fingerprint

    low = floor("total line coverage: 57.1% < 80%, 6 more statements needed (8/14 covered)")
    assert low == floor("total line coverage: 71.4% < 80%, 2 more statements needed (10/14 covered)")
    assert low != floor("total branch coverage: 57.1% < 80%, 6 more branches needed (8/14 covered)")


def test_text_tables_have_column_headers_and_the_mutation_score_shows() -> None:
    from gates.findings import Table

    result = GateResult(
        "mutation",
        Verdict.FAIL,
        metrics={"score": 66.67},
        tables=[Table("Score floors", ["path", "score"], [["src/", "66.7%"]])],
    )
    text = render("text", Report([result], "0"), RenderOptions(color=False))
    assert "mutation   FAIL    score 66.67%" in text
    assert "      path | score\n      -----+------\n      src/ | 66.7%" in text


def test_a_disabled_gate_reads_skipped_with_its_reason() -> None:
    report = Report([GateResult.skipped("mutation", "disabled in the policy (mutation.enabled)")], "0")
    text = render("text", report, RenderOptions(color=False))
    assert text.splitlines()[0] == (
        "mutation   SKIPPED nothing checked: disabled in the policy (mutation.enabled)"
    )
    assert "verdict: SKIPPED (exit 0)" in text


@pytest.mark.parametrize(
    ("values", "total"),
    [([42.857, 35.714, 21.429], 100.0), ([33.333, 33.333, 33.333], 100.0), ([12.35, 20.05, 0.0], 32.4)],
)
def test_readiness_points_add_up_to_the_shown_total(values: list[float], total: float) -> None:
    from gates.checks.readiness.tables import tenths_adding_up

    shown = tenths_adding_up(values, total)
    assert round(sum(shown), 1) == round(total, 1)
    assert all(abs(s - v) < 0.1 + 1e-9 for s, v in zip(shown, values, strict=True))
