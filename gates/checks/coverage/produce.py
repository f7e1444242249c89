"""Producing the report: the policy's ``run`` commands, in order, within the gate's timeout."""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path

from gates.errors import GatesError, ToolError
from gates.tools import run_tool

_ANY_EXIT = range(-128, 256)
# Set for the commands we run: a test that runs `gates` on this same repository would
# otherwise start the test suite again, and again.
RUNNING = "ML_GATES_COVERAGE_RUN"
INSTALL_HINT = "install it in the environment that runs the gates, or fix coverage.run in the policy"


def produce_report(commands: list[str], root: Path, timeout: float) -> list[str]:
    """Run each command without a shell; any failure (exit code, timeout) is an error."""
    notes: list[str] = []
    marker = str(root.resolve())
    if os.environ.get(RUNNING) == marker:
        raise GatesError(
            "coverage.run is already producing the report for this repository (a test runs 'gates' on the "
            "repository itself); use --no-run in that test"
        )
    deadline = time.monotonic() + timeout
    for command in commands:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise GatesError(f"coverage.run: cannot split {command!r} ({exc}); fix the quoting") from None
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ToolError(
                f"coverage.run: no time left for {command!r}; raise coverage.timeout in the policy"
            )
        try:
            run = run_tool(
                argv,
                timeout=remaining,
                cwd=root,
                install_hint=INSTALL_HINT,
                ok_codes=_ANY_EXIT,
                env={RUNNING: marker},
            )
        except ToolError as exc:
            raise ToolError(f"coverage.run: '{command}' failed: {exc}") from None
        if run.returncode != 0:
            # pytest reports failures on stdout, so show the end of both streams.
            tail = [ln for ln in (run.stdout + "\n" + run.stderr).splitlines() if ln.strip()][-3:]
            raise ToolError(
                f"coverage.run: '{command}' exited with code {run.returncode}: "
                f"{' | '.join(tail) or 'no output'}; "
                "the report is not trusted until the command succeeds"
            )
        notes.append(f"ran '{command}' in {run.duration_s:.1f}s")
    return notes
