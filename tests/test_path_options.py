"""One rule for every path on the command line: relative to where the user typed it (the cwd);
paths in the policy are relative to the repository root (issue 13, item 20)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import Repo, run_gates_subprocess

POLICY = (
    "version: 1\nbase: main\npaths:\n  source: [pkg/]\ncoverage:\n  line_min: 50\n  diff: {enabled: false}\n"
)


def _project_with_report_in(repo: Repo, where: str) -> Path:
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", "def f():\n    return 1\n")
    repo.write("run_tests.py", "import pkg.m\npkg.m.f()\n")
    repo.write(".gitignore", ".coverage\n*.json\n")
    for args in (["run", "--source=pkg", "run_tests.py"], ["json", "-q", "-o", f"{where}/cov.json"]):
        subprocess.run(
            [sys.executable, "-m", "coverage", *args], cwd=repo.root, check=True, capture_output=True
        )
    repo.commit("project")
    return repo.root / where


def test_report_policy_and_output_are_relative_to_the_cwd(repo: Repo) -> None:
    sub = _project_with_report_in(repo, "sub")
    (sub / "my-policy.yaml").write_text(POLICY)
    result = run_gates_subprocess(
        "coverage", "--policy", "my-policy.yaml", "--report", "cov.json", "--format", "json",
        "--output", "out.json", cwd=sub,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads((sub / "out.json").read_text())
    assert doc["gates"][0]["metrics"]["line_percent"] == 100.0
    # The same name typed at the root means root/cov.json, which does not exist.
    at_root = run_gates_subprocess(
        "coverage", "--policy", "sub/my-policy.yaml", "--report", "cov.json", cwd=repo.root
    )
    assert at_root.returncode == 2
    assert "cov.json" in at_root.stdout


def test_baseline_update_coverage_takes_a_report(repo: Repo) -> None:
    sub = _project_with_report_in(repo, "sub")
    repo.write("policy.yaml", POLICY)
    result = run_gates_subprocess("baseline", "update", "--coverage", "--report", "cov.json", cwd=sub)
    assert result.returncode == 0, result.stdout + result.stderr
    without = run_gates_subprocess("baseline", "update", "--coverage", cwd=sub)
    assert without.returncode == 2  # the policy's coverage.json (at the root) does not exist


def test_named_files_are_relative_to_the_cwd(repo: Repo) -> None:
    repo.write("sub/a.py", "import pickle\npickle.loads(d)\n")
    repo.write("a.py", "x = 1\n")
    repo.commit("files")
    from_sub = run_gates_subprocess("models", "--code-only", "a.py", cwd=repo.root / "sub")
    assert from_sub.returncode == 1, from_sub.stdout + from_sub.stderr
    assert "sub/a.py:2" in from_sub.stdout
    from_root = run_gates_subprocess("models", "--code-only", "a.py", cwd=repo.root)
    assert from_root.returncode == 0, from_root.stdout + from_root.stderr


def test_fix_named_file_is_relative_to_the_cwd(repo: Repo) -> None:
    # A load that flows straight into load_state_dict: the fix is safe, so --fix applies it.
    unsafe = "import torch\nnet = torch.nn.Linear(1, 1)\nnet.load_state_dict(torch.load('m.pt'))\n"
    repo.write("sub/a.py", unsafe)
    repo.write("a.py", unsafe)
    repo.commit("files")
    result = run_gates_subprocess("models", "--fix", "a.py", cwd=repo.root / "sub")
    assert result.returncode == 0, result.stderr
    assert "weights_only=True" in (repo.root / "sub" / "a.py").read_text()
    assert (repo.root / "a.py").read_text() == unsafe
