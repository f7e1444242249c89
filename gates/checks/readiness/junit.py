"""Test health from a JUnit XML report (pytest ``--junitxml`` or any runner that writes one).

Parsed with defusedxml: the report is input from a build, never trusted XML. A missing,
empty or corrupt report is an error (``GatesError``), never a 100% pass rate.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import field
from pathlib import Path
from typing import Any, Literal

from gates.errors import GatesError
from gates.records import frozen_record, record
from gates.regular_files import unreadable_reason

Outcome = Literal["passed", "failed", "error", "skipped"]
_TRAILING_TYPE = re.compile(r":\d+: (?:in \S+\s*)?([A-Za-z_][\w.]*)\s*$")
_E_LINE = re.compile(r"^E\s+([A-Za-z_][\w.]*(?:Error|Exception|Exit|Failed|Interrupt|Warning))\b")


@frozen_record
class TestCase:
    module: str  # the test file, repository-relative, as best the report lets us tell
    name: str
    classname: str
    outcome: Outcome
    category: str = ""  # exception type of a failure or error ("AssertionError")
    message: str = ""

    @property
    def directory(self) -> str:
        return posixpath.dirname(self.module) or "."

    @property
    def test_id(self) -> str:
        return f"{self.module}::{self.name}"

    @property
    def problem(self) -> bool:
        return self.outcome in ("failed", "error")


@record
class TestHealth:
    report: str  # the JUnit file, as named in the policy
    cases: list[TestCase] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.cases if c.outcome == outcome)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def executed(self) -> int:
        return len(self.cases) - self.skipped

    @property
    def pass_rate(self) -> float:
        """Passed / executed tests, in percent (skipped tests neither pass nor fail)."""
        return 100.0 * self.passed / self.executed if self.executed else 0.0

    def problems(self) -> list[TestCase]:
        return [c for c in self.cases if c.problem]

    def groups(self, key: Literal["module", "directory", "category"]) -> list[tuple[str, int]]:
        """Failed and erroring tests counted per module, directory or exception type; largest first."""
        counts = Counter(getattr(c, key) or "unknown" for c in self.problems())
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def to_json(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "tests": len(self.cases),
            "passed": self.passed,
            "failed": self.failed,
            "errors": self.errors,
            "skipped": self.skipped,
            "pass_rate": round(self.pass_rate, 2),
            "by_module": [{"module": k, "count": n} for k, n in self.groups("module")],
            "by_directory": [{"directory": k, "count": n} for k, n in self.groups("directory")],
            "by_category": [{"category": k, "count": n} for k, n in self.groups("category")],
        }


def read_junit(root: Path, relative: str) -> TestHealth:
    """Parse ``root/relative``; every way it can be unusable is a GatesError naming the fix."""
    from defusedxml import DefusedXmlException, DTDForbidden
    from defusedxml import ElementTree as SafeET

    path = root / relative
    rerun = f"run the tests with 'pytest --junitxml={relative}' first (policy: readiness.junit_xml)"
    unreadable = unreadable_reason(path)
    if unreadable:
        raise GatesError(f"{relative}: the JUnit report is {unreadable}, not a file; {rerun}")
    if not path.is_file():
        raise GatesError(f"{relative}: JUnit report not found; {rerun}")
    if path.stat().st_size == 0:
        raise GatesError(f"{relative}: JUnit report is empty; {rerun}")
    try:
        # forbid_dtd: a DTD's default attributes can rewrite what every <testcase> says (pytest
        # and other runners never write one).
        tree = SafeET.parse(str(path), forbid_dtd=True)
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (1, 0))
        reason = str(exc).split(":")[0]
        raise GatesError(f"{relative}:{line}:{column}: corrupt JUnit XML ({reason}); {rerun}") from None
    except DTDForbidden:
        raise GatesError(
            f"{relative}: refused unsafe XML: a DOCTYPE declaration (a DTD can rewrite what every <testcase> "
            f"says, and test runners never write one); {rerun}"
        ) from None
    except DefusedXmlException as exc:
        raise GatesError(f"{relative}: refused unsafe XML ({exc}); produce a plain JUnit report") from None
    root_element = tree.getroot()
    if root_element.tag not in ("testsuites", "testsuite"):
        raise GatesError(
            f"{relative}: not a JUnit report (root element <{root_element.tag}>, "
            "expected <testsuites> or <testsuite>); point readiness.junit_xml at the JUnit file"
        )
    resolver = _ModuleResolver(root)
    cases = [_case(element, resolver) for element in root_element.iter("testcase")]
    if not cases:
        raise GatesError(f"{relative}: JUnit report lists no test cases; {rerun}")
    return TestHealth(report=relative, cases=cases)


def _case(element: Any, resolver: _ModuleResolver) -> TestCase:
    classname = element.get("classname", "") or ""
    name = element.get("name", "") or "?"
    # A collection error has no classname; its name is the module ("tests.test_broken").
    module = resolver.module(classname or name, element.get("file"))
    outcome: Outcome = "passed"
    detail = None
    for tag, result in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
        found = element.find(tag)
        if found is not None:
            outcome, detail = result, found  # type: ignore[assignment]
            break
    if detail is None or outcome == "skipped":
        return TestCase(module, name, classname, outcome)
    message = (detail.get("message") or "").strip()
    return TestCase(
        module, name, classname, outcome, _category(detail), message.splitlines()[0] if message else ""
    )


def _category(detail: Any) -> str:
    """The exception type: pytest's last traceback line ``path:12: AssertionError``, else ``type``."""
    text = (detail.text or "").strip()
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    if lines:
        match = _TRAILING_TYPE.search(lines[-1])
        if match:
            return match.group(1)
        for line in reversed(lines):
            e_line = _E_LINE.match(line)
            if e_line:
                return e_line.group(1)
    declared = (detail.get("type") or "").strip()
    if declared:
        return declared.rsplit(".", 1)[-1] if declared.startswith("pytest.") else declared
    message = (detail.get("message") or "").strip()
    if message.startswith("failed on setup"):
        return "setup error"
    if message.startswith("failed on teardown"):
        return "teardown error"
    return "unknown"


class _ModuleResolver:
    """Maps a test's classname (``tests.sub.test_x.TestY``) to its file (``tests/sub/test_x.py``)."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, str] = {}

    def module(self, classname: str, file_attribute: str | None) -> str:
        if file_attribute:
            return Path(file_attribute).as_posix().removeprefix("./")
        if classname not in self._cache:
            self._cache[classname] = self._resolve(classname)
        return self._cache[classname]

    def _resolve(self, classname: str) -> str:
        parts = [p for p in classname.split(".") if p]
        if not parts:
            return "unknown"
        for end in range(len(parts), 0, -1):
            candidate = "/".join(parts[:end]) + ".py"
            if (self._root / candidate).is_file():
                return candidate
        # Not on disk (a report from elsewhere): drop trailing class names (CapWords).
        while len(parts) > 1 and parts[-1][:1].isupper():
            parts.pop()
        return "/".join(parts) + ".py"
