"""Checks before any conversion: can this interpreter run coremltools at all, and how well?

Light on purpose: the host checks run in the gate's process without importing torch or
coremltools; the environment checks read the record the converter subprocess sends first.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any

from gates.records import record

# coremltools 9.0 ships cp39-cp313 wheels; later Pythons install without the native libraries.
FIRST_UNSUPPORTED_PYTHON = (3, 14)
# Without these two, an ML program can be neither written nor saved ("BlobWriter not loaded").
CONVERSION_LIBRARIES = ("libmilstoragepython", "libmodelpackage")
PREDICTION_LIBRARY = "libcoremlpython"
INSTALL_HINT = "install them with: pip install 'ml-gates[coreml]' (after torch, see docs/gates/coreml.md)"


@record
class EnvironmentVerdict:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Set when Core ML's prediction library is missing: no parity run, whatever the OS.
    predictor_missing: str | None = None


def host_problem(
    version: tuple[int, ...],
    find_spec: Callable[[str], object | None] = importlib.util.find_spec,
) -> str | None:
    """Why the converter cannot even start here, or None."""
    if tuple(version[:2]) >= FIRST_UNSUPPORTED_PYTHON:
        shown = ".".join(str(v) for v in version[:2])
        return (
            f"Python {shown} is not supported by coremltools 9 (wheels exist for 3.9-3.13 only, and a "
            "source install lacks the native libraries); run this gate with Python 3.13 or older"
        )
    missing = [name for name in ("torch", "coremltools") if find_spec(name) is None]
    if missing:
        return f"{' and '.join(missing)} not installed in this environment; {INSTALL_HINT}"
    return None


def _release(version: str) -> tuple[int, ...] | None:
    found = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", version)
    if not found:
        return None
    return tuple(int(part or 0) for part in found.groups())


def judge_environment(record: Mapping[str, Any]) -> EnvironmentVerdict:
    """Turn the converter's environment record into blocking errors and warnings."""
    verdict = EnvironmentVerdict()
    if record.get("import_error"):
        verdict.errors.append(f"coremltools cannot be imported: {record['import_error']}; {INSTALL_HINT}")
        return verdict
    native: Mapping[str, str | None] = record.get("native") or {}
    for library in CONVERSION_LIBRARIES:
        problem = native.get(library)
        if problem:
            verdict.errors.append(
                f"coremltools' native library {library} is missing ({problem}); ML programs cannot be "
                "written. Reinstall coremltools from a wheel for this platform (Linux x86_64 or macOS, "
                "Python 3.9-3.13)"
            )
    if native.get(PREDICTION_LIBRARY):
        verdict.predictor_missing = (
            f"coremltools.{PREDICTION_LIBRARY} is missing ({native[PREDICTION_LIBRARY]})"
        )
    torch_version = str(record.get("torch") or "")
    tested = str(record.get("torch_max_tested") or "")
    torch_release, tested_release = _release(torch_version), _release(tested)
    if torch_release and tested_release and torch_release > tested_release:
        verdict.warnings.append(
            f"torch {torch_version} is newer than the newest version coremltools "
            f"{record.get('coremltools')} was tested with ({tested}); conversions may fail or differ"
        )
    return verdict
