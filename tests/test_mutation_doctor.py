from __future__ import annotations

from pathlib import Path

from gates.checks.mutation.doctor import (
    ERROR,
    FIXED,
    WARNING,
    check_platform,
    check_pytest_cov,
    check_pythonpath,
    check_version,
    missing_also_copy,
)


def test_windows_points_to_wsl() -> None:
    found = check_platform("Windows")
    assert found is not None and found.level == ERROR and "WSL" in found.message
    assert check_platform("Linux") is None


def test_unsupported_or_missing_mutmut_versions() -> None:
    assert check_version("3.8.1") is None
    assert check_version("3.5.0", pytest_version="8.3.0") is None
    for bad in ("2.4.5", "4.0.0", "3.4.1"):
        found = check_version(bad)
        assert found is not None and found.level == ERROR and bad in found.message
    missing = check_version(None)
    assert missing is not None and "pip install" in missing.message


def test_pytest_cov_in_addopts_is_found_in_each_config_file(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\naddopts = -q --cov=pkg --cov-report=xml\n")
    warning = check_pytest_cov(tmp_path, [], fixing=False)
    assert warning is not None and warning.level == WARNING and "setup.cfg" in warning.message
    fixed = check_pytest_cov(tmp_path, [], fixing=True)
    assert fixed is not None and fixed.level == FIXED and "--no-cov" in fixed.message
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\naddopts = -q --cov=pkg --no-cov\n")
    assert check_pytest_cov(tmp_path, [], fixing=False) is None
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = ["--cov", "pkg"]\n')
    assert check_pytest_cov(tmp_path, [], fixing=False) is not None
    assert check_pytest_cov(tmp_path / "empty", ["--cov=x"], fixing=False) is not None


def test_missing_also_copy_finds_root_conftest_ini_and_local_helpers(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text("")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (tmp_path / "fixtures.py").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text(
        "import os\nimport helpers.x\nfrom fixtures import f\nfrom pkg import a\nfrom . import rel\n"
    )
    missing = missing_also_copy(tmp_path, ["pkg"], [], ["tests/test_a.py"])
    assert missing == ["pytest.ini", "conftest.py", "fixtures.py", "helpers"]
    assert (
        missing_also_copy(
            tmp_path, ["pkg"], ["conftest.py", "pytest.ini", "helpers/", "fixtures.py"], ["tests/test_a.py"]
        )
        == []
    )


def test_pytest_pythonpath_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\npythonpath = ["src"]\n')
    found = check_pythonpath(tmp_path)
    assert found is not None and "no tests" in found.message


def test_old_mutmut_with_pytest_9_is_refused() -> None:
    found = check_version("3.7.0", pytest_version="9.2.0")
    assert found is not None and "pytest 9" in found.message and "3.8.1" in found.message
    assert check_version("3.7.0", pytest_version="8.3.0") is None
    assert check_version("3.8.1", pytest_version="9.2.0") is None
