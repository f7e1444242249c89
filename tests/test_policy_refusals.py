"""A policy that exists but cannot be read, or that is built to exhaust the parser, is exit 2
with one line naming it; the text report names the policy that ran (issue 13, items 6, 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import run_gates_subprocess

UNSAFE = "import pickle\npickle.loads(d)\n"


def _make_broken(root: Path, kind: str, name: str = "policy.yaml") -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "directory":
        path.mkdir()
    elif kind == "dangling symlink":
        path.symlink_to(root / "nowhere.yaml")
    elif kind == "symlink loop":
        path.symlink_to(path.name)
    elif kind == "fifo":
        os.mkfifo(path)


KINDS = ["directory", "dangling symlink", "symlink loop", "fifo"]


@pytest.mark.parametrize("name", ["policy.yaml", ".gates/policy.yaml"])
@pytest.mark.parametrize("kind", KINDS)
def test_unreadable_policy_candidate_is_an_error_everywhere(repo, kind: str, name: str) -> None:  # type: ignore[no-untyped-def]
    repo.write("a.py", UNSAFE)
    _make_broken(repo.root, kind, name)
    for argv in (["policy", "validate"], ["models"], ["check", "--gate", "todo"], ["policy", "show"]):
        result = run_gates_subprocess(*argv, cwd=repo.root)
        assert result.returncode == 2, (argv, result.stdout, result.stderr)
        assert result.stderr.startswith(f"{name}:1:1: ") or result.stderr.startswith(
            f"{repo.root / name}:1:1: "
        ), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert "Traceback" not in result.stderr


@pytest.mark.parametrize("kind", KINDS)
def test_explicit_policy_that_is_not_a_file_is_named(repo, kind: str) -> None:  # type: ignore[no-untyped-def]
    _make_broken(repo.root, kind, "custom.yaml")
    result = run_gates_subprocess("todo", "--policy", "custom.yaml", cwd=repo.root)
    assert result.returncode == 2
    assert result.stderr.startswith("custom.yaml:1:1: ")


def test_text_report_names_the_policy_that_ran(repo, run_cli) -> None:  # type: ignore[no-untyped-def]
    repo.write("a.py", "x = 1\n")
    assert "policy: embedded defaults" in run_cli("todo").out
    repo.write(".gates/policy.yaml", "version: 1\n")
    assert "policy: .gates/policy.yaml" in run_cli("todo").out


def _billion_laughs(levels: int) -> str:
    lines = ["version: 1", "x:", '  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*l{level - 1}"] * 9)
        lines.append(f"  l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_yaml_aliases_are_refused_before_expansion(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", _billion_laughs(9))  # 9**9 strings once expanded: > 12 GB
    started = time.monotonic()
    result = run_gates_subprocess("policy", "validate", cwd=repo.root)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "policy.yaml:4:12: YAML alias '*l0' is not allowed in a policy; write the value out in full"
    )
    # Not a timing assertion on speed, a guard against the expansion: 9 levels never finish.
    assert time.monotonic() - started < 120


def test_a_harmless_alias_is_refused_too(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write(
        "policy.yaml",
        "version: 1\npaths:\n  source: &src [src/]\n  critical: *src\n",
    )
    result = run_gates_subprocess("todo", cwd=repo.root)
    assert result.returncode == 2
    assert result.stderr.startswith("policy.yaml:4:13: YAML alias '*src' is not allowed")


@pytest.mark.parametrize(
    "body",
    [
        "x: " + "[" * 1000 + "]" * 1000 + "\n",
        "x: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n",
        "".join("  " * i + f"k{i}:\n" for i in range(1000)) + "  " * 1000 + "v\n",
    ],
    ids=["flow-lists", "flow-maps", "block-maps"],
)
def test_policy_nested_1000_levels_is_one_line_exit_2(repo, body: str) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\n" + body)
    for argv in (["policy", "validate"], ["todo"]):
        result = run_gates_subprocess(*argv, cwd=repo.root)
        assert result.returncode == 2, result.stderr
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("policy.yaml:") and "nests deeper than 32 levels" in line


def test_nesting_within_the_cap_still_validates_normally(repo) -> None:  # type: ignore[no-untyped-def]
    repo.write("policy.yaml", "version: 1\nx: " + "[" * 20 + "]" * 20 + "\n")
    result = run_gates_subprocess("policy", "validate", cwd=repo.root)
    assert result.returncode == 2
    assert "unknown key 'x'" in result.stderr


def test_policy_loader_text_api_still_refuses_aliases(tmp_path: Path) -> None:
    """Loading policy text from elsewhere (a git object) goes through the same refusals."""
    from gates.errors import PolicyError
    from gates.policy.loader import parse_policy_text

    with pytest.raises(PolicyError, match=r"base:policy.yaml:4:12: YAML alias"):
        parse_policy_text(_billion_laughs(3), Path("base:policy.yaml"))


def test_fifo_policy_does_not_block(repo) -> None:  # type: ignore[no-untyped-def]
    os.mkfifo(repo.root / "policy.yaml")
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "policy", "validate"],
        cwd=repo.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "not a regular file" in proc.stderr
