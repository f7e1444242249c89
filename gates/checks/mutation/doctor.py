"""``gates mutation doctor``: the setup problems that make mutmut runs fail or lie.

It runs before every mutation run (problems it can fix for the run, it fixes in the work
copy's settings and says so) and on its own, where it only reports.
"""

from __future__ import annotations

import ast
import configparser
import platform
import shlex
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import field
from pathlib import Path
from typing import Any

from gates.records import frozen_record, record

from .config import parse_version
from .process import INSTALL_HINT, installed_mutmut_version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SUPPORTED = ((3, 5), (4, 0))  # [low, high); tested with 3.8.1 (and 3.5.0/3.6.0 up to pytest 9)
PYTEST9_NEEDS = (3, 8)
ERROR = "error"
WARNING = "warning"
FIXED = "fixed"
NOTE = "note"
# mutmut copies these into mutants/ on its own.
MUTMUT_COPIES = ("tests", "test", "setup.cfg", "pyproject.toml")
PYTEST_CONFIGS = ("pytest.ini", ".pytest.ini", "tox.ini", "conftest.py")


@frozen_record
class Diagnosis:
    level: str  # error | warning | fixed
    check: str
    message: str


@record
class DoctorReport:
    diagnoses: list[Diagnosis] = field(default_factory=list)
    also_copy: list[str] = field(default_factory=list)  # what the run must add
    needs_no_cov: bool = False

    @property
    def errors(self) -> list[Diagnosis]:
        return [d for d in self.diagnoses if d.level == ERROR]


def check_platform(system: str | None = None) -> Diagnosis | None:
    if (system or platform.system()) == "Windows":
        return Diagnosis(
            ERROR,
            "windows",
            "mutmut 3 does not run on native Windows (mutmut issue #397): run the gate under WSL "
            "or in a Linux CI job",
        )
    return None


def _pytest_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("pytest")
    except metadata.PackageNotFoundError:
        return None


def check_version(version: str | None, pytest_version: str | None = None) -> Diagnosis | None:
    if version is None:
        return Diagnosis(ERROR, "mutmut-version", f"mutmut is not installed; {INSTALL_HINT}")
    parsed = parse_version(version)
    low, high = SUPPORTED
    if not low <= parsed < high:
        return Diagnosis(
            ERROR,
            "mutmut-version",
            f"mutmut {version} is not supported (need >= {'.'.join(map(str, low))}, < "
            f"{'.'.join(map(str, high))}); install it with: pip install 'mutmut==3.8.1'",
        )
    # mutmut before 3.8 reads pytest's private Item._nodeid, which pytest 9 removed: every
    # stats run then crashes inside mutmut (checked with 3.5.0, 3.6.0 and 3.7.0).
    pytest_version = pytest_version or _pytest_version()
    if parsed < PYTEST9_NEEDS and pytest_version and parse_version(pytest_version) >= (9,):
        return Diagnosis(
            ERROR,
            "mutmut-version",
            f"mutmut {version} does not work with pytest {pytest_version} (it reads Item._nodeid, "
            "removed in pytest 9); upgrade with: pip install 'mutmut==3.8.1'",
        )
    return None


