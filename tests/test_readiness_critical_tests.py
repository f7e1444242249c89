"""Mapping tests to critical paths by name and folder, plus explicit globs."""

from __future__ import annotations

import pytest

from gates.checks.readiness.critical_tests import CriticalTests, subject_of


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("gates/runner.py", "runner"),
        ("gates/policy/", "policy"),
        ("src/pkg/training/**", "training"),
        ("src/pkg/loader/__init__.py", "loader"),
        ("**/*.py", None),
    ],
)
def test_subject_of(pattern: str, subject: str | None) -> None:
    assert subject_of(pattern) == subject


def test_tests_map_by_file_name_folder_or_glob() -> None:
    mapping = CriticalTests(["gates/runner.py", "src/training/"], ["tests/smoke/*.py"])
    assert mapping.critical_path_of("tests/test_runner.py") == "gates/runner.py"
    assert mapping.critical_path_of("tests/test_runner_waivers.py") == "gates/runner.py"
    assert mapping.critical_path_of("tests/training/test_loop.py") == "src/training/"
    assert mapping.critical_path_of("tests/training_test.py") == "src/training/"
    assert mapping.critical_path_of("tests/smoke/test_all.py") == "(readiness.critical_tests)"
    assert mapping.critical_path_of("tests/test_runners_other.py") is None
    assert mapping.critical_path_of("tests/test_cli.py") is None


def test_modules_directly_in_a_critical_folder_name_tests_too() -> None:
    files = ["src/core/io.py", "src/core/__init__.py", "src/core/deep/cache.py", "src/other.py"]
    mapping = CriticalTests(["src/core/"], [], files)
    assert mapping.critical_path_of("tests/test_io.py") == "src/core/"
    assert mapping.critical_path_of("tests/test_core.py") == "src/core/"
    assert mapping.critical_path_of("tests/test_cache.py") is None  # not directly in the folder
    assert mapping.critical_path_of("tests/test_other.py") is None
