"""Diff (patch) coverage: the statements and branches on lines changed since the merge-base.

Line numbers come from diff-cover's own diff parser (``gates.git.changed_lines``), so on
Cobertura input in line mode our percentage is diff-cover's. Beyond it: a changed line
inside a multi-line statement counts as the statement (coverage.py records only the first
line; diff_cover #270), renames owe nothing, and branches leaving changed lines are counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import field
from pathlib import Path

from gates.checks.coverage import percent
from gates.checks.coverage.data import Counts, FileCoverage
from gates.findings import Finding, Severity
from gates.policy.paths import Paths, is_source, matches_any
from gates.policy.sections.coverage import CoverageSection
from gates.records import record
from gates.regular_files import read_repository_text

GATE_NAME = "coverage"


@record
class FileDiff:
    path: str
    statements: set[int]
    missing: set[int]
    branches: Counts = field(default_factory=lambda: Counts(0, 0))
    missing_arcs: dict[int, list[int]] = field(default_factory=dict)


@record
class DiffCoverage:
    files: list[FileDiff] = field(default_factory=list)
    not_in_report: list[str] = field(default_factory=list)

    @property
    def lines(self) -> Counts:
        total = sum(len(f.statements) for f in self.files)
        missing = sum(len(f.missing) for f in self.files)
        return Counts(total - missing, total)

    @property
    def branches(self) -> Counts:
        result = Counts(0, 0)
        for f in self.files:
            result = result + f.branches
        return result


def _first_lines(root: Path, path: str, lines: list[int], cov: FileCoverage) -> Mapping[int, int] | None:
    """Changed line -> first line of the multi-line statement it is in (None if unreadable).

    The report names the statements' first lines, so only the logical lines of the statements
    just above changed lines are lexed (``spans``); coverage.py's own parser, which tokenizes
    the whole file, is asked only where that lexer declines.
    """
    from gates.checks.coverage.spans import Unfollowable, owners

    try:
        text = read_repository_text(root, path)
    except OSError:
        return None
    others = [line for line in lines if line not in cov.statements]
    try:
        return owners(text, cov.statements, others)
    except Unfollowable:
        return _coverage_multiline_map(text, path)


def _coverage_multiline_map(text: str, path: str) -> dict[int, int] | None:
    """coverage.py's own map: from its tokenizer alone where it offers that, else a full parse."""
    import tokenize

    from coverage import parser as coverage_parser
    from coverage.exceptions import CoverageException

    from_text = getattr(coverage_parser, "multiline_map_from_text", None)
    try:
        if from_text is not None:
            return dict(from_text(text))
        parser = coverage_parser.PythonParser(text=text, filename=path)
        parser.parse_source()
    except (CoverageException, SyntaxError, ValueError, RecursionError, tokenize.TokenError):
        return None
    return dict(parser.multiline_map)


def statements_touched(
    lines: Iterable[int], cov: FileCoverage, first_lines: Mapping[int, int] | None
) -> set[int]:
    touched: set[int] = set()
    for line in lines:
        if line in cov.statements:
            touched.add(line)
        elif first_lines is not None:
            first = first_lines.get(line)
            if first is not None and first in cov.statements:
                touched.add(first)
    return touched


def needs_parse(lines: Iterable[int], cov: FileCoverage) -> bool:
    """Only lines that are neither statements nor excluded can sit inside a multi-line statement."""
    return any(line not in cov.statements and line not in cov.excluded for line in lines)


def owes_report_entry(root: Path, path: str, section: CoverageSection, paths: Paths) -> bool:
    """A changed, existing, non-empty .py file under the source paths that no rule omits."""
    if not path.endswith(".py") or not is_source(path, paths):
        return False
    if matches_any(path, section.omit) or matches_any(path, paths.tests):
        return False
    try:
        return bool(read_repository_text(root, path).strip())
    except OSError:
        return False  # deleted: nothing to cover


