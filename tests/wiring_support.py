"""Shared set-up for the wiring tests: a committed snapshot of this checkout, a local wheelhouse.

Hooks and workflow steps install ml-gates the way consumers do (``pip install <bundle>``).
Those installs are slow, so both are built once per test process and reused:

* the snapshot is a git repository holding this checkout's files (tracked, plus untracked
  files that are not ignored), committed, so pre-commit can clone it at a ``rev``;
* the wheelhouse holds every wheel ml-gates, semgrep and the fixture projects need; installs
  then run with ``PIP_NO_INDEX=1`` against it instead of querying the package indexes again.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = Path(sys.executable)
VENV_BIN = PYTHON.parent
# The extra's exact pin: the security hook installs the same semgrep CI does.
SEMGREP_REQUIREMENT = "semgrep==1.182.0"

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


@cache
def scratch_dir() -> Path:
    """One temp directory for this test process, removed at exit."""
    path = Path(tempfile.mkdtemp(prefix="ml-gates-wiring-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_IDENTITY}
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return proc.stdout


def init_repo(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")


def commit_all(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()


@cache
def bundle_snapshot() -> tuple[Path, str]:
    """This checkout as a committed repository: (path, commit sha)."""
    listed = git(REPO_ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    target = scratch_dir() / "bundle"
    init_repo(target)
    for relative in filter(None, listed.split("\0")):
        source = REPO_ROOT / relative
        if not source.is_file():  # deleted in the working tree, or a submodule
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return target, commit_all(target, "snapshot of the ml-gates checkout")


@cache
def wheelhouse() -> Path:
    """Wheels for ml-gates, semgrep, the build backend and the fixture projects' test tools."""
    bundle, _ = bundle_snapshot()
    target = scratch_dir() / "wheelhouse"
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--dest",
            str(target),
            str(bundle),
            SEMGREP_REQUIREMENT,
            "setuptools>=68",
            "wheel",
            "pytest",
            "coverage",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def offline_pip_env() -> dict[str, str]:
    """Environment variables that make every pip install read the wheelhouse only."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse()),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


def tool_env(**extra: str) -> dict[str, str]:
    """A child-process environment with the dev venv's tools first on PATH and no CI leaks."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT", "RUNNER_"))}
    env.update(GIT_IDENTITY)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env
