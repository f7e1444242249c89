"""The per-directory scope shortcut decides exactly as the shared path rules do."""

from __future__ import annotations

import pytest

from gates.checks.coverage.scope import Scope
from gates.policy.paths import Paths, is_source, matches_any

FILES = [
    "setup.py",
    "pkg/a.py",
    "pkg/sub/b.py",
    "pkg/tests/test_a.py",
    "build/pkg/a.py",
    "other/x.py",
    "other/node_modules/y.py",
    "docs/conf.py",
    "pkg/tests",
]


@pytest.mark.parametrize(
    ("source", "exclude", "omit"),
    [
        (["."], [".venv/", "build/", "**/node_modules/"], []),
        (["pkg/", "other/"], ["build/"], ["pkg/tests/"]),
        (["pkg/"], ["*.py"], []),  # a file pattern: no shortcut
        (["."], [], ["**/test_*.py", "setup.py"]),
    ],
)
def test_scope_matches_the_shared_rules(source: list[str], exclude: list[str], omit: list[str]) -> None:
    paths = Paths(source=source, exclude=exclude)
    scope = Scope(paths, omit)
    for path in FILES:
        expected = is_source(path, paths) and not (omit and matches_any(path, omit))
        assert scope(path) == expected, path
