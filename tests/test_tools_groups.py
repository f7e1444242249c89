"""A tool that times out is killed with everything it started (issue 13, item 13)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gates.tools import run_process
from tests.conftest import run_gates_subprocess

# Starts a grandchild that would sleep for ten minutes, records its pid, then hangs itself.
SPAWNER = textwrap.dedent(
    """
    import subprocess, sys, time
    from pathlib import Path
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    Path(sys.argv[1]).write_text(str(child.pid))
    time.sleep(600)
    """
)


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a container's init may not reap)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not _running(pid):
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def spawner(tmp_path: Path) -> tuple[Path, Path]:
    script = tmp_path / "spawner.py"
    script.write_text(SPAWNER)
    return script, tmp_path / "grandchild.pid"


def test_coverage_run_timeout_kills_the_grandchild(repo, spawner: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    script, pid_file = spawner
    repo.write(
        "policy.yaml",
        f'version: 1\ncoverage:\n  timeout: 3\n  run: ["{sys.executable} {script} {pid_file}"]\n',
    )
    result = run_gates_subprocess("coverage", cwd=repo.root)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "did not finish within" in result.stdout
    grandchild = int(pid_file.read_text())
    assert _wait_gone(grandchild), f"grandchild {grandchild} still running after the gate timed out"


def test_run_process_kills_the_whole_group_and_keeps_output(
    spawner: tuple[Path, Path], tmp_path: Path
) -> None:
    script, pid_file = spawner
    with pytest.raises(subprocess.TimeoutExpired):
        run_process([sys.executable, str(script), str(pid_file)], cwd=tmp_path, timeout=2)
    assert _wait_gone(int(pid_file.read_text()))


def test_run_process_returns_a_completed_run(tmp_path: Path) -> None:
    code = "import sys; print(sys.stdin.read().upper()); sys.stderr.write('e'); sys.exit(3)"
    done = run_process([sys.executable, "-c", code], cwd=tmp_path, timeout=60, stdin="hi")
    assert (done.returncode, done.stdout, done.stderr) == (3, "HI\n", "e")