def diff_coverage(
    root: Path,
    changed: Mapping[str, list[int]],
    files: Mapping[str, FileCoverage],
    in_scope: Iterable[str],
    section: CoverageSection,
    paths: Paths,
    branch_measured: bool,
) -> DiffCoverage:
    """``files`` are the mapped report entries in scope; ``in_scope`` the changed paths to consider."""
    result = DiffCoverage()
    for path in sorted(in_scope):
        lines = changed.get(path, [])
        if not lines:
            continue
        cov = files.get(path)
        if cov is None:
            if owes_report_entry(root, path, section, paths):
                result.not_in_report.append(path)
            continue
        first_lines = None
        if section.diff.statement_aware and path.endswith(".py") and needs_parse(lines, cov):
            first_lines = _first_lines(root, path, lines, cov)
        touched = statements_touched(lines, cov, first_lines)
        if not touched:
            continue
        entry = FileDiff(path, touched, touched - cov.executed)
        if branch_measured:
            taken = possible = 0
            for line in touched:
                pair = cov.branches.get(line)
                if pair:
                    taken += pair[0]
                    possible += pair[1]
                    if pair[0] < pair[1] and line in cov.executed:
                        entry.missing_arcs[line] = cov.missing_arcs.get(line, [])
            entry.branches = Counts(taken, possible)
        result.files.append(entry)
    return result


def _ranges(numbers: list[int], statements: list[int]) -> list[tuple[int, int]]:
    """Group missing statements that follow each other among the file's statements."""
    index = {line: i for i, line in enumerate(statements)}
    groups: list[tuple[int, int]] = []
    for line in numbers:
        if groups and index.get(line, -2) == index.get(groups[-1][1], -9) + 1:
            groups[-1] = (groups[-1][0], line)
        else:
            groups.append((line, line))
    return groups


def _arc_text(targets: list[int]) -> str:
    shown = ["exit" if t < 0 else str(t) for t in sorted(set(targets))]
    return ", ".join(shown) if shown else "a branch"


def diff_findings(
    diff: DiffCoverage, files: Mapping[str, FileCoverage], section: CoverageSection
) -> list[Finding]:
    settings = section.diff
    found: list[Finding] = []
    severity = Severity(settings.uncovered_severity)
    for path in diff.not_in_report:
        found.append(
            Finding(
                GATE_NAME,
                "not-in-report",
                Severity.ERROR,
                f"{path} changed but is not in the coverage report; make the tests import it "
                "(or set coverage's "
                "'source'), or add it to coverage.omit if it needs no tests",
                path=path,
            )
        )
    for entry in diff.files:
        if entry.missing:
            for start, end in _ranges(sorted(entry.missing), sorted(files[entry.path].statements)):
                where = f"line {start}" if start == end else f"lines {start}-{end}"
                found.append(
                    Finding(
                        GATE_NAME,
                        "uncovered-change",
                        severity,
                        f"changed {where} not covered by tests",
                        path=entry.path,
                        line=start,
                        end_line=end,
                    )
                )
        for line, targets in sorted(entry.missing_arcs.items()):
            found.append(
                Finding(
                    GATE_NAME,
                    "uncovered-branch",
                    severity,
                    f"changed line {line}: branch to {_arc_text(targets)} never taken",
                    path=entry.path,
                    line=line,
                )
            )
    lines = diff.lines
    applies = lines.total >= settings.min_changed_statements and lines.total > 0
    if applies and not percent.meets(lines, settings.line_min):
        found.append(
            Finding(
                GATE_NAME,
                "diff-floor",
                Severity.ERROR,
                _diff_message("changed-line coverage", lines, settings.line_min),
            )
        )
    branches = diff.branches
    if (
        applies
        and settings.branch_min is not None
        and branches.total
        and not percent.meets(branches, settings.branch_min)
    ):
        found.append(
            Finding(
                GATE_NAME,
                "diff-branch-floor",
                Severity.ERROR,
                _diff_message("changed-branch coverage", branches, settings.branch_min, "branches"),
            )
        )
    cap = settings.max_uncovered_new_statements
    if cap is not None and lines.missing > cap:
        found.append(
            Finding(
                GATE_NAME,
                "diff-uncovered-cap",
                Severity.ERROR,
                f"{lines.missing} changed statements are uncovered; the policy allows at most {cap}",
            )
        )
    return found


def _diff_message(what: str, counts: Counts, floor: float, unit: str = "statements") -> str:
    return (
        f"{what}: {percent.show(counts)} < {percent.show_floor(floor)} "
        f"({counts.covered}/{counts.total} {unit} covered, {percent.needed(counts, floor)} more needed)"
    )