def pytest_addopts(root: Path) -> list[tuple[str, list[str]]]:
    """(file, addopts tokens) from every pytest config file in ``root``."""
    found: list[tuple[str, list[str]]] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            data = {}
        options: Any = data.get("tool", {}).get("pytest", {}).get("ini_options", {})
        addopts = options.get("addopts") if isinstance(options, dict) else None
        if isinstance(addopts, str):
            found.append(("pyproject.toml", shlex.split(addopts)))
        elif isinstance(addopts, list):
            found.append(("pyproject.toml", [str(a) for a in addopts]))
    for name, section in (("pytest.ini", "pytest"), ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest")):
        path = root / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_option(section, "addopts"):
            found.append((name, shlex.split(parser.get(section, "addopts"))))
    return found


def _uses_cov(tokens: Iterable[str]) -> bool:
    return any(t.startswith("--cov") for t in tokens) and "--no-cov" not in tokens


def check_pytest_cov(root: Path, extra_args: list[str], *, fixing: bool) -> Diagnosis | None:
    for name, tokens in [*pytest_addopts(root), ("mutation.pytest_args", extra_args)]:
        if _uses_cov(tokens):
            if fixing:
                return Diagnosis(
                    FIXED,
                    "pytest-cov",
                    f"pytest-cov is on in {name} addopts; the gate adds --no-cov to mutmut's pytest runs",
                )
            return Diagnosis(
                WARNING,
                "pytest-cov",
                f"pytest-cov is on in {name} addopts, which slows mutmut down and breaks its runs "
                '(mutmut #398); add pytest_add_cli_args = ["--no-cov"] to [tool.mutmut] '
                "(the gate does this for its own runs)",
            )
    return None


def check_pythonpath(root: Path) -> Diagnosis | None:
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return None
    options = data.get("tool", {}).get("pytest", {}).get("ini_options", {})
    if isinstance(options, dict) and options.get("pythonpath"):
        return Diagnosis(
            WARNING,
            "pythonpath",
            "pytest's 'pythonpath' setting lets tests import the original code instead of mutmut's "
            "mutants/ copy, so every mutant can end up 'no tests'; import the package by its full name",
        )
    return None


def _local_imports(test_file: Path) -> set[str]:
    try:
        tree = ast.parse(test_file.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def missing_also_copy(
    root: Path, source_paths: list[str], also_copy: list[str], test_files: list[str]
) -> list[str]:
    """Files the tests need that mutmut would not copy into mutants/ (a ModuleNotFoundError later)."""
    covered = {Path(p).parts[0] for p in [*source_paths, *also_copy, *MUTMUT_COPIES] if p}
    covered |= {p.rstrip("/") for p in also_copy}
    missing: list[str] = []
    for config in PYTEST_CONFIGS:
        if (root / config).is_file() and config not in covered:
            missing.append(config)
    imported: set[str] = set()
    for test in test_files:
        imported |= _local_imports(root / test)
    for name in sorted(imported):
        for candidate in (name, f"{name}.py"):
            path = root / candidate
            is_module = path.is_file() or (path.is_dir() and any(path.glob("*.py")))
            if is_module and candidate not in covered and name not in covered:
                missing.append(candidate)
    for pattern in ("test*.py",):
        covered |= {p.name for p in root.glob(pattern)}
    return [m for m in missing if m not in covered]


def check_gitignore(root: Path) -> Diagnosis | None:
    try:
        proc = subprocess.run(
            ["git", "check-ignore", "-q", "mutants/"], cwd=root, capture_output=True, check=False
        )
    except OSError:
        return None
    if proc.returncode == 1:
        return Diagnosis(
            WARNING,
            "gitignore",
            "mutants/ is not in .gitignore: a local 'mutmut run' would leave thousands of files to "
            "commit by mistake; add 'mutants/' to .gitignore",
        )
    return None


def check_ignored_files(
    root: Path, source_paths: list[str], also_copy: list[str], *, fixing: bool
) -> Diagnosis | None:
    """Git-ignored files mutmut copies (a generated ``_version.py``): the work copy needs them."""
    from .workspace import MUTMUT_ALSO_COPIES, ignored_files

    found = ignored_files(root, [*source_paths, *MUTMUT_ALSO_COPIES, *also_copy])
    if not found:
        return None
    shown = ", ".join(found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3 else "")
    what = f"{len(found)} git-ignored file(s) in what mutmut copies ({shown})"
    if fixing:
        return Diagnosis(
            FIXED, "ignored-files", f"{what}; the gate copies them into its work copy, as mutmut does"
        )
    return Diagnosis(
        NOTE,
        "ignored-files",
        f"{what}: the gate copies them into its work copy, as mutmut does; generate them "
        "(e.g. install the package) before the gate runs in CI",
    )


def diagnose(
    root: Path,
    *,
    source_paths: list[str],
    also_copy: list[str],
    test_files: list[str],
    pytest_args: list[str],
    fixing: bool,
    system: str | None = None,
) -> DoctorReport:
    """Every check; with ``fixing`` the run's own fixes are listed as ``fixed``."""
    report = DoctorReport()
    for found in (check_platform(system), check_version(installed_mutmut_version())):
        if found:
            report.diagnoses.append(found)
    cov = check_pytest_cov(root, pytest_args, fixing=fixing)
    if cov:
        report.diagnoses.append(cov)
        report.needs_no_cov = True
    missing = missing_also_copy(root, source_paths, also_copy, test_files)
    if missing:
        report.also_copy = missing
        listed = ", ".join(missing)
        if fixing:
            report.diagnoses.append(
                Diagnosis(
                    FIXED,
                    "also-copy",
                    f"the tests need {listed}, which mutmut would not copy; "
                    "the gate adds them to also_copy (list them in mutation.also_copy to be explicit)",
                )
            )
        else:
            report.diagnoses.append(
                Diagnosis(
                    WARNING,
                    "also-copy",
                    f"the tests need {listed}, which mutmut does not copy into "
                    "mutants/ (a ModuleNotFoundError in the clean run); add them to also_copy "
                    "in [tool.mutmut] or mutation.also_copy",
                )
            )
    ignored = check_ignored_files(root, source_paths, also_copy, fixing=fixing)
    for found in (check_pythonpath(root), check_gitignore(root), ignored):
        if found:
            report.diagnoses.append(found)
    return report
