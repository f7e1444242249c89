"""Exclusion creep: code excluded from measurement instead of tested.

Two signals: a new exclusion comment (``# pragma: no cover``) on a changed line, and
changed lines that coverage.py reports as excluded (a JSON report lists them), which
also catches whole blocks under one pragma and ``exclude_also`` patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from gates.checks.coverage.data import FileCoverage
from gates.findings import Finding, Severity
from gates.regular_files import read_repository_text

GATE_NAME = "coverage"


def _read_lines(root: Path, path: str) -> list[str]:
    try:
        return read_repository_text(root, path).splitlines()
    except OSError:
        return []


def creep_findings(
    root: Path,
    changed: Mapping[str, list[int]],
    paths: Iterable[str],
    files: Mapping[str, FileCoverage],
    pattern: str,
    severity: Severity,
) -> list[Finding]:
    regex = re.compile(pattern)
    found: list[Finding] = []
    for path in sorted(paths):
        lines = changed.get(path, [])
        if not lines or not path.endswith(".py"):
            continue
        text = _read_lines(root, path)
        pragma_lines = [n for n in lines if 0 < n <= len(text) and regex.search(text[n - 1])]
        for number in pragma_lines:
            found.append(
                Finding(
                    GATE_NAME,
                    "new-exclusion",
                    severity,
                    "new coverage exclusion comment; test the code instead, or record why in a waiver",
                    path=path,
                    line=number,
                )
            )
        cov = files.get(path)
        if cov is None or not cov.excluded:
            continue
        newly_excluded = sorted(set(lines) & cov.excluded - set(pragma_lines))
        if newly_excluded:
            found.append(
                Finding(
                    GATE_NAME,
                    "excluded-lines-grew",
                    severity,
                    f"{len(newly_excluded)} changed line(s) are excluded from coverage "
                    f"(first at line {newly_excluded[0]})",
                    path=path,
                    line=newly_excluded[0],
                )
            )
    return found


def excluded_growth(before: int | None, now: int, severity: Severity) -> list[Finding]:
    """The total of excluded lines grew since the coverage baseline."""
    if before is None or now <= before:
        return []
    return [
        Finding(
            GATE_NAME,
            "excluded-total-grew",
            severity,
            f"lines excluded from coverage grew from {before} to {now} since the coverage baseline",
        )
    ]
