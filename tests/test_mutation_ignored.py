"""Issue #13 item 22: git-ignored files mutmut copies, the doctor's output options, ANSI escapes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_mutation_gate import SCRUBBED_ENV, gates, make_project

pytestmark = pytest.mark.slow

POLICY = """\
version: 1
paths:
  source: ["src/"]
  tests: ["tests/"]
mutation:
  max_children: 2
  timeout: 300
"""


def versioned_project(root: Path) -> Path:
    """A package importing a generated, git-ignored ``_version.py`` (as setuptools-scm writes)."""
    make_project(
        root,
        {
            "src/pkg/__init__.py": "from pkg._version import VERSION\n\n\ndef add(a, b):\n    return a + b\n",
            "tests/test_pkg.py": (
                "from pkg import VERSION, add\n\n\n"
                "def test_add():\n    assert add(2, 3) == 5\n    assert VERSION\n"
            ),
            "policy.yaml": POLICY,
            ".gitignore": "mutants/\n.gates/\nsrc/pkg/_version.py\n",
        },
    )
    (root / "src/pkg/_version.py").write_text('VERSION = "1.0"\n', encoding="utf-8")
    return root


def test_a_git_ignored_generated_module_is_copied_as_mutmut_copies_it(tmp_path: Path) -> None:
    root = versioned_project(tmp_path / "repo")
    code, result, err = gates(root, "mutation")
    assert code == 0, (result, err)
    assert result["metrics"]["killed"] == 1 and result["metrics"]["score"] == 100.0
    assert any("src/pkg/_version.py" in note and "git-ignored" in note for note in result["notes"])


def test_the_doctor_names_ignored_files_and_honours_format_and_output(tmp_path: Path) -> None:
    root = versioned_project(tmp_path / "repo")
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    target = tmp_path / "doctor.json"
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "mutation", "doctor", "--format", "json", "--output", str(target)],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    report = json.loads(target.read_text(encoding="utf-8"))
    gate = report["gates"][0]
    assert gate["name"] == "mutation" and gate["verdict"] == "pass"
    checks = {d["check"]: d for d in gate["details"]["doctor"]}
    assert "src/pkg/_version.py" in checks["ignored-files"]["message"]
    text = subprocess.run(
        [sys.executable, "-m", "gates", "mutation", "doctor"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert "[ignored-files]" in text.stdout and "src/pkg/_version.py" in text.stdout


def test_messages_carry_no_ansi_escapes_when_ci_forces_colour(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "repo",
        {
            "src/pkg/__init__.py": "def add(a, b):\n    return a + b\n",
            "tests/test_pkg.py": (
                "import not_shipped_helper\nfrom pkg import add\n\n\n"
                "def test_add():\n    assert add(2, 3) == 5\n"
            ),
            "policy.yaml": POLICY,
            ".gitignore": "mutants/\n.gates/\n",
        },
    )
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    proc = subprocess.run(
        [sys.executable, "-m", "gates", "mutation", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**env, "PY_COLORS": "1", "FORCE_COLOR": "1"},
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    error = json.loads(proc.stdout)["gates"][0]["error"]
    assert "'not_shipped_helper'" in error
    assert "\x1b" not in proc.stdout and "\\u001b" not in proc.stdout
