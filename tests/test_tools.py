"""The external-tool runner fails closed: missing, slow, crashing or garbled tools are errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gates.errors import ToolError
from gates.tools import parse_json_output, run_tool

PY = sys.executable


def test_missing_tool_names_the_install_hint(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="no-such-tool-xyz is not installed; pip install xyz"):
        run_tool(["no-such-tool-xyz"], timeout=5, cwd=tmp_path, install_hint="pip install xyz")


def test_timeout_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"did not finish within 0\.5s"):
        run_tool([PY, "-c", "import time; time.sleep(5)"], timeout=0.5, cwd=tmp_path, install_hint="")


def test_unexpected_exit_code_shows_stderr_tail(tmp_path: Path) -> None:
    script = "import sys; print('first', file=sys.stderr); print('boom', file=sys.stderr); sys.exit(3)"
    with pytest.raises(ToolError, match=r"exited with code 3 \(expected \[0, 1\]\): first \| boom"):
        run_tool([PY, "-c", script], timeout=10, cwd=tmp_path, ok_codes=(0, 1), install_hint="")


def test_documented_nonzero_code_is_accepted(tmp_path: Path) -> None:
    run = run_tool(
        [PY, "-c", "print('{}'); raise SystemExit(1)"],
        timeout=10,
        cwd=tmp_path,
        ok_codes=(0, 1),
        install_hint="",
    )
    assert run.returncode == 1
    assert parse_json_output(run) == {}


def test_non_json_output_is_an_error(tmp_path: Path) -> None:
    run = run_tool([PY, "-c", "print('Traceback: oops')"], timeout=10, cwd=tmp_path, install_hint="")
    with pytest.raises(ToolError, match="printed output that is not JSON"):
        parse_json_output(run)
