from __future__ import annotations

from pathlib import Path

import pytest

from gates.checks.mutation.scope import escape_glob, resolve_scope
from gates.errors import GatesError
from gates.policy.paths import Paths
from gates.policy.sections.mutation import MutationSection


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name in (
        "src/pkg/__init__.py",
        "src/pkg/core.py",
        "src/pkg/io[x].py",
        "tools/run.py",
        "tests/test_core.py",
        "tests/conftest.py",
        "single.py",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("def f():\n    return 1\n")
    return tmp_path


def test_critical_paths_are_the_default_and_whole_packages_are_copied(project: Path) -> None:
    paths = Paths(source=["."], critical=["src/pkg/core.py"])
    scope = resolve_scope(project, paths, MutationSection(), None)
    assert scope.files == ["src/pkg/core.py"]
    assert scope.origin == "paths.critical"
    assert scope.source_paths == ["src"]
    assert scope.do_not_mutate == ["src/pkg/__init__.py", "src/pkg/io[[]x[]].py"]
    assert scope.test_selection == ["tests/"]
    assert scope.test_files == ["tests/conftest.py", "tests/test_core.py"]  # the doctor reads their imports


def test_mutation_paths_win_and_tests_are_never_mutated(project: Path) -> None:
    paths = Paths(source=["."], critical=["src/"])
    section = MutationSection(
        paths=["tools/", "single.py", "tests/"], tests=["tests/test_core.py", "-k", "f"]
    )
    scope = resolve_scope(project, paths, section, None)
    assert scope.files == ["single.py", "tools/run.py"]
    assert scope.source_paths == ["single.py", "tools"]
    assert scope.test_selection == ["tests/test_core.py", "-k", "f"]


def test_explicit_files_are_kept_only_inside_the_scope(project: Path) -> None:
    paths = Paths(source=["."], critical=["src/"])
    scope = resolve_scope(project, paths, MutationSection(), ["src/pkg/core.py", "tools/run.py"])
    assert scope.files == ["src/pkg/core.py"]
    outside = resolve_scope(project, paths, MutationSection(), ["tools/run.py"])
    assert outside.files == []


def test_nothing_to_mutate_or_no_tests_are_usage_errors(project: Path) -> None:
    with pytest.raises(GatesError, match="matches no Python file"):
        resolve_scope(project, Paths(critical=["nowhere/"]), MutationSection(), None)
    with pytest.raises(GatesError, match="no tests to run"):
        resolve_scope(project, Paths(critical=["src/"], tests=["missing/"]), MutationSection(), None)


def test_escape_glob_keeps_special_characters_literal() -> None:
    import fnmatch

    escaped = escape_glob("a/[b]*?.py")
    assert fnmatch.fnmatch("a/[b]*?.py", escaped)
    assert not fnmatch.fnmatch("a/bxx.py", escaped)
