"""Shared fixtures: small git repositories built in a temp dir, and running the CLI."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gates.cli import main as gates_main

REPO_ROOT = Path(__file__).resolve().parents[1]
# Keep the tests' policy cache out of the user's home and fresh for every session.
os.environ["GATES_CACHE_DIR"] = _CACHE_DIR = tempfile.mkdtemp(prefix="gates-test-cache-")
# One folder per pytest process, removed when it exits (they piled up in the temp dir).
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)
SARIF_SCHEMA = REPO_ROOT / "tests" / "data" / "sarif-2.1.0-rtm.5.json"


@dataclass
class Repo:
    """A throwaway git repository; every helper runs git inside it."""

    root: Path

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def git(self, *args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True, check=True)
        return proc.stdout

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Repo]:
    """An empty repository on branch main with one commit; the cwd is its root."""
    root = tmp_path / "repo"
    root.mkdir()
    for var in (
        "GITHUB_BASE_REF",
        "PRE_COMMIT",
        "PRE_COMMIT_FROM_REF",
        "GITHUB_STEP_SUMMARY",
        "GITHUB_OUTPUT",
    ):
        monkeypatch.delenv(var, raising=False)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    made = Repo(root)
    made.git("config", "commit.gpgsign", "false")
    made.commit("initial")
    monkeypatch.chdir(root)
    yield made


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run ``gates`` in-process: run_cli("check", "--format", "json") -> CliResult."""

    def run(*argv: str) -> CliResult:
        code = gates_main(list(argv))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def run_gates_subprocess(
    *argv: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``gates`` in a child process (for exit codes, imports, hooks)."""
    return subprocess.run(
        [sys.executable, "-m", "gates", *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
