"""Reports edited to raise a figure are refused, through the CLI, on real coverage.py and pytest output.

Every count is a len() of a line list, so a repeated number or a ``true`` entry in coverage.json
raised coverage; a DTD's default attribute (``<!ATTLIST line hits CDATA "1">``) turned every
unhit Cobertura line into a hit. coverage.py writes neither, so both are errors (exit 2).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from conftest import Repo
from test_coverage_floors import make_project
from test_coverage_support import gate_json, measure, write_policy
from test_readiness_gate import setup as readiness_setup


def _half_covered(repo: Repo) -> dict[str, Any]:
    make_project(repo, {"a": 0})  # ten def lines run at import, ten bodies never: 50%
    write_policy(repo, "line_min: 80\ndiff: {enabled: false}\nratchet: {enabled: false}")
    measure(repo.root)
    doc: dict[str, Any] = json.loads((repo.root / "coverage.json").read_text())
    assert doc["files"]["pkg/a.py"]["summary"]["percent_covered"] == 50.0
    return doc


@pytest.mark.parametrize(
    ("padding", "expected"),
    [
        ("repeat", "is listed twice"),
        ("true", "true is not a line number"),
    ],
)
def test_padded_json_line_lists_are_refused(repo: Repo, run_cli: Any, padding: str, expected: str) -> None:
    doc = _half_covered(repo)
    entry = doc["files"]["pkg/a.py"]
    executed: list[Any] = entry["executed_lines"]
    # 80 more "executed" entries: 90 of 100 read as covered before the lists were checked.
    entry["executed_lines"] = executed + ([executed[0]] * 80 if padding == "repeat" else [True] * 80)
    (repo.root / "coverage.json").write_text(json.dumps(doc))
    code, gate = gate_json(run_cli, "--no-baseline")
    assert code == 2, gate
    assert gate["verdict"] == "error"
    assert "coverage.json: files['pkg/a.py'].executed_lines: expected a list of line numbers" in gate["error"]
    assert expected in gate["error"]


def test_a_line_both_executed_and_missing_is_refused(repo: Repo, run_cli: Any) -> None:
    doc = _half_covered(repo)
    entry = doc["files"]["pkg/a.py"]
    entry["executed_lines"] = sorted(entry["executed_lines"] + entry["missing_lines"][:5])
    (repo.root / "coverage.json").write_text(json.dumps(doc))
    code, gate = gate_json(run_cli, "--no-baseline")
    assert code == 2
    assert "is both executed and missing" in gate["error"]


def test_repeated_branch_arcs_are_refused(repo: Repo, run_cli: Any) -> None:
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/b.py", "def f(x):\n    if x:\n        return 1\n    return 2\n")
    repo.write("run_tests.py", "import pkg.b\npkg.b.f(1)\n")
    write_policy(repo, "line_min: 0\nbranch_min: 80\ndiff: {enabled: false}\nratchet: {enabled: false}")
    measure(repo.root, branch=True)
    doc = json.loads((repo.root / "coverage.json").read_text())
    entry = doc["files"]["pkg/b.py"]
    entry["executed_branches"] = entry["executed_branches"] * 5
    (repo.root / "coverage.json").write_text(json.dumps(doc))
    code, gate = gate_json(run_cli, "--no-baseline")
    assert code == 2
    assert "executed_branches: the arc" in gate["error"] and "is listed twice" in gate["error"]


def test_untampered_report_still_reads_fifty_percent(repo: Repo, run_cli: Any) -> None:
    _half_covered(repo)
    code, gate = gate_json(run_cli, "--no-baseline")
    assert code == 1
    assert gate["metrics"]["line_percent"] == 50.0


def test_cobertura_with_a_doctype_is_refused(repo: Repo, run_cli: Any) -> None:
    make_project(repo, {"a": 0})
    repo.write("run_tests.py", "")  # nothing imported: pkg/a.py is 0% covered
    write_policy(repo, "line_min: 80\ndiff: {enabled: false}\nratchet: {enabled: false}")
    measure(repo.root, json_report=False, xml_report=True)
    xml = (repo.root / "coverage.xml").read_text()
    assert ' hits="0"' in xml and ' hits="1"' not in xml
    # Without the hits attributes, the DTD's default says every line was hit: 0% read as 100%.
    forged = re.sub(r" hits=\"0\"", "", xml).replace(
        "<coverage ", '<!DOCTYPE coverage [<!ATTLIST line hits CDATA "1">]>\n<coverage ', 1
    )
    (repo.root / "coverage.xml").write_text(forged)
    code, gate = gate_json(run_cli, "--no-baseline", "--report", "coverage.xml")
    assert code == 2, gate
    assert "coverage.xml:" in gate["error"]
    assert "refused unsafe XML: a DOCTYPE declaration" in gate["error"]


def test_junit_with_a_doctype_is_refused(repo: Repo, run_cli: Any) -> None:
    readiness_setup(repo)
    repo.write("tests/test_one.py", "def test_fails():\n    assert 1 == 2\n")
    junit = repo.root / ".gates/junit.xml"
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", "tests"],
        cwd=repo.root,
        capture_output=True,
        check=False,
    )
    text = junit.read_text()
    assert "<failure" in text
    forged = text.replace(
        "<testsuites", '<!DOCTYPE testsuites [<!ATTLIST testcase file CDATA "x.py">]>\n<testsuites', 1
    )
    junit.write_text(forged)
    outcome = run_cli("readiness", "--format", "json")
    assert outcome.code == 2
    (gate,) = json.loads(outcome.out)["gates"]
    assert gate["error"].startswith(".gates/junit.xml: refused unsafe XML: a DOCTYPE declaration")


def test_a_deeply_nested_report_or_baseline_names_the_file(repo: Repo, run_cli: Any) -> None:
    """JSON nested 100,000 deep in coverage.json or the ratchet baseline was "internal error ...
    please report it" (issue 13, 14: a parser limit names the file)."""
    make_project(repo, {"a": 2})
    write_policy(repo, "line_min: 0\ndiff: {enabled: false}")
    measure(repo.root)
    assert run_cli("baseline", "update", "--coverage").code == 0
    deep = "[" * 100_000 + "]" * 100_000 + "\n"
    good = (repo.root / "coverage.json").read_text(encoding="utf-8")
    for relative in ("coverage.json", ".gates/coverage-baseline.json"):
        saved = (repo.root / relative).read_text(encoding="utf-8")
        (repo.root / relative).write_text(deep, encoding="utf-8")
        code, gate = gate_json(run_cli)
        assert code == 2 and gate["error"].startswith(f"{relative}:1:1: "), gate["error"]
        assert "internal error" not in gate["error"]
        (repo.root / relative).write_text(saved, encoding="utf-8")
    assert good
