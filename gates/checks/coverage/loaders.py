"""Reading coverage reports: coverage.py JSON, Cobertura XML (via defusedxml) and LCOV.

Every way a report can be unreadable is a :class:`GatesError` naming the file and the
fix; a report is never guessed at or treated as empty.
"""

from __future__ import annotations

import json
import re
from itertools import chain
from pathlib import Path
from typing import Any

from gates.checks.coverage.data import CoverageReport, FileCoverage
from gates.errors import GatesError
from gates.regular_files import unreadable_reason

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
    unreadable = unreadable_reason(path)
    if unreadable:
        raise GatesError(f"coverage report {shown} is {unreadable}, not a file; {PRODUCE_HINT}")
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


def _line_list(value: Any, where: str) -> list[int]:
    if not isinstance(value, list):
        raise GatesError(
            f"{where}: expected a list of line numbers; regenerate the report with 'coverage json'"
        )
    numbers: list[int] = value
    return numbers


def _check_lines(where: str, lists: dict[str, list[int]]) -> None:
    """Distinct positive line numbers, as coverage.py writes them, and no line in two of the lists.

    Every count is a len() of these lists, so a repeated number or a ``true`` entry (an int
    to Python) would raise a file's coverage: 50% read as 90%. The checks run over all the
    lists at once in C (map, set, min); a loop per element would cost a large report dearly.
    """
    combined = list(chain.from_iterable(lists.values()))
    if not combined:
        return
    if set(map(type, combined)) == {int} and min(combined) >= 1 and len(set(combined)) == len(combined):
        return
    for key, numbers in lists.items():  # the error path: say which list and which entry
        bad = next((v for v in numbers if type(v) is not int or v < 1), None)
        if bad is not None:
            raise GatesError(
                f"{where}.{key}: expected a list of line numbers, each once; {json.dumps(bad)} is not a "
                "line number; regenerate the report with 'coverage json'"
            )
        if len(set(numbers)) != len(numbers):
            raise GatesError(
                f"{where}.{key}: expected a list of line numbers, each once; {_first_repeat(numbers)} is "
                "listed twice; regenerate the report with 'coverage json'"
            )
    both = min(set.intersection(*(set(numbers) for numbers in lists.values())))
    names = " and ".join(key.split("_")[0] for key in lists)
    raise GatesError(f"{where}: line {both} is both {names}; regenerate the report with 'coverage json'")


def _first_repeat(values: list[Any]) -> Any:
    seen: set[Any] = set()
    for v in values:
        if v in seen:
            return v
        seen.add(v)
    return None


def _arcs(value: Any, where: str) -> list[tuple[int, int]]:
    if not isinstance(value, list):
        raise GatesError(f"{where}: expected a list of [from, to] arcs")
    arcs: list[tuple[int, int]] = []
    for arc in value:
        # type() rather than isinstance(): true is an int to isinstance, and a branch to no line.
        if not (isinstance(arc, list) and len(arc) == 2 and all(type(a) is int for a in arc)):
            raise GatesError(f"{where}: expected [from, to] pairs of line numbers, got {json.dumps(arc)}")
        arcs.append((arc[0], arc[1]))
    if len(set(arcs)) != len(arcs):
        source, target = _first_repeat(arcs)
        raise GatesError(
            f"{where}: the arc [{source}, {target}] is listed twice; "
            "regenerate the report with 'coverage json'"
        )
    return arcs


def parse_json(data: bytes, shown: str) -> CoverageReport:
    """coverage.py's ``coverage json`` output (formats 2 and 3)."""
    try:
        doc = json.loads(data)
    except RecursionError:
        raise GatesError(
            f"{shown}:1:1: nested too deeply to be a coverage report; regenerate it with 'coverage json'"
        ) from None
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
        executed = _line_list(entry.get("executed_lines", []), f"{where}.executed_lines")
        missing = _line_list(entry.get("missing_lines", []), f"{where}.missing_lines")
        excluded = _line_list(entry.get("excluded_lines", []), f"{where}.excluded_lines")
        _check_lines(where, {"executed_lines": executed, "missing_lines": missing})
        if excluded:
            _check_lines(where, {"excluded_lines": excluded})
        cov = FileCoverage.from_lists(executed, missing, excluded)
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


