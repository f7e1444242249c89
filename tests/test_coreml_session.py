"""The converter session: crashes, hangs and silent deaths of the worker never read as a pass.

Stand-in workers (small scripts used in place of the interpreter) play the failure; one test
kills the real worker mid-model.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from gates.checks.coreml.session import run_converter
from gates.errors import ToolError
from gates.policy.sections.coreml import CoreMLModel

ENV = {"kind": "environment", "torch": "2.7.0", "native": {}}


def _fake_python(tmp_path: Path, body: str) -> str:
    """An executable that ignores '-m gates.checks.coreml.worker' and runs ``body``."""
    script = tmp_path / "fake-python"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys, time\n"
        "job = json.load(open(sys.argv[3]))\n"
        "out = open(sys.argv[4], 'a')\n"
        "def write(r):\n"
        "    out.write(json.dumps(r) + '\\n'); out.flush()\n" + textwrap.dedent(body)
    )
    script.chmod(0o755)
    return str(script)


def _models(*names: str) -> list[CoreMLModel]:
    return [CoreMLModel(name=n, factory="p:f") for n in names]


def _run(python: str, tmp_path: Path, names: tuple[str, ...] = ("a", "b"), timeout: float = 60) -> dict:  # type: ignore[type-arg]
    run = run_converter(
        _models(*names),
        root=tmp_path,
        artifact_dir=tmp_path / "art",
        predict=False,
        timeout=timeout,
        python=python,
    )
    return run.models


def test_crash_marks_the_model_in_progress_and_the_rest_still_run(tmp_path: Path) -> None:
    python = _fake_python(
        tmp_path,
        f"""
        write({ENV!r})
        for m in job["models"]:
            write({{"kind": "start", "name": m["name"]}})
            if m["name"] == "a":
                sys.stderr.write("Fatal Python error: Segmentation fault\\n"); sys.stderr.flush()
                os.kill(os.getpid(), 9)
            write({{"kind": "model", "name": m["name"], "status": "factory_error", "message": "ok"}})
        """,
    )
    models = _run(python, tmp_path)
    assert models["a"]["status"] == "crashed"
    assert "was killed by SIGKILL" in models["a"]["message"]
    assert "Segmentation fault" in models["a"]["message"]
    assert models["b"]["status"] == "factory_error"  # converted by a fresh worker


def test_timeout_marks_the_current_and_remaining_models(tmp_path: Path) -> None:
    python = _fake_python(
        tmp_path,
        f"""
        write({ENV!r})
        write({{"kind": "start", "name": "a"}})
        time.sleep(30)
        """,
    )
    models = _run(python, tmp_path, timeout=2)
    assert models["a"]["status"] == "timeout"
    assert "did not finish within the gate's time budget (2s)" in models["a"]["message"]
    assert models["b"]["status"] == "timeout"
    assert "went to earlier models" in models["b"]["message"]


def test_worker_that_cannot_start_is_a_tool_error(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, "sys.stderr.write('ImportError: libtorch_cpu.so\\n'); sys.exit(1)\n")
    with pytest.raises(
        ToolError, match=r"could not start \(exited with code 1\): ImportError: libtorch_cpu.so"
    ):
        _run(python, tmp_path)


def test_worker_exiting_between_models_is_a_tool_error(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, f"write({ENV!r})\nsys.exit(7)\n")
    with pytest.raises(ToolError, match="exited with code 7 between models"):
        _run(python, tmp_path)


def test_environment_failure_stops_without_models(tmp_path: Path) -> None:
    python = _fake_python(tmp_path, "write({'kind': 'environment', 'import_error': 'boom'})\nsys.exit(3)\n")
    run = run_converter(
        _models("a"), root=tmp_path, artifact_dir=tmp_path, predict=False, timeout=60, python=python
    )
    assert run.environment == {"kind": "environment", "import_error": "boom"}
    assert run.models == {}


def test_real_worker_killed_mid_model(tmp_path: Path) -> None:
    (tmp_path / "crashy.py").write_text(
        "import os, signal\n\ndef build():\n    os.kill(os.getpid(), signal.SIGSEGV)\n"
    )
    models = [CoreMLModel(name="crashy", factory="crashy:build")]
    run = run_converter(models, root=tmp_path, artifact_dir=tmp_path / "art", predict=False, timeout=300)
    assert run.environment is not None and run.environment["coremltools"]
    record = run.models["crashy"]
    assert record["status"] == "crashed"
    assert "SIGSEGV" in record["message"]
    assert not (tmp_path / "art").exists()
