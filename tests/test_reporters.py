"""Reporters: JSON and SARIF validate against their schemas; GitHub and Markdown keep limits."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema

from gates.findings import GateResult, Report, Verdict
from gates.report import FORMATS, RenderOptions, render
from gates.report.github_format import ANNOTATIONS_PER_LEVEL, annotation
from gates.report.markdown_format import MAX_CHARS, render_summary
from tests.conftest import SARIF_SCHEMA
from tests.helpers import finding, sample_report


def report_schema() -> dict[str, object]:
    text = resources.files("gates.report").joinpath("report.schema.json").read_text(encoding="utf-8")
    schema: dict[str, object] = json.loads(text)
    return schema


def test_json_report_validates_against_documented_schema() -> None:
    data = json.loads(render("json", sample_report(), RenderOptions()))
    jsonschema.Draft202012Validator.check_schema(report_schema())
    jsonschema.validate(data, report_schema())
    assert data["version"] == 1
    assert data["verdict"] == "error"
    assert [g["name"] for g in data["gates"]] == ["security", "coverage", "models", "mutation", "coreml"]
    first = data["gates"][0]["findings"][0]
    assert {k: first[k] for k in ("rule_id", "path", "line", "severity")} == {
        "rule_id": "B301",
        "path": "src/a.py",
        "line": 3,
        "severity": "error",
    }


def test_sarif_validates_against_sarif_2_1_0() -> None:
    data = json.loads(render("sarif", sample_report(), RenderOptions()))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(data)
    assert data["version"] == "2.1.0"
    assert len(data["runs"]) == 5  # one run per gate
    security = data["runs"][0]
    result = security["results"][0]
    assert result["ruleId"] == "B301"
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/a.py"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert security["results"][1]["suppressions"][0]["status"] == "accepted"
    mutation = data["runs"][3]
    assert mutation["invocations"][0]["executionSuccessful"] is False


def test_text_has_no_colour_unless_asked() -> None:
    plain = render("text", sample_report(), RenderOptions(color=False))
    assert "\x1b[" not in plain
    assert "verdict: ERROR (exit 2)" in plain
    assert "src/a.py:3  B301" in plain
    coloured = render("text", sample_report(), RenderOptions(color=True))
    assert "\x1b[31m" in coloured


def test_github_annotations_escape_and_cap(tmp_path: Path) -> None:
    special = finding("R,1", "dir/a:b.py", 4, message="50% done\nsecond line")
    assert annotation(special) == (
        "::error file=dir/a%3Ab.py,line=4,title=security%3A R%2C1::50%25 done%0Asecond line"
    )
    many = [finding("R", f"f{i}.py", 1) for i in range(25)]
    report = Report([GateResult("security", Verdict.FAIL, findings=many)], "0")
    lines = render("github", report, RenderOptions(env={})).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == ANNOTATIONS_PER_LEVEL
    assert "16 more error annotation(s) not shown" in errors[-1]  # the 10th slot


def test_github_writes_summary_and_outputs(tmp_path: Path) -> None:
    summary, outputs = tmp_path / "summary.md", tmp_path / "out.txt"
    report = sample_report()
    report.gates.append(GateResult("readiness", Verdict.PASS, metrics={"score": 72.5}))
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}
    render("github", report, RenderOptions(env=env))
    assert summary.read_text(encoding="utf-8").startswith("## ml-gates: ⛔ error")
    assert outputs.read_text(encoding="utf-8").splitlines() == ["verdict=error", "exit-code=2", "score=72.5"]


def test_markdown_stays_under_the_comment_limit() -> None:
    long = "x" * 400
    many = [finding("R", f"src/f{i}.py", i + 1, message=long) for i in range(2000)]
    report = Report([GateResult("security", Verdict.FAIL, findings=many)], "0")
    text = render_summary(report)
    assert len(text) <= MAX_CHARS
    assert "more new finding(s)" in text


def test_markdown_shows_tables_errors_and_suppressed_counts() -> None:
    text = render("markdown", sample_report(), RenderOptions())
    assert "| src/ | 91.3% | 80% |" in text
    assert "**Error:** mutmut is not installed" in text
    assert "1 finding(s) suppressed" in text
    assert "pickle.load, 100% unsafe" in text


def test_every_format_renders() -> None:
    for fmt in FORMATS:
        assert render(fmt, sample_report(), RenderOptions(env={}))
