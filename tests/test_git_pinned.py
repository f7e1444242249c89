"""Every git call pins the output format it parses, whatever the user's git config says, and
git's own failures are one clear line (issue 13, items 17, 18)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gates.git import git_argv
from tests.conftest import Repo

BASE_MODULE = "def add(a, b):\n    return a + b\n"
POLICY = (
    "version: 1\nbase: main\npaths:\n  source: [pkg/]\n"
    "coverage:\n  line_min: 0\n  diff: {line_min: 80}\n  ratchet: {enabled: false}\n"
)

HOSTILE = {
    "noprefix": "[diff]\n\tnoprefix = true\n",
    "mnemonicPrefix": "[diff]\n\tmnemonicPrefix = true\n",
    "color": "[color]\n\tui = always\n\tdiff = always\n",
    "quotepath": "[core]\n\tquotepath = true\n",
    "relative": "[diff]\n\trelative = true\n",
    "external": "[diff]\n\texternal = {external}\n",
    "renames-off": "[diff]\n\trenames = false\n",
    "context": "[diff]\n\tcontext = 9\n\tsuppressBlankEmpty = true\n",
    "textconv": '[core]\n\tattributesFile = {attributes}\n[diff "shout"]\n\ttextconv = tr a-z A-Z\n',
}


def _gates(root: Path, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gates", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _coverage(root: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "coverage", *args], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def _feature_branch(repo: Repo) -> None:
    """main has pkg/m.py; the feature adds a half-tested module with a non-ASCII name, commits
    part of it and leaves a change uncommitted (mnemonicPrefix only bites on those)."""
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", BASE_MODULE)
    repo.write("policy.yaml", POLICY)
    repo.write(".gitignore", ".coverage\ncoverage.json\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("pkg/naïve.py", "def used():\n    return 1\n\n\ndef unused():\n    x = 2\n    return x\n")
    repo.write("pkg/m.py", BASE_MODULE + "\n\n# TODO committed\ndef mul(a, b):\n    return a * b\n")
    repo.commit("feature")
    repo.write(
        "pkg/m.py",
        BASE_MODULE + "\n\n# TODO committed\ndef mul(a, b):\n    return a * b  # TODO uncommitted\n",
    )
    repo.write(
        "run_tests.py", "import importlib\nimportlib.import_module('pkg.naïve').used()\nimport pkg.m\n"
    )
    _coverage(repo.root, "run", "--source=pkg", "run_tests.py")
    _coverage(repo.root, "json", "-q", "-o", "coverage.json")


def _verdicts(root: Path, env: dict[str, str]) -> dict[str, Any]:
    coverage = _gates(root, "coverage", "--format", "json", env=env)
    todo = _gates(root, "todo", "--new-only", "--format", "json", env=env)
    out: dict[str, Any] = {}
    for name, run in (("coverage", coverage), ("todo", todo)):
        doc = json.loads(run.stdout)
        (gate,) = doc["gates"]
        out[name] = {
            "exit": run.returncode,
            "error": gate["error"],
            "findings": sorted((f["rule_id"], f["path"], f["line"]) for f in gate["findings"]),
            "metrics": {k: v for k, v in gate["metrics"].items() if k.startswith("diff")},
        }
    return out


def test_hostile_git_config_changes_nothing(repo: Repo, tmp_path: Path) -> None:
    _feature_branch(repo)
    clean_config = tmp_path / "clean.gitconfig"
    clean_config.write_text("")
    expected = _verdicts(repo.root, {"GIT_CONFIG_GLOBAL": str(clean_config)})
    assert expected["coverage"]["exit"] == 1 and expected["coverage"]["error"] is None
    assert ("uncovered-change", "pkg/naïve.py", 6) in expected["coverage"]["findings"]
    todo_lines = [f[1:] for f in expected["todo"]["findings"] if f[0] == "todo.marker"]
    assert todo_lines == [("pkg/m.py", 5), ("pkg/m.py", 7)]
    external = tmp_path / "external.sh"
    external.write_text("#!/bin/sh\necho garbage\n")
    external.chmod(0o755)
    attributes = tmp_path / "attributes"
    attributes.write_text("*.py diff=shout\n")
    for name, text in HOSTILE.items():
        config = tmp_path / f"{name}.gitconfig"
        config.write_text(text.format(external=external, attributes=attributes))
        got = _verdicts(repo.root, {"GIT_CONFIG_GLOBAL": str(config)})
        assert got == expected, name


def test_hostile_environment_changes_nothing(repo: Repo, tmp_path: Path) -> None:
    _feature_branch(repo)
    expected = _verdicts(repo.root, {})
    external = tmp_path / "external.sh"
    external.write_text("#!/bin/sh\necho garbage\n")
    external.chmod(0o755)
    got = _verdicts(repo.root, {"GIT_EXTERNAL_DIFF": str(external), "GIT_DIFF_OPTS": "--unified=5"})
    assert got == expected


def test_every_diff_carries_the_pinning_options() -> None:
    argv = git_argv("diff", "--cached")
    assert argv[:1] == ["git"] and argv[-1] == "--cached"
    for setting in ("diff.noprefix=false", "diff.mnemonicPrefix=false", "core.quotepath=false"):
        assert setting in argv
    for option in ("--no-ext-diff", "--no-textconv", "--no-relative", "--src-prefix=a/", "--dst-prefix=b/"):
        assert option in argv
    assert "--no-ext-diff" not in git_argv("rev-parse", "HEAD")


def _unborn(tmp_path: Path) -> Repo:
    root = tmp_path / "fresh"
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    made = Repo(root)
    made.write("pkg/__init__.py", "")
    made.write("pkg/m.py", "def f():\n    return 1\n\n\ndef g():\n    return 2  # TODO\n")
    made.write("policy.yaml", POLICY)
    made.write("run_tests.py", "import pkg.m\npkg.m.f()\n")
    _coverage(root, "run", "--source=pkg", "run_tests.py")
    _coverage(root, "json", "-q", "-o", "coverage.json")
    made.git("add", "pkg", "policy.yaml")
    return made


def test_first_commit_staged_checks_the_index(repo: Repo, tmp_path: Path) -> None:
    fresh = _unborn(tmp_path)
    result = _gates(fresh.root, "coverage", "--staged", "--format", "json")
    assert "usage: git" not in result.stdout + result.stderr
    (gate,) = json.loads(result.stdout)["gates"]
    assert gate["error"] is None, gate["error"]
    assert result.returncode == 1
    assert ("uncovered-change", "pkg/m.py", 6) in {
        (f["rule_id"], f["path"], f["line"]) for f in gate["findings"]
    }
    todo = _gates(fresh.root, "todo", "--new-only", "--staged", "--format", "json")
    assert todo.returncode == 0, todo.stdout + todo.stderr
    (todo_gate,) = json.loads(todo.stdout)["gates"]
    assert [(f["path"], f["line"]) for f in todo_gate["findings"] if f["rule_id"] == "todo.marker"] == [
        ("pkg/m.py", 6)
    ]


def test_first_commit_without_staged_says_there_is_no_commit(repo: Repo, tmp_path: Path) -> None:
    fresh = _unborn(tmp_path)
    result = _gates(fresh.root, "coverage")
    assert result.returncode == 2
    assert "there is no commit yet (HEAD does not exist)" in result.stdout
    assert "usage: git" not in result.stdout + result.stderr


@pytest.mark.parametrize("staged", [False, True])
def test_outside_a_repository_the_error_says_so(tmp_path: Path, staged: bool) -> None:
    plain = tmp_path / "plain"
    (plain / "pkg").mkdir(parents=True)
    (plain / "pkg" / "__init__.py").write_text("")
    (plain / "pkg" / "m.py").write_text("def f():\n    return 1\n")
    (plain / "policy.yaml").write_text(POLICY)
    (plain / "run_tests.py").write_text("import pkg.m\n")
    _coverage(plain, "run", "--source=pkg", "run_tests.py")
    _coverage(plain, "json", "-q", "-o", "coverage.json")
    ceiling = {"GIT_CEILING_DIRECTORIES": str(tmp_path)}
    result = _gates(plain, "coverage", *(["--staged"] if staged else []), env=ceiling)
    assert result.returncode == 2
    assert "is not inside a git repository" in result.stdout
    assert "is not in this clone" not in result.stdout


@pytest.mark.parametrize("attributes", ["*.py -diff\n", "* binary\n", "pkg/** -diff -text\n"])
def test_gitattributes_calling_python_binary_hides_no_changed_line(repo: Repo, attributes: str) -> None:
    """A pull request can commit its own .gitattributes: `-diff` or `binary` on a text file made
    its hunks "Binary files ... differ", so diff coverage, TODOs and suppression comments on
    the changed lines vanished (diff coverage passed with no changed statements)."""
    _feature_branch(repo)
    expected = _verdicts(repo.root, {})
    assert ("uncovered-change", "pkg/naïve.py", 6) in expected["coverage"]["findings"]
    repo.write(".gitattributes", attributes)
    repo.git("add", ".gitattributes")
    repo.git("commit", "-q", "-m", "attributes")
    assert _verdicts(repo.root, {}) == expected
    repo.write("pkg/m.py", (repo.root / "pkg/m.py").read_text() + "x = 1  # nosec\n")
    weakened = _gates(repo.root, "policy", "diff", "--base", "main", "--format", "json")
    rules = {(f["rule_id"], f["path"]) for g in json.loads(weakened.stdout)["gates"] for f in g["findings"]}
    assert ("policy.suppression-added", "pkg/m.py") in rules, weakened.stdout


def test_a_real_binary_file_is_not_diffed_as_text(repo: Repo) -> None:
    _feature_branch(repo)
    expected = _verdicts(repo.root, {})
    (repo.root / "pkg" / "weights.bin").write_bytes(b"\0\1\2" * 10000)
    repo.write(".gitattributes", "* -diff\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "weights")
    assert _verdicts(repo.root, {}) == expected
