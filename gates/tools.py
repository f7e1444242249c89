"""Running external tools so that every way they can go wrong is an error, never a pass."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from gates.errors import ToolError
from gates.records import frozen_record

STDERR_TAIL_LINES = 5


@frozen_record
class ToolRun:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float

    def stderr_tail(self, lines: int = STDERR_TAIL_LINES) -> str:
        tail = [line for line in self.stderr.strip().splitlines() if line.strip()][-lines:]
        return " | ".join(tail) if tail else "no output on stderr"


def find_executable(name: str) -> str | None:
    """``name`` on PATH, or next to the running interpreter (a venv used without activating)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(name)


def run_tool(
    argv: Sequence[str],
    *,
    timeout: float,
    cwd: Path,
    ok_codes: Collection[int] = (0,),
    install_hint: str,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> ToolRun:
    """Run a tool and return its output, or raise :class:`ToolError` saying what to do.

    ``ok_codes`` lists the exit codes the tool documents for a completed run (for many
    scanners 1 means "found something"); anything else is a crash and fails closed.
    """
    name = argv[0]
    executable = find_executable(name)
    if executable is None:
        raise ToolError(f"{name} is not installed; {install_hint}")
    started = time.monotonic()
    try:
        proc = run_process(
            [executable, *argv[1:]],
            cwd=cwd,
            timeout=timeout,
            env=None if env is None else {**os.environ, **env},
            stdin=stdin,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(
            f"{name} did not finish within {timeout:g}s; raise the gate's 'timeout' in the policy "
            "or scan fewer files"
        ) from None
    except OSError as exc:
        raise ToolError(f"{name} could not be started ({exc}); {install_hint}") from None
    run = ToolRun(list(argv), proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)
    if proc.returncode not in ok_codes:
        raise ToolError(
            f"{name} exited with code {proc.returncode} (expected {sorted(ok_codes)}): {run.stderr_tail()}"
        )
    return run


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path | str,
    timeout: float,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``subprocess.run(..., capture_output=True, text=True)`` in a session of its own.

    On a timeout (or any interruption) the whole process group is killed, not only the
    child: tools fork workers (bandit, semgrep, pytest under coverage), and a killed parent
    would leave them running and holding our pipes. Raises ``subprocess.TimeoutExpired``
    with whatever output was captured.
    """
    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=None if env is None else dict(env),
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_process_group(proc)
        stdout, stderr = proc.communicate()
        raise subprocess.TimeoutExpired(proc.args, timeout, stdout, stderr) from None
    except BaseException:
        kill_process_group(proc)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


def kill_process_group(proc: subprocess.Popen[Any]) -> None:
    """SIGKILL the session ``proc`` leads, children and grandchildren included."""
    killpg = getattr(os, "killpg", None)  # POSIX; elsewhere only the child can be killed
    try:
        if killpg is None:
            raise ProcessLookupError
        killpg(proc.pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


def parse_json_output(run: ToolRun) -> Any:
    """The tool's stdout as JSON, or a ToolError that shows what it printed instead."""
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError as exc:
        shown = run.stdout.strip()[:200] or "(nothing on stdout)"
        raise ToolError(
            f"{run.argv[0]} printed output that is not JSON ({exc.msg} at line {exc.lineno}): "
            f"{shown!r}; stderr: {run.stderr_tail()}"
        ) from None
