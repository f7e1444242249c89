"""Naming the op that coremltools could not convert, from its exception and its log."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# The frontend logs this line for every failure inside an op converter (both capture paths).
_LOGGED = re.compile(r"ERROR - converting '(?P<op>[^']+)' op \(located at: '(?P<location>[^']*)'\)")
# Exception texts of coremltools 9 for an op it has no converter or lowering for.
_RAISED = (
    re.compile(r"convert function for op '(?P<op>[^']+)' not implemented"),
    re.compile(r"Unsupported fx node (?P<op>[^\s,]+)"),
    re.compile(r"lowering for Torch `(?P<op>[^`]+)` op is not supported"),
    re.compile(r"^ValueError: node (?P<op>\S+) \("),
)


def unsupported_op(message: str, log: Sequence[str] = ()) -> tuple[str | None, str | None]:
    """(op, location in the module tree) or Nones when the failure is not about one op."""
    for line in log:
        found = _LOGGED.search(line)
        if found:
            return found["op"], found["location"] or None
    for pattern in _RAISED:
        found = pattern.search(message)
        if found:
            return found["op"], None
    return None, None


# numpy 2.4 made int()/float() of a 1-element, non-0-d array an error; coremltools 9.0's torch
# frontend relies on it (apple/coremltools#2633), so aten::Int fails as an "'int' op" failure.
_NUMPY_SCALAR = "only 0-dimensional arrays can be converted to Python scalars"
FIRST_BREAKING_NUMPY = (2, 4)


def numpy_incompatibility(message: str, environment: Mapping[str, object]) -> str | None:
    """The versions to name when a failure is coremltools meeting a numpy it does not support."""
    numpy_version = str(environment.get("numpy") or "")
    found = re.match(r"(\d+)\.(\d+)", numpy_version)
    if _NUMPY_SCALAR not in message or not found:
        return None
    if (int(found[1]), int(found[2])) < FIRST_BREAKING_NUMPY:
        return None
    coremltools_version = environment.get("coremltools") or "?"
    return (
        f"coremltools {coremltools_version} does not support numpy {numpy_version} (numpy 2.4 made int() of "
        f"a 1-element array an error, which coremltools' converter relies on): {message}; install "
        "'numpy<2.4' (pip install 'numpy<2.4', as the ml-gates[coreml] extra pins it) and rerun"
    )
