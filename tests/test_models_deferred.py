"""Loaders handed over as functions (deferred.py): where the function sits in each caller."""

from __future__ import annotations

from pathlib import Path

from gates.checks.models.analyzer import analyze_file
from gates.checks.models.calls import AnalysisSettings


def _rules(tmp_path: Path, source: str) -> list[tuple[str, int]]:
    analysis = analyze_file(tmp_path, "a.py", source.encode(), AnalysisSettings())
    return [(f.rule, f.line) for f in analysis.findings]


def test_run_in_executor_takes_the_function_second(tmp_path: Path) -> None:
    source = (
        "import torch\n\nasync def load(loop, p):\n"
        "    return await loop.run_in_executor(None, torch.load, p)\n"
    )
    assert _rules(tmp_path, source) == [("MS101", 4)]


def test_a_partial_with_weights_only_handed_over_is_safe(tmp_path: Path) -> None:
    source = (
        "import functools\nimport torch\n\n"
        "safe = functools.partial(torch.load, weights_only=True)\n"
        "def load_all(pool, paths):\n    return pool.map(safe, paths)\n"
    )
    assert _rules(tmp_path, source) == []


def test_other_callables_handed_over_are_not_looked_at(tmp_path: Path) -> None:
    source = "import torch\n\ndef f(pool, xs):\n    return pool.map(torch.zeros, xs), pool.submit(len, xs)\n"
    assert _rules(tmp_path, source) == []
