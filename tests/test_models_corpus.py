"""The labelled corpus: exact lines per rule, and a real bandit run showing we are a superset."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from models_corpus_support import CORPUS, corpus_files, expected, marked

from gates.checks.models.analyzer import analyze_file
from gates.checks.models.calls import AnalysisSettings

BANDIT_TESTS = "B614,B615,B113,B301,B506"


def _ours(path: Path, *, include_suppressed: bool) -> dict[int, set[str]]:
    analysis = analyze_file(path.parent, path.name, path.read_bytes(), AnalysisSettings())
    out: dict[int, set[str]] = {}
    for finding in analysis.findings:
        if include_suppressed or finding.suppressed is None:
            out.setdefault(finding.line, set()).add(finding.rule)
    return out


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_file_yields_exactly_the_labelled_findings(path: Path) -> None:
    assert _ours(path, include_suppressed=False) == expected(path)


def test_corpus_covers_every_rule_family() -> None:
    labelled = set().union(*(rules for p in corpus_files() for rules in expected(p).values()))
    assert {"MS101", "MS102", "MS201", "MS202", "MS203", "MS204", "MS301", "MS302", "MS401"} <= labelled
    assert {"MS501", "MS502", "MS601", "MS701", "MS801", "MS901", "MS902"} <= labelled


def test_safe_lookalikes_stay_silent() -> None:
    assert _ours(CORPUS / "safe_lookalikes.py", include_suppressed=True) == {}


def _bandit_lines(tmp_path: Path) -> dict[str, set[int]]:
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent)) or shutil.which("bandit")
    assert bandit, "bandit is a core dependency and must be installed"
    work = tmp_path / "corpus"
    shutil.copytree(CORPUS, work)
    proc = subprocess.run(
        [bandit, "-q", "-t", BANDIT_TESTS, "-f", "json", "-r", "."],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == []
    lines: dict[str, set[int]] = {}
    for result in report["results"]:
        lines.setdefault(Path(result["filename"]).name, set()).add(result["line_number"])
    return lines


def test_real_bandit_findings_are_a_subset_of_ours(tmp_path: Path) -> None:
    bandit = _bandit_lines(tmp_path)
    assert sum(len(v) for v in bandit.values()) >= 40  # bandit really ran the five tests
    for path in corpus_files():
        ours = set(_ours(path, include_suppressed=True))
        flagged = bandit.get(path.name, set())
        false_positives = marked(path, "bandit-fp")
        # Everything bandit flags we flag too, except the lines labelled as its false positives.
        assert flagged - false_positives <= ours, path.name
        # The labelled false positives really are bandit findings, and we stay silent on them.
        assert false_positives <= flagged, path.name
        assert not (false_positives & ours), path.name
        # The labelled misses really are missed by bandit, and we catch them.
        misses = marked(path, "bandit-miss")
        assert not (misses & flagged), path.name
        assert misses <= ours, path.name


def test_we_catch_many_cases_bandit_misses(tmp_path: Path) -> None:
    bandit = _bandit_lines(tmp_path)
    missed = sum(len(marked(p, "bandit-miss") - bandit.get(p.name, set())) for p in corpus_files())
    assert missed >= 30
