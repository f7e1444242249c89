"""The gate end to end: CLI parsing, the Markdown summary, waivers, and light imports."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from conftest import Repo
from test_coverage_floors import make_project
from test_coverage_support import gate_json, measure, messages, rule_ids, write_policy

from gates.cli import build_parser


def test_parser_accepts_report_no_run_and_paths() -> None:
    args = build_parser().parse_args(["coverage", "--report", "c.xml", "--no-run", "a.py", "b.py"])
    assert args.report == "c.xml" and args.no_run and args.paths == ["a.py", "b.py"]


def test_markdown_summary_has_the_per_path_table(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 2})
    write_policy(repo, 'line_min: 50\ndiff: {enabled: false}\nper_path: [{path: "pkg/a.py", line_min: 80}]')
    measure(repo.root)
    result = run_cli("coverage", "--format", "markdown")
    assert result.code == 1
    assert "| path | before | now | floor | status | needed |" in result.out
    assert "| pkg/a.py |  | 60.0% | 80% | fail | 4 |" in result.out
    assert "| (total) |  | 60.0% | 50% | pass | 0 |" in result.out


def test_a_waiver_accepts_a_path_floor_until_it_expires(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 2})
    block = """
    line_min: 50
    diff: {enabled: false}
    per_path: [{path: "pkg/a.py", line_min: 80}]
    waivers:
      - {rule: path-floor, path: "pkg/a.py", reason: "rewrite in progress", expires: 2999-01-01}
    """
    write_policy(repo, block)
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    assert rule_ids(gate) == ["path-floor"]
    assert gate["findings"][0]["suppressed_by"] == "waiver"


def test_importing_the_gate_stays_light() -> None:
    code = (
        "import sys, gates.checks.coverage as c; "
        "heavy = [m for m in ('coverage', 'diff_cover', 'defusedxml', 'torch') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_sarif_output_is_valid_and_locates_uncovered_changes(repo: Repo, run_cli: Any) -> None:
    import json

    import jsonschema
    from conftest import SARIF_SCHEMA

    make_project(repo, {"a": 2})
    write_policy(repo, "line_min: 90")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("pkg/a.py", (repo.root / "pkg/a.py").read_text() + "def extra():\n    return 0\n")
    repo.commit("extra")
    measure(repo.root)
    result = run_cli("coverage", "--format", "sarif")
    assert result.code == 1
    sarif = json.loads(result.out)
    jsonschema.validate(sarif, json.loads(SARIF_SCHEMA.read_text()))
    locations = [
        r["locations"][0]["physicalLocation"]
        for run in sarif["runs"]
        for r in run["results"]
        if r["ruleId"] == "uncovered-change"
    ]
    assert [(loc["artifactLocation"]["uri"], loc["region"]["startLine"]) for loc in locations] == [
        ("pkg/a.py", 42)
    ]


def test_a_report_measuring_no_statement_is_an_error_not_100_percent(repo: Repo, run_cli: Any) -> None:
    # Only empty modules under the source paths: 0 of 0 statements must not meet line_min.
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/sub/__init__.py", "")
    repo.write("run_tests.py", "import pkg.sub\n")
    write_policy(repo, "line_min: 90\ndiff: {enabled: false}")
    measure(repo.root, source="pkg")
    code, gate = gate_json(run_cli)
    assert code == 2 and gate["verdict"] == "error", messages(gate)
    assert "measures no statement in the 2 file(s)" in gate["error"]
