"""Diff coverage on real repositories: statements, renames, deletions, branches, and fail-closed cases."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo
from test_coverage_support import gate_json, measure, messages, rule_ids, write_policy

BASE_MODULE = """\
def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""


def start(repo: Repo, block: str = "line_min: 0\ndiff: {line_min: 80}") -> None:
    """main: pkg/m.py fully tested; then a feature branch."""
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", BASE_MODULE)
    repo.write("run_tests.py", "import pkg.m as m\nm.add(1, 2)\nm.sub(1, 2)\n")
    write_policy(repo, block)
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")


def test_changed_uncovered_lines_fail_the_diff_floor_and_become_annotations(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.write("pkg/m.py", BASE_MODULE + "\n\ndef mul(a, b):\n    c = a * b\n    return c\n")
    repo.commit("mul")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 1
    # def mul (line 9) runs at import; its two body lines do not: 1 of 3.
    assert gate["metrics"]["diff_statements"] == 3
    assert gate["metrics"]["diff_missing"] == 2
    assert gate["metrics"]["diff_percent"] == pytest.approx(100 / 3, abs=1e-3)
    assert "changed-line coverage: 33.3% < 80% (1/3 statements covered, 2 more needed)" in messages(gate)
    uncovered = [f for f in gate["findings"] if f["rule_id"] == "uncovered-change"]
    assert [(f["path"], f["line"], f["end_line"]) for f in uncovered] == [("pkg/m.py", 10, 11)]
    github = run_cli("coverage", "--format", "github").out
    assert "::warning file=pkg/m.py,line=10,endLine=11" in github


def test_covered_change_passes(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.write("pkg/m.py", BASE_MODULE.replace("return a + b", "total = a + b\n    return total"))
    repo.commit("edit")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    assert gate["metrics"]["diff_statements"] == 2 and gate["metrics"]["diff_missing"] == 0


def test_a_changed_line_inside_a_multiline_statement_counts_as_the_statement(
    repo: Repo, run_cli: Any
) -> None:
    start(repo)
    module = BASE_MODULE + "\n\ndef never(a):\n    return max(\n        a,\n        0,\n    )\n"
    repo.write("pkg/m.py", module)
    repo.commit("never")
    measure(repo.root)
    repo.write("pkg/m.py", module.replace("        0,\n", "        1,\n"))  # only the inner line changes
    repo.commit("inner")
    measure(repo.root)
    code, gate = gate_json(run_cli, "--base", "HEAD~1")
    assert code == 1
    assert gate["metrics"]["diff_statements"] == 1 and gate["metrics"]["diff_missing"] == 1
    uncovered = [f for f in gate["findings"] if f["rule_id"] == "uncovered-change"]
    assert [(f["path"], f["line"]) for f in uncovered] == [("pkg/m.py", 10)]  # the statement's first line

    off = (
        (repo.root / "policy.yaml")
        .read_text()
        .replace("diff: {line_min: 80}", "diff: {statement_aware: false}")
    )
    repo.write("policy.yaml", off)
    code, gate = gate_json(run_cli, "--base", "HEAD~1", "--no-run")
    # Line mode (diff-cover's view): the changed line is no statement, so nothing is measured.
    assert gate["metrics"]["diff_statements"] == 0


def test_pure_rename_owes_nothing(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.git("mv", "pkg/m.py", "pkg/moved.py")
    repo.write("run_tests.py", "import pkg.moved as m\n")  # the moved code is no longer exercised
    repo.commit("move")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    assert gate["metrics"]["diff_statements"] == 0
    assert "uncovered-change" not in rule_ids(gate)


def test_delete_only_change_passes(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.write("pkg/extra.py", "def gone():\n    return 1\n")
    repo.commit("extra on main too")
    repo.git("rm", "-q", "pkg/extra.py")
    repo.write("pkg/m.py", BASE_MODULE.split("\n\n\ndef sub")[0] + "\n")
    repo.write("run_tests.py", "import pkg.m as m\nm.add(1, 2)\n")
    repo.commit("delete")
    measure(repo.root)
    code, gate = gate_json(run_cli, "--base", "HEAD~1")
    assert code == 0, messages(gate)
    assert gate["metrics"]["diff_statements"] == 0
    assert "not-in-report" not in rule_ids(gate)


def test_changed_file_missing_from_report_is_an_error_unless_omitted(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.write("pkg/orphan.py", "def lonely():\n    return 1\n")
    repo.commit("orphan")
    measure(repo.root, source=None)  # only imported files are reported
    code, gate = gate_json(run_cli)
    assert code == 1
    assert rule_ids(gate) == ["not-in-report"]
    assert gate["findings"][0]["path"] == "pkg/orphan.py"
    write_policy(repo, 'line_min: 0\nomit: ["pkg/orphan.py"]')
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)


def test_min_changed_statements_and_uncovered_cap(repo: Repo, run_cli: Any) -> None:
    start(repo, "line_min: 0\ndiff: {line_min: 90, min_changed_statements: 5}")
    repo.write("pkg/m.py", BASE_MODULE + "\n\ndef mul(a, b):\n    return a * b\n")
    repo.commit("small")
    measure(repo.root)
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)  # 2 statements < 5: the floor does not apply
    assert any("fewer than min_changed_statements" in n for n in gate["notes"])
    write_policy(repo, "line_min: 0\ndiff: {line_min: 0, max_uncovered_new_statements: 0}")
    code, gate = gate_json(run_cli)
    assert code == 1
    assert "diff-uncovered-cap" in rule_ids(gate)
    assert "1 changed statements are uncovered; the policy allows at most 0" in messages(gate)


def test_branches_leaving_changed_lines(repo: Repo, run_cli: Any) -> None:
    start(repo, "line_min: 0\ndiff: {line_min: 0, branch_min: 100}")
    repo.write("pkg/m.py", BASE_MODULE.replace("return a + b", "if a:\n        a += 1\n    return a + b"))
    repo.commit("branch")
    measure(repo.root, branch=True)
    code, gate = gate_json(run_cli)
    assert code == 1
    assert gate["metrics"]["diff_percent"] == 100.0
    assert gate["metrics"]["diff_branch_percent"] == 50.0
    assert "uncovered-branch" in rule_ids(gate) and "diff-branch-floor" in rule_ids(gate)
    assert "changed line 2: branch to 4 never taken" in messages(gate)
    measure(repo.root, branch=False)
    code, gate = gate_json(run_cli)
    assert rule_ids(gate) == ["branch-not-measured"]


def test_report_older_than_changed_files_is_stale(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.write("pkg/m.py", BASE_MODULE + "\nX = 1\n")
    repo.commit("x")
    measure(repo.root)
    later = time.time() + 60
    os.utime(repo.root / "pkg/m.py", (later, later))
    code, gate = gate_json(run_cli)
    assert code == 1
    assert rule_ids(gate) == ["stale-report"]
    assert "is older than 1 changed file(s) it measures (pkg/m.py)" in messages(gate)


def test_pre_commit_mode_uses_the_staged_diff_and_flags_a_stale_report(repo: Repo, run_cli: Any) -> None:
    start(repo)
    repo.commit("nothing new")
    repo.write("pkg/m.py", BASE_MODULE + "\n\ndef mul(a, b):\n    return a * b\n")
    repo.git("add", "pkg/m.py")
    measure(repo.root)
    code, gate = gate_json(run_cli, "--staged")
    assert code == 1
    assert gate["metrics"]["diff_statements"] == 2 and gate["metrics"]["diff_missing"] == 1
    later = time.time() + 60
    os.utime(repo.root / "pkg/m.py", (later, later))
    code, gate = gate_json(run_cli, "--staged", "pkg/m.py")
    assert "stale-report" in rule_ids(gate)
    assert "older than 1 staged file(s)" in messages(gate)


def _clone(source: Path, target: Path, *extra: str) -> None:
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", *extra, f"file://{source}", str(target)],
        check=True,
        capture_output=True,
    )


def test_shallow_clone_and_missing_base_are_clear_errors(
    repo: Repo, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start(repo)
    repo.write("pkg/m.py", BASE_MODULE + "\nX = 1\n")
    repo.commit("one")
    repo.write("pkg/m.py", BASE_MODULE + "\nX = 2\n")
    repo.commit("two")
    single = tmp_path / "single"
    _clone(repo.root, single, "--branch", "feature")
    measure(single)
    monkeypatch.chdir(single)
    code, gate = gate_json(run_cli, "--base", "origin/main")
    assert code == 2 and gate["verdict"] == "error"
    assert "base 'origin/main' (from --base) is not in this clone" in gate["error"]
    assert "fetch-depth: 0" in gate["error"]

    both = tmp_path / "both"
    _clone(repo.root, both, "--no-single-branch", "--branch", "feature")
    measure(both)
    monkeypatch.chdir(both)
    code, gate = gate_json(run_cli, "--base", "origin/main")
    assert code == 2
    assert "no merge-base between HEAD and 'origin/main' in this shallow clone" in gate["error"]
    assert "fetch-depth: 0" in gate["error"]

    monkeypatch.chdir(repo.root)
    measure(repo.root)
    code, gate = gate_json(run_cli, "--base", "no-such-branch")
    assert code == 2
    assert (
        "base 'no-such-branch' (from --base) is not in this clone; fetch it, or pass --base REF"
        in gate["error"]
    )
