"""Reading coverage reports: coverage.py JSON, Cobertura XML (via defusedxml) and LCOV.

Every way a report can be unreadable is a :class:`GatesError` naming the file and the
fix; a report is never guessed at or treated as empty.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from gates.checks.coverage.data import CoverageReport, FileCoverage
from gates.errors import GatesError

PRODUCE_HINT = "produce it with 'coverage run -m pytest' then 'coverage json', or set coverage.run"
_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix == ".xml":
        return "cobertura"
    if suffix in (".info", ".lcov"):
        return "lcov"
    stripped = head.lstrip()
    if stripped.startswith(b"{"):
        return "json"
    if stripped.startswith(b"<"):
        return "cobertura"
    if stripped.startswith((b"TN:", b"SF:")):
        return "lcov"
    raise GatesError(
        f"{path}:1:1: not a coverage report I can read; use coverage.py JSON, Cobertura XML or LCOV"
    )


def load_report(path: Path, fmt: str = "auto", display: str | None = None) -> CoverageReport:
    shown = display or str(path)
    if not path.is_file():
        raise GatesError(f"coverage report {shown} not found; {PRODUCE_HINT}")
    data = path.read_bytes()
    if not data.strip():
        raise GatesError(f"{shown}:1:1: the coverage report is empty; {PRODUCE_HINT}")
    chosen = detect_format(path, data[:64]) if fmt == "auto" else fmt
    if chosen == "json":
        return parse_json(data, shown)
    if chosen == "cobertura":
        return parse_cobertura(data, shown)
    return parse_lcov(data.decode("utf-8", "replace"), shown)


def _int_list(value: Any, where: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) for v in value):
        raise GatesError(f"{where}: expected a list of line numbers")
    return value


def _arcs(value: Any, where: str) -> list[tuple[int, int]]:
    if not isinstance(value, list):
        raise GatesError(f"{where}: expected a list of [from, to] arcs")
    arcs: list[tuple[int, int]] = []
    for arc in value:
        if not (isinstance(arc, list) and len(arc) == 2 and all(isinstance(a, int) for a in arc)):
            raise GatesError(f"{where}: expected [from, to] pairs of line numbers")
        arcs.append((arc[0], arc[1]))
    return arcs


def parse_json(data: bytes, shown: str) -> CoverageReport:
    """coverage.py's ``coverage json`` output (formats 2 and 3)."""
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line, column = getattr(exc, "lineno", 1), getattr(exc, "colno", 1)
        raise GatesError(
            f"{shown}:{line}:{column}: not valid JSON ({exc}); regenerate it with 'coverage json'"
        ) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict):
        raise GatesError(
            f"{shown}:1:1: not a coverage.py JSON report (no 'files' object); "
            "regenerate it with 'coverage json'"
        )
    meta_value = doc.get("meta")
    meta: dict[str, Any] = meta_value if isinstance(meta_value, dict) else {}
    branch_measured = bool(meta.get("branch_coverage"))
    files: dict[str, FileCoverage] = {}
    for name, entry in doc["files"].items():
        where = f"{shown}: files[{name!r}]"
        if not isinstance(entry, dict):
            raise GatesError(f"{where}: expected an object")
        executed = set(_int_list(entry.get("executed_lines", []), f"{where}.executed_lines"))
        missing = set(_int_list(entry.get("missing_lines", []), f"{where}.missing_lines"))
        excluded = set(_int_list(entry.get("excluded_lines", []), f"{where}.excluded_lines"))
        cov = FileCoverage(statements=executed | missing, executed=executed, excluded=excluded)
        if branch_measured:
            taken = _arcs(entry.get("executed_branches", []), f"{where}.executed_branches")
            not_taken = _arcs(entry.get("missing_branches", []), f"{where}.missing_branches")
            counts: dict[int, list[int]] = {}
            for source, _ in taken:
                counts.setdefault(source, [0, 0])[0] += 1
                counts[source][1] += 1
            for source, target in not_taken:
                counts.setdefault(source, [0, 0])[1] += 1
                cov.missing_arcs.setdefault(source, []).append(target)
            cov.branches = {line: (pair[0], pair[1]) for line, pair in counts.items()}
        files[str(name)] = cov
    return CoverageReport(shown, "json", files, branch_measured, knows_excluded=True)