class _CoberturaHandler:
    """Streaming expat callbacks: only <coverage>, <source>, <class> and its <lines>/<line> matter.

    A tree would hold every <line> as an object (a million for a large report); the
    callbacks keep only the numbers. Lines under <methods> repeat the class's and are
    skipped, as diff-cover skips them.

    Callbacks cost as much as parsing, so the end-of-element and character-data handlers
    are installed only inside <methods> and <source>, the two places that need them. A
    class's <lines> need no end event: nothing after them in a <class> holds a <line>,
    and the next <class> resets the target.
    """

    def __init__(self, shown: str, parser: Any) -> None:
        self.shown = shown
        self.parser = parser
        self.files: dict[str, FileCoverage] = {}
        self.sources: list[str] = []
        self.root_attrs: dict[str, str] | None = None
        self.any_branch = False
        self._class: FileCoverage | None = None
        self._in_methods = False
        # The file whose <lines> we are in (None under <methods> or outside a class).
        self._target: FileCoverage | None = None
        self._statements: set[int] = set()
        self._executed: set[int] = set()
        self._text: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        target = self._target
        if tag == "line" and target is not None:  # the hot path: once per line of the report
            try:
                number = int(attrs["number"])
                hit = attrs.get("hits", "0") != "0" and int(attrs["hits"]) > 0
            except (KeyError, ValueError):
                raise GatesError(
                    f"{self.shown}: a <line> has a missing or non-numeric number or hits; "
                    "regenerate the report"
                ) from None
            self._statements.add(number)
            if hit:
                self._executed.add(number)
            if "branch" in attrs and attrs["branch"] == "true":
                self._branch(target, number, attrs)
        elif tag == "lines":
            if self._class is not None and not self._in_methods:
                self._target = self._class
                self._statements = self._class.statements
                self._executed = self._class.executed
        elif tag == "class":
            name = attrs.get("filename")
            self._target = None
            self._class = (
                self.files.setdefault(name.replace("\\", "/"), FileCoverage(set(), set())) if name else None
            )
        elif tag == "methods":
            self._target = None
            self._in_methods = True
            self.parser.EndElementHandler = self.end
        elif tag == "source":
            self._text = []
            self.parser.CharacterDataHandler = self._text.append
            self.parser.EndElementHandler = self.end
        elif self.root_attrs is None:
            if tag != "coverage":
                raise GatesError(f"{self.shown}:1:1: root element is <{tag}>, not Cobertura's <coverage>")
            self.root_attrs = attrs
        if self.root_attrs is None:
            raise GatesError(f"{self.shown}:1:1: root element is <{tag}>, not Cobertura's <coverage>")

    def end(self, tag: str) -> None:
        if tag == "methods":
            self._in_methods = False
            self.parser.EndElementHandler = None
        elif tag == "source":
            self.parser.CharacterDataHandler = None
            self.parser.EndElementHandler = None
            text = "".join(self._text).strip()
            if text:
                self.sources.append(text)

    def _branch(self, cov: FileCoverage, number: int, attrs: dict[str, str]) -> None:
        self.any_branch = True
        match = _CONDITION.search(attrs.get("condition-coverage", ""))
        if match:
            cov.branches[number] = (int(match.group(1)), int(match.group(2)))
        missing = attrs.get("missing-branches")
        if missing:
            cov.missing_arcs[number] = [
                -1 if part.strip() == "exit" else int(part) for part in missing.split(",") if part.strip()
            ]


def _refuse(kind: type[Exception], *args: object) -> None:
    raise kind(*args)


def _refuse_external(context: str, base: str | None, sysid: str | None, pubid: str | None) -> int:
    from defusedxml import ExternalReferenceForbidden

    raise ExternalReferenceForbidden(context, base, sysid, pubid)


def parse_cobertura(data: bytes, shown: str) -> CoverageReport:
    """Cobertura XML from coverage.py or any other tool; ``<class>/<lines>/<line>`` as diff-cover reads.

    Parsed with expat under defusedxml's defences (no entity declarations, no external
    references) through streaming callbacks, which keep only numbers: about half the
    time of defusedxml's tree builder on the benchmark report.
    """
    from xml.parsers import expat

    from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

    parser = expat.ParserCreate()
    parser.buffer_text = True
    handler = _CoberturaHandler(shown, parser)
    parser.StartElementHandler = handler.start
    parser.EntityDeclHandler = lambda name, *rest: _refuse(EntitiesForbidden, name, *rest[:5])
    parser.UnparsedEntityDeclHandler = lambda name, *rest: _refuse(EntitiesForbidden, name, None, *rest)
    parser.ExternalEntityRefHandler = _refuse_external
    # A DTD can give every <line> a default hits="1" (<!ATTLIST line hits CDATA "1">): 0% read
    # as 100%. coverage.py never writes one, so any DOCTYPE is refused.
    parser.StartDoctypeDeclHandler = lambda name, *rest: _refuse(DTDForbidden, name, *rest[:2])
    try:
        parser.Parse(data, True)
    except DTDForbidden:
        raise GatesError(
            f"{shown}:{parser.CurrentLineNumber}:1: refused unsafe XML: a DOCTYPE declaration (a DTD can "
            "rewrite what every <line> says, and coverage.py never writes one); "
            "regenerate the report with 'coverage xml'"
        ) from None
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise GatesError(
            f"{shown}:1:1: refused unsafe XML ({type(exc).__name__}); regenerate the report"
        ) from None
    except expat.ExpatError as exc:
        raise GatesError(
            f"{shown}:{exc.lineno}:{exc.offset + 1}: not well-formed XML ({expat.ErrorString(exc.code)}); "
            "regenerate the report"
        ) from None
    attrs = handler.root_attrs or {}
    try:
        valid = int(attrs.get("branches-valid", "0"))
    except ValueError:
        valid = 0
    # coverage.py writes branch-rate="1" with no branches when it measured branches, "0" when it did not.
    measured = handler.any_branch or valid > 0 or attrs.get("branch-rate") == "1"
    return CoverageReport(shown, "cobertura", handler.files, measured, sources=handler.sources)


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
