"""Preflight: interpreter, installed packages, native libraries, torch newer than tested."""

from __future__ import annotations

from gates.checks.coreml.preflight import host_problem, judge_environment


def _found(name: str) -> object:
    return object()


def test_python_314_has_no_coremltools_wheel() -> None:
    problem = host_problem((3, 14), find_spec=_found)
    assert problem is not None
    assert "Python 3.14 is not supported by coremltools 9" in problem
    assert host_problem((3, 13), find_spec=_found) is None


def test_missing_packages_name_the_extra() -> None:
    problem = host_problem((3, 11), find_spec=lambda name: None if name == "coremltools" else object())
    assert problem is not None
    assert problem.startswith("coremltools not installed")
    assert "ml-gates[coreml]" in problem


def _record(**overrides: object) -> dict[str, object]:
    record: dict[str, object] = {
        "torch": "2.7.0",
        "coremltools": "9.0",
        "torch_max_tested": "2.7.0",
        "native": {"libmilstoragepython": None, "libmodelpackage": None, "libcoremlpython": None},
    }
    record.update(overrides)
    return record


def test_clean_environment() -> None:
    verdict = judge_environment(_record())
    assert (verdict.errors, verdict.warnings, verdict.predictor_missing) == ([], [], None)


def test_torch_newer_than_tested_is_a_warning() -> None:
    verdict = judge_environment(_record(torch="2.13.0+cpu"))
    assert verdict.errors == []
    assert verdict.warnings == [
        "torch 2.13.0+cpu is newer than the newest version coremltools 9.0 was tested with (2.7.0); "
        "conversions may fail or differ"
    ]
    assert judge_environment(_record(torch="2.7.1")).warnings  # patch releases count too


def test_missing_storage_library_is_an_error() -> None:
    native = {
        "libmilstoragepython": "ModuleNotFoundError: No module named 'coremltools.libmilstoragepython'",
        "libmodelpackage": None,
        "libcoremlpython": "ModuleNotFoundError: x",
    }
    verdict = judge_environment(_record(native=native))
    assert len(verdict.errors) == 1
    assert "libmilstoragepython is missing" in verdict.errors[0]
    assert verdict.predictor_missing == "coremltools.libcoremlpython is missing (ModuleNotFoundError: x)"


def test_import_failure_is_an_error() -> None:
    verdict = judge_environment({"torch": "2.7.0", "import_error": "ImportError: libstdc++"})
    assert verdict.errors == [
        "coremltools cannot be imported: ImportError: libstdc++; install them with: pip install "
        "'ml-gates[coreml]' (after torch, see docs/gates/coreml.md)"
    ]
