"""Naming the op that coremltools could not convert, from its exception and its log."""

from __future__ import annotations

import re
from collections.abc import Sequence

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
