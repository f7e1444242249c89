"""The SARIF Multitool (Microsoft's SARIF SDK, from npm) and its GitHub rules, for tests.

``Sarif.Multitool validate --rule-kind Gh`` applies the checks GitHub code scanning makes
before it accepts an upload (GH1015 result without a location, GH2012 rule without help...).
It exits 0 even when it reports errors, so callers read the SARIF log it writes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO_ROOT

PACKAGE = "@microsoft/sarif-multitool-linux"
VERSION = "5.7.0"
TOOLS_DIR = REPO_ROOT / ".tools"
BINARY = TOOLS_DIR / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "Sarif.Multitool"


def multitool() -> Path | None:
    """The Multitool binary, installed into .tools/ with npm when missing; None without npm."""
    if not BINARY.is_file():
        npm = shutil.which("npm")
        if npm is None:
            return None
        TOOLS_DIR.mkdir(exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(TOOLS_DIR), f"{PACKAGE}@{VERSION}"],
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
    BINARY.chmod(BINARY.stat().st_mode | 0o111)  # npm may skip the package's chmod postinstall
    return BINARY


def github_problems(binary: Path, sarif: Path) -> list[str]:
    """Every error the Multitool's GitHub and SARIF rules report for ``sarif``, as text lines."""
    log = sarif.with_suffix(".validation.sarif")
    proc = subprocess.run(
        [
            str(binary),
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            str(sarif),
            "-o",
            str(log),
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 or not log.is_file():
        return [f"the Multitool failed (exit {proc.returncode}): {proc.stdout[-2000:]} {proc.stderr[-2000:]}"]
    data = json.loads(log.read_text(encoding="utf-8"))
    problems: list[str] = []
    for run in data["runs"]:
        for invocation in run.get("invocations", []):
            if not invocation.get("executionSuccessful", False):
                problems.append(f"the Multitool did not complete: {invocation}")
            for note in invocation.get("toolExecutionNotifications", []) + invocation.get(
                "toolConfigurationNotifications", []
            ):
                if note.get("level", "warning") == "error":
                    problems.append(f"Multitool notification: {note['message'].get('text')}")
        for result in run.get("results", []):
            if result.get("level", "warning") == "error":
                text = result["message"].get("text") or result["message"].get("arguments")
                problems.append(f"{result['ruleId']}: {text}")
    return problems
