"""Our diff coverage equals the real diff-cover's on Cobertura input, line mode, without renames.

Each case builds a repository from a seed: modules of single-line statements on main,
then a feature branch that adds, edits and deletes code, a real ``coverage run`` and
``coverage xml``, and both tools read the same XML against the same base.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import Repo
from test_coverage_support import gate_json, measure, write_policy

from gates.tools import find_executable


def function(rng: random.Random, name: str) -> list[str]:
    lines = [f"def {name}(x):"]
    for i in range(rng.randint(1, 4)):
        lines.append(f"    v{i} = x + {rng.randint(0, 9)}")
    lines += [
        "    if x > 2:",
        "        x = x - 1",
        "    else:",
        "        x = x + 1",
        "    # a comment",
        "    return x",
    ]
    return lines


def module(rng: random.Random, names: list[str]) -> str:
    out: list[str] = []
    for name in names:
        out += [*function(rng, name), "", ""]
    return "\n".join(out) + "\n"


def edit(rng: random.Random, text: str) -> str:
    """Change, insert or delete some statement lines; never inside a multi-line statement."""
    lines = text.splitlines()
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(lines))
        if lines[i].startswith("    v"):
            choice = rng.choice(["change", "insert", "delete", "blank"])
            if choice == "change":
                lines[i] = lines[i] + " * 2"
            elif choice == "insert":
                lines.insert(i + 1, f"    w = {rng.randint(0, 9)}")
            elif choice == "delete":
                del lines[i]
            else:
                lines.insert(i, "")
    return "\n".join(lines) + "\n"


def build(repo: Repo, seed: int) -> None:
    rng = random.Random(seed)
    repo.write("pkg/__init__.py", "")
    modules = {f"mod{m}": [f"f{m}_{k}" for k in range(rng.randint(2, 5))] for m in range(3)}
    for name, functions in modules.items():
        repo.write(f"pkg/{name}.py", module(rng, functions))
    repo.write("README.md", "base\n")
    write_policy(repo, "line_min: 0\ndiff: {line_min: 0}")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    for name in modules:
        path = repo.root / "pkg" / f"{name}.py"
        path.write_text(edit(rng, path.read_text()))
    added = [f"g{k}" for k in range(rng.randint(1, 3))]
    repo.write("pkg/added.py", module(rng, added))
    repo.write("README.md", "base\nchanged\n")
    repo.commit("feature")
    # Uncommitted edits count too (diff-cover reads staged and unstaged changes by default).
    target = repo.root / "pkg" / "mod0.py"
    target.write_text(target.read_text() + "\n\ndef late(x):\n    return x\n")
    calls = ["import pkg.mod0, pkg.mod1, pkg.mod2, pkg.added"]
    for name, functions in modules.items():
        calls += [f"pkg.{name}.{f}({rng.randint(0, 5)})" for f in functions if rng.random() < 0.6]
    calls += [f"pkg.added.{f}(3)" for f in added if rng.random() < 0.5]
    repo.write("run_tests.py", "\n".join(calls) + "\n")


def diff_cover_figures(root: Path) -> dict[str, Any]:
    exe = find_executable("diff-cover")
    assert exe, "diff-cover is a dependency of ml-gates"
    out = root / "diff-cover.json"
    proc = subprocess.run(
        [exe, "coverage.xml", "--compare-branch=main", "--total-percent-float", f"--format=json:{out}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    figures: dict[str, Any] = json.loads(out.read_text())
    return figures


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_diff_percent_equals_diff_cover(repo: Repo, run_cli: Any, seed: int) -> None:
    build(repo, seed)
    measure(repo.root, source="pkg", json_report=False, xml_report=True)
    theirs = diff_cover_figures(repo.root)
    code, gate = gate_json(run_cli, "--report", "coverage.xml")
    assert code == 0, gate
    metrics = gate["metrics"]
    assert metrics["diff_statements"] == theirs["total_num_lines"]
    assert metrics["diff_missing"] == theirs["total_num_violations"]
    # Every seed mixes covered and uncovered changed lines, so the comparison is not trivial.
    assert 0 < theirs["total_num_violations"] < theirs["total_num_lines"]
    ours = (metrics["diff_statements"] - metrics["diff_missing"]) / metrics["diff_statements"] * 100
    assert round(ours, 2) == theirs["total_percent_covered"]
    assert round(metrics["diff_percent"], 2) == theirs["total_percent_covered"]
    # Per file, the uncovered changed lines are the same.
    ours_missing = {f["path"]: f["missing"] for f in gate["details"]["diff_files"] if f["missing"]}
    their_missing = {p: s["violation_lines"] for p, s in theirs["src_stats"].items() if s["violation_lines"]}
    assert ours_missing == their_missing