def parse_cobertura(data: bytes, shown: str) -> CoverageReport:
    """Cobertura XML from coverage.py or any other tool; ``<class>/<lines>/<line>`` as diff-cover reads."""
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        root = SafeET.fromstring(data)
    except DefusedXmlException as exc:
        raise GatesError(
            f"{shown}:1:1: refused unsafe XML ({type(exc).__name__}); regenerate the report"
        ) from None
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (1, 0))
        raise GatesError(
            f"{shown}:{line}:{column + 1}: not well-formed XML ({exc}); regenerate the report"
        ) from None
    if root.tag != "coverage":
        raise GatesError(f"{shown}:1:1: root element is <{root.tag}>, not Cobertura's <coverage>")
    sources = [s.text.strip() for s in root.iter("source") if s.text and s.text.strip()]
    files: dict[str, FileCoverage] = {}
    any_branch = False
    for clazz in root.iter("class"):
        name = clazz.get("filename")
        if not name:
            continue
        cov = files.setdefault(name.replace("\\", "/"), FileCoverage(set(), set()))
        lines = clazz.find("lines")
        if lines is None:
            continue
        for line in lines.iter("line"):
            try:
                number = int(line.get("number", ""))
                hits = int(line.get("hits", "0"))
            except ValueError:
                raise GatesError(
                    f"{shown}: <line> in {name} has a non-numeric number or hits; regenerate the report"
                ) from None
            cov.statements.add(number)
            if hits > 0:
                cov.executed.add(number)
            if line.get("branch") == "true":
                any_branch = True
                match = _CONDITION.search(line.get("condition-coverage", ""))
                if match:
                    cov.branches[number] = (int(match.group(1)), int(match.group(2)))
                missing = line.get("missing-branches")
                if missing:
                    cov.missing_arcs[number] = [
                        -1 if part.strip() == "exit" else int(part)
                        for part in missing.split(",")
                        if part.strip()
                    ]
    try:
        valid = int(root.get("branches-valid", "0"))
    except ValueError:
        valid = 0
    # coverage.py writes branch-rate="1" with no branches when it measured branches, "0" when it did not.
    measured = any_branch or valid > 0 or root.get("branch-rate") == "1"
    return CoverageReport(shown, "cobertura", files, measured, sources=sources)


def parse_lcov(text: str, shown: str) -> CoverageReport:
    """LCOV tracefiles: ``SF``, ``DA`` and ``BRDA`` records."""
    files: dict[str, FileCoverage] = {}
    current: FileCoverage | None = None
    branch_seen = False
    per_file: dict[str, dict[int, list[int]]] = {}
    per_line: dict[int, list[int]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        try:
            if line.startswith("SF:"):
                name = line[3:].replace("\\", "/")
                current = files.setdefault(name, FileCoverage(set(), set()))
                per_line = per_file.setdefault(name, {})
            elif current is None:
                continue
            elif line.startswith("DA:"):
                parts = line[3:].split(",")
                lineno, hits = int(parts[0]), int(parts[1])
                current.statements.add(lineno)
                if hits > 0:
                    current.executed.add(lineno)
            elif line.startswith("BRDA:"):
                branch_seen = True
                lineno_s, _block, _branch, taken = line[5:].split(",")[:4]
                pair = per_line.setdefault(int(lineno_s), [0, 0])
                pair[1] += 1
                if taken not in ("-", "0"):
                    pair[0] += 1
            elif line == "end_of_record":
                current = None
        except (ValueError, IndexError):
            raise GatesError(
                f"{shown}:{number}:1: malformed LCOV record {line[:40]!r}; regenerate the report"
            ) from None
    for name, lines in per_file.items():
        files[name].branches = {k: (v[0], v[1]) for k, v in lines.items()}
    return CoverageReport(shown, "lcov", files, branch_seen)
