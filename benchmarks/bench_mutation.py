"""Changed-code mode against a full mutation run, beside plain `mutmut run`.

Run: .venv/bin/python benchmarks/bench_mutation.py [--functions 32] [--max-children 2]

Builds a git project with N small functions (each with a test that kills its mutants) on
branch main, then changes one function on a branch. Times, in one run:

- peer: plain `mutmut run` over the whole package (what a user runs without the gate);
- gate full: `gates mutation` (all mutants; also leaves mutmut-stats.json for the next step);
- gate changed: `gates mutation --changed` (only the changed function's mutants, with only the
  tests that cover it, picked from the full run's mutmut-stats.json).

Prints a Markdown table with wall times, mutants tested, and the full/changed ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUNCTION = """

def f{i}(x, y):
    if x > {i}:
        return x + y * {i}
    return x - y
"""

TEST = """

def test_f{i}():
    assert m.f{i}({big}, 2) == {big} + 2 * {i}
    assert m.f{i}({i}, 2) == {i} - 2
    assert m.f{i}({small}, 1) == {small} - 1
"""

ENV_DROP = ("GITHUB_BASE_REF", "PRE_COMMIT", "PRE_COMMIT_FROM_REF", "CI")


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@example.com",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.com",
    }
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def build(root: Path, functions: int, max_children: int) -> None:
    (root / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "calc" / "__init__.py").write_text("")
    (root / "calc" / "funcs.py").write_text("".join(FUNCTION.format(i=i) for i in range(functions)))
    tests = "import calc.funcs as m\n" + "".join(
        TEST.format(i=i, big=i + 10, small=i - 5) for i in range(functions)
    )
    (root / "tests" / "test_funcs.py").write_text(tests)
    (root / ".gitignore").write_text("mutants/\n.gates/\n")
    (root / "policy.yaml").write_text(
        "version: 1\nbase: main\npaths:\n  source: [calc/]\n  critical: [calc/]\n"
        f"mutation:\n  max_children: {max_children}\n  timeout: 1800\n"
    )
    # For the peer: mutmut reads [tool.mutmut] from pyproject.toml.
    (root / "pyproject.toml").write_text('[tool.mutmut]\nsource_paths = ["calc"]\n')
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_DROP}
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - started, proc


def gate(root: Path, *extra: str) -> tuple[float, dict[str, object]]:
    seconds, proc = timed([sys.executable, "-m", "gates", "mutation", *extra, "--format", "json"], root)
    if proc.returncode != 0:
        raise SystemExit(
            f"gates mutation {' '.join(extra)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    result: dict[str, object] = json.loads(proc.stdout)["gates"][0]
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=32)
    parser.add_argument("--max-children", type=int, default=2)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="bench-mutation-"))
    try:
        root = base / "project"
        build(root, args.functions, args.max_children)
        peer_root = base / "peer"
        shutil.copytree(root, peer_root)
        mutmut = [
            sys.executable,
            "-c",
            "import sys; from mutmut.__main__ import cli; sys.argv[0]='mutmut'; cli()",
        ]
        peer_s, peer = timed([*mutmut, "run", "--max-children", str(args.max_children)], peer_root)
        if peer.returncode != 0:
            raise SystemExit(f"mutmut run failed:\n{peer.stdout[-2000:]}")
        full_s, full = gate(root)
        git(root, "checkout", "-q", "-b", "feature")
        source = root / "calc" / "funcs.py"
        source.write_text(source.read_text().replace("x > 5:", "x > 5:  # changed", 1))
        git(root, "commit", "-q", "-am", "change f5")
        changed_s, changed = gate(root, "--changed")
        full_m, changed_m = full["metrics"], changed["metrics"]
        assert isinstance(full_m, dict) and isinstance(changed_m, dict)
        print(f"{args.functions} functions, one changed; max_children={args.max_children}\n")
        print("| run | mutants tested | wall time (s) |")
        print("|---|---|---|")
        print(f"| peer: `mutmut run` (full) | {full_m['mutants']} | {peer_s:.1f} |")
        print(f"| `gates mutation` (full) | {full_m['mutants']} | {full_s:.1f} |")
        print(f"| `gates mutation --changed` | {changed_m['mutants']} | {changed_s:.1f} |")
        print()
        print(
            f"changed-code mode is {full_s / changed_s:.1f}x faster than the gate's full run, "
            f"{peer_s / changed_s:.1f}x faster than plain `mutmut run`; "
            f"gate full / mutmut run = {full_s / peer_s:.2f}"
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
