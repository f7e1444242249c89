"""ml-gates-install.sh: its own environment by default, the project's only when a gate needs it.

The installs are real (pip, a fresh virtualenv, the committed snapshot of this checkout);
packages come from the wiring tests' wheelhouse, plus PyPI for the old pin the project holds.
"""

from __future__ import annotations

import os
import subprocess
import venv
from pathlib import Path

import pytest

from tests.wiring_support import REPO_ROOT, bundle_snapshot, offline_pip_env, wheelhouse

SCRIPT = REPO_ROOT / ".github" / "scripts" / "ml-gates-install.sh"


def _project_env(root: Path, *requirements: str) -> Path:
    venv.EnvBuilder(with_pip=True).create(root)
    if requirements:
        subprocess.run(
            [str(root / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--find-links", str(wheelhouse()), *requirements],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
    return root / "bin"


def _install(
    workspace: Path, python_bin: Path, tmp_path: Path, **extra: str
) -> tuple[subprocess.CompletedProcess[str], str]:
    bundle, _ = bundle_snapshot()
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    env = {
        "PATH": f"{python_bin}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        "ML_GATES_BUNDLE": str(bundle),
        "ML_GATES_VENV": str(tmp_path / "ml-gates-venv"),
        "GITHUB_OUTPUT": str(output),
        **offline_pip_env(),
        **extra,
    }
    proc = subprocess.run(
        ["bash", str(SCRIPT)], cwd=workspace, env=env, capture_output=True, text=True, check=False
    )
    return proc, output.read_text(encoding="utf-8")


def _has_gates(python_bin: Path) -> bool:
    # from / : never this checkout's gates/ package in the cwd
    probe = subprocess.run(
        [str(python_bin / "python"), "-c", "import gates"], cwd="/", capture_output=True, check=False
    )
    return probe.returncode == 0


@pytest.mark.slow
def test_auto_keeps_ml_gates_out_of_the_project_unless_a_gate_imports_it(tmp_path: Path) -> None:
    workspace = tmp_path / "project"
    workspace.mkdir()
    python_bin = _project_env(tmp_path / "project-env")
    (workspace / "policy.yaml").write_text(
        "version: 1\nmutation: {enabled: false}\ncoreml: {enabled: false}\n"
    )
    proc, output = _install(workspace, python_bin, tmp_path, ML_GATES_ENVIRONMENT="auto")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert output.strip() == f"gates={tmp_path}/ml-gates-venv/bin/gates"
    assert not _has_gates(python_bin)
    assert "the project's environment is untouched" in proc.stdout

    (workspace / "policy.yaml").write_text(
        "version: 1\nmutation: {enabled: true}\ncoreml: {enabled: false}\n"
    )
    proc, output = (
        _install(workspace, python_bin, tmp_path / "second", ML_GATES_ENVIRONMENT="auto")
        if (tmp_path / "second").mkdir() is None
        else (None, "")
    )
    assert proc is not None and proc.returncode == 0, proc.stdout + proc.stderr
    assert "the policy enables mutation" in proc.stdout
    assert output.strip() == "gates=gates"
    assert _has_gates(python_bin)


@pytest.mark.slow
def test_an_install_that_moves_a_project_pin_fails_naming_it(tmp_path: Path) -> None:
    """The issue's case: the project pins coverage==7.5.0; ml-gates needs coverage>=7.6."""
    workspace = tmp_path / "project"
    workspace.mkdir()
    python_bin = _project_env(tmp_path / "project-env")
    # The old pin comes from PyPI (the wheelhouse holds current versions only).
    pip = [str(python_bin / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "coverage==7.5.0"], check=True, capture_output=True, text=True)
    proc, output = _install(workspace, python_bin, tmp_path, ML_GATES_ENVIRONMENT="project")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "::error title=ml-gates install::" in proc.stdout
    assert "coverage 7.5.0 -> " in proc.stdout
    assert "gates-environment: own" in proc.stdout
    assert output == ""
