from __future__ import annotations

import sys
from pathlib import Path

import pytest

from gates.checks.mutation.config import (
    RunSettings,
    merged_settings,
    parse_version,
    read_user_settings,
    render_pyproject,
    without_mutmut_table,
    write_run_config,
)
from gates.errors import ToolError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

RUN = RunSettings(
    source_paths=["pkg"],
    do_not_mutate=["pkg/other.py"],
    test_selection=["tests/test_a.py"],
    pytest_args=["--no-cov"],
    also_copy=["conftest.py"],
)


def test_versions_parse_with_suffixes() -> None:
    assert parse_version("3.8.1") == (3, 8, 1)
    assert parse_version("3.6.0rc1") == (3, 6, 0)


def test_new_mutmut_gets_source_paths_and_old_key_names_are_dropped() -> None:
    user = {"paths_to_mutate": ["x"], "tests_dir": ["t/"], "timeout_constant": 2.0, "also_copy": ["data/"]}
    merged = merged_settings(user, RUN, (3, 8, 1))
    assert merged["source_paths"] == ["pkg"]
    assert "paths_to_mutate" not in merged and "tests_dir" not in merged
    assert merged["pytest_add_cli_args_test_selection"] == ["tests/test_a.py"]
    assert merged["timeout_constant"] == 2.0
    assert merged["also_copy"] == ["data/", "conftest.py"]
    assert merged["pytest_add_cli_args"] == ["--no-cov"]


def test_old_mutmut_gets_paths_to_mutate() -> None:
    merged = merged_settings({"source_paths": ["y"]}, RUN, (3, 5, 0))
    assert merged["paths_to_mutate"] == ["pkg"]
    assert "source_paths" not in merged


def test_user_do_not_mutate_is_kept_and_extended() -> None:
    merged = merged_settings({"do_not_mutate": ["pkg/gen_*"]}, RUN, (3, 8, 1))
    assert merged["do_not_mutate"] == ["pkg/gen_*", "pkg/other.py"]


PYPROJECT = """\
[project]
name = "demo"

[tool.mutmut]
paths_to_mutate = [
    "src",
]
debug = true

[tool.mutmut.extra]
a = 1

[tool.pytest.ini_options]
addopts = "-q"
"""


def test_the_mutmut_table_is_replaced_and_everything_else_kept() -> None:
    text = render_pyproject(PYPROJECT, {"source_paths": ["pkg"], "debug": False})
    data = tomllib.loads(text)
    assert data["tool"]["mutmut"] == {"source_paths": ["pkg"], "debug": False}
    assert data["tool"]["pytest"]["ini_options"]["addopts"] == "-q"
    assert data["project"]["name"] == "demo"


def test_without_mutmut_table_removes_sub_tables_too() -> None:
    stripped = without_mutmut_table(PYPROJECT)
    assert "mutmut" not in stripped and "[tool.pytest.ini_options]" in stripped


def test_dotted_mutmut_keys_are_a_clear_error() -> None:
    with pytest.raises(ToolError, match=r"one \[tool.mutmut\] table"):
        render_pyproject('[tool]\nmutmut.source_paths = ["x"]\n', {"source_paths": ["pkg"]})


def test_settings_with_odd_characters_round_trip() -> None:
    value = ['a "quoted" path', "back\\slash", "ünï"]
    text = render_pyproject(None, {"also_copy": value})
    assert tomllib.loads(text)["tool"]["mutmut"]["also_copy"] == value


def test_user_settings_come_from_setup_cfg_without_a_pyproject_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / "setup.cfg").write_text("[mutmut]\npaths_to_mutate=\n  src\n  lib\ndebug=true\n")
    settings, origin = read_user_settings(tmp_path)
    assert origin == "setup.cfg [mutmut]"
    assert settings == {"paths_to_mutate": ["src", "lib"], "debug": True}


def test_write_run_config_replaces_the_file_instead_of_writing_through_it(tmp_path: Path) -> None:
    original = tmp_path / "original.toml"
    original.write_text(PYPROJECT)
    work = tmp_path / "work"
    work.mkdir()
    (work / "pyproject.toml").hardlink_to(original)
    write_run_config(work, {"source_paths": ["pkg"]})
    assert original.read_text() == PYPROJECT
    assert "source_paths" in (work / "pyproject.toml").read_text()
