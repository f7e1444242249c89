"""Helpers the coverage tests share: real ``coverage run`` on small generated repositories."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from conftest import Repo

IGNORED = ".coverage\n.coverage.*\ncoverage.json\ncoverage.xml\n.gates/junit.xml\n"


def coverage(root: Path, *args: str) -> None:
    """Run coverage.py from the test interpreter in ``root``; any failure fails the test."""
    proc = subprocess.run(
        [sys.executable, "-m", "coverage", *args], cwd=root, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"coverage {' '.join(args)}: {proc.stdout}\n{proc.stderr}"


def measure(
    root: Path,
    script: str = "run_tests.py",
    *,
    branch: bool = False,
    source: str | None = ".",
    json_report: bool = True,
    xml_report: bool = False,
) -> None:
    """``coverage run`` a driver script (faster than pytest), then write the requested reports."""
    # Without a source, coverage.py reports only the files that were imported.
    run_args = ["run", "--omit=run_tests.py"] + ([f"--source={source}"] if source else [])
    if branch:
        run_args.append("--branch")
    coverage(root, *run_args, script)
    if json_report:
        coverage(root, "json", "-q", "-o", "coverage.json")
    if xml_report:
        coverage(root, "xml", "-q", "-o", "coverage.xml")


def write_policy(repo: Repo, coverage_block: str, *, source: str = '["pkg/", "tools/"]') -> None:
    body = textwrap.dedent(coverage_block).strip("\n")
    indented = textwrap.indent(body, "  ")
    repo.write(
        "policy.yaml",
        f'version: 1\nbase: main\npaths:\n  source: {source}\n  tests: ["tests/"]\ncoverage:\n{indented}\n',
    )
    repo.write(".gitignore", IGNORED)


def gate_json(run_cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    """Run ``gates coverage --format json`` and return the exit code and the coverage gate's entry."""
    result = run_cli("coverage", "--format", "json", *args)
    doc = json.loads(result.out)
    gate = next(g for g in doc["gates"] if g["name"] == "coverage")
    return result.code, gate


def rule_ids(gate: dict[str, Any]) -> list[str]:
    return sorted(f["rule_id"] for f in gate["findings"])


def messages(gate: dict[str, Any]) -> str:
    return "\n".join(f["message"] for f in gate["findings"]) + "\n" + (gate.get("error") or "")
