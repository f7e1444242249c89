"""What several benchmarks share: the torch source tree, a committed repository, timing."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

_TORCH_DIR = "u.find_spec('torch').submodule_search_locations[0]"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@x",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@x",
}


def torch_sources() -> Path:
    """The torch package directory, asked of a child process: importing torch here would slow
    every measurement after it."""
    proc = subprocess.run(
        [sys.executable, "-c", f"import importlib.util as u; print({_TORCH_DIR})"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(proc.stdout.strip())


def commit_tree(root: Path) -> None:
    """Make ``root`` a git repository on branch main with everything in it committed."""
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "commit", "-q", "-m", "tree"], cwd=root, check=True, env={**os.environ, **_IDENTITY}
    )


def gates_models_argv(out: Path) -> list[str]:
    """``gates models --code-only`` writing its JSON report to ``out``, from this venv."""
    gates = Path(sys.executable).parent / "gates"
    return [str(gates), "models", "--code-only", "--no-baseline", "--format", "json", "--output", str(out)]


def timed(argv: list[str], cwd: Path, ok: tuple[int, ...]) -> tuple[float, float]:
    """Wall time and CPU time (user + system of the child and its children): on a shared
    machine the CPU time is the steadier figure, since waiting for a core does not count."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in ok:
        raise SystemExit(f"{argv[0]} exited {proc.returncode}: {proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu
