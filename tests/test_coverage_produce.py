"""The gate can produce the report itself with the policy's 'run' commands, fail-closed."""

from __future__ import annotations

import sys
from typing import Any

from conftest import Repo
from test_coverage_support import gate_json, messages, write_policy

PY = sys.executable
PYTEST = "-m pytest -q -p no:cacheprovider"


def _project(repo: Repo) -> None:
    repo.write("pkg/__init__.py", "")
    repo.write("pkg/m.py", "def f():\n    return 1\n")
    repo.write("tests/test_m.py", "from pkg.m import f\n\n\ndef test_f():\n    assert f() == 1\n")


def test_run_commands_produce_the_report_and_junit(repo: Repo, run_cli: Any) -> None:
    _project(repo)
    write_policy(
        repo,
        f"""
        line_min: 100
        diff: {{enabled: false}}
        run:
          - "{PY} -m coverage run --source=pkg {PYTEST} --junitxml=.gates/junit.xml tests"
          - "{PY} -m coverage json -q"
        """,
    )
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    assert gate["metrics"]["line_percent"] == 100.0
    assert (repo.root / "coverage.json").is_file() and (repo.root / ".gates/junit.xml").is_file()
    assert any(note.startswith("ran '") for note in gate["notes"])


def test_failing_tests_make_the_gate_an_error(repo: Repo, run_cli: Any) -> None:
    _project(repo)
    repo.write("tests/test_bad.py", "def test_bad():\n    assert False\n")
    write_policy(
        repo,
        f"""
        line_min: 0
        diff: {{enabled: false}}
        run: ["{PY} -m coverage run --source=pkg {PYTEST} tests", "{PY} -m coverage json -q"]
        """,
    )
    code, gate = gate_json(run_cli)
    assert code == 2 and gate["verdict"] == "error"
    assert "exited with code 1" in gate["error"] and "1 failed" in gate["error"]
    assert not (repo.root / "coverage.json").exists()


def test_timeout_and_missing_tool_are_errors(repo: Repo, run_cli: Any) -> None:
    _project(repo)
    write_policy(repo, f'line_min: 0\ntimeout: 1\nrun: ["{PY} -c \\"import time; time.sleep(5)\\""]')
    code, gate = gate_json(run_cli)
    assert code == 2 and "did not finish within" in gate["error"]
    write_policy(repo, 'line_min: 0\nrun: ["no-such-coverage-tool run"]')
    code, gate = gate_json(run_cli)
    assert code == 2 and "no-such-coverage-tool is not installed" in gate["error"]


def test_no_run_flag_reads_the_existing_report(repo: Repo, run_cli: Any) -> None:
    _project(repo)
    write_policy(repo, 'line_min: 0\nrun: ["no-such-coverage-tool run"]')
    code, gate = gate_json(run_cli, "--no-run")
    assert code == 2 and "coverage report coverage.json not found" in gate["error"]


def test_a_run_inside_its_own_run_is_refused(repo: Repo, run_cli: Any) -> None:
    _project(repo)
    # This repository's own tests run `gates coverage` on the repository: that inner run must
    # not start the test suite again (and again); it is refused instead.
    inner = (
        "import subprocess\n\n\ndef test_again():\n"
        f"    proc = subprocess.run([{PY!r}, '-m', 'gates', 'coverage'], capture_output=True, text=True)\n"
        "    assert proc.returncode == 2, proc.stdout\n"
        "    assert 'already producing the report' in proc.stdout\n"
    )
    repo.write("tests/test_again.py", inner)
    run = f'["{PY} -m coverage run --source=pkg {PYTEST} tests", "{PY} -m coverage json -q"]'
    write_policy(repo, f"line_min: 0\ndiff: {{enabled: false}}\nrun: {run}")
    code, gate = gate_json(run_cli)
    assert code == 0, gate["error"]


def test_a_report_the_run_commands_did_not_rewrite_is_an_error(repo: Repo, run_cli: Any) -> None:
    _project(repo)
    measure = f"{PY} -m coverage run --source=pkg {PYTEST} tests"
    report = f"{PY} -m coverage json -q"
    write_policy(repo, f'line_min: 0\ndiff: {{enabled: false}}\nrun: ["{measure}", "{report}"]')
    code, gate = gate_json(run_cli)
    assert code == 0, messages(gate)
    # The commands now measure but never write coverage.json: the earlier report must not be judged.
    write_policy(repo, f'line_min: 0\ndiff: {{enabled: false}}\nrun: ["{measure}"]')
    code, gate = gate_json(run_cli)
    assert code == 2 and gate["verdict"] == "error", messages(gate)
    assert "did not rewrite coverage.json" in gate["error"]
