"""Total, per-path and per-package floors, compared on integer counts."""

from __future__ import annotations

from collections.abc import Mapping

from gates.checks.coverage import percent
from gates.checks.coverage.data import Counts, FileCoverage, branch_counts, line_counts
from gates.findings import Finding, Severity
from gates.policy.paths import matches_any
from gates.policy.sections.coverage import CoverageSection
from gates.records import frozen_record

GATE_NAME = "coverage"
_SINGULAR = {"statements": "statement", "branches": "branch"}
BRANCH_NOT_MEASURED = (
    "branch coverage was not measured, but the policy sets {key}; run coverage with --branch "
    "(or '[run] branch = true') so the report has branch data, or remove {key}"
)


@frozen_record
class PathRow:
    """One line of the per-path table, also what ``details["paths"]`` holds."""

    path: str
    counts: Counts
    floor: float | None
    before: float | None = None

    @property
    def needed(self) -> int:
        return 0 if self.floor is None else percent.needed(self.counts, self.floor)

    @property
    def status(self) -> str:
        if self.floor is None:
            return "info"
        return "pass" if percent.meets(self.counts, self.floor) else "fail"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "percent": round(percent.percent(self.counts), 2),
            "floor": self.floor,
            "needed": self.needed,
            "statements": self.counts.total,
            "covered": self.counts.covered,
            "status": self.status,
            "before": self.before,
        }


def totals(files: Mapping[str, FileCoverage], branch_measured: bool = True) -> tuple[Counts, Counts]:
    covered = statements = taken = possible = 0
    for cov in files.values():
        covered += cov.covered
        statements += cov.num_statements
        if branch_measured:
            t, p = cov.branch_counts
            taken += t
            possible += p
    return Counts(covered, statements), Counts(taken, possible)


def floor_message(what: str, counts: Counts, floor: float, unit: str = "statements") -> str:
    more = percent.needed(counts, floor)
    return (
        f"{what}: {percent.show(counts)} < {percent.show_floor(floor)}, "
        f"{more} more {unit if more != 1 else _SINGULAR[unit]} needed "
        f"({counts.covered}/{counts.total} covered)"
    )


def check_totals(
    section: CoverageSection, lines: Counts, branches: Counts, branch_measured: bool
) -> list[Finding]:
    found: list[Finding] = []
    if not percent.meets(lines, section.line_min):
        found.append(
            Finding(
                GATE_NAME,
                "line-floor",
                Severity.ERROR,
                floor_message("total line coverage", lines, section.line_min),
            )
        )
    if section.branch_min is not None:
        if not branch_measured:
            message = BRANCH_NOT_MEASURED.format(key="coverage.branch_min")
            found.append(Finding(GATE_NAME, "branch-not-measured", Severity.ERROR, message))
        elif not percent.meets(branches, section.branch_min):
            message = floor_message("total branch coverage", branches, section.branch_min, "branches")
            found.append(Finding(GATE_NAME, "branch-floor", Severity.ERROR, message))
    return found


@frozen_record
class FileFloor:
    line_min: float
    branch_min: float | None
    rule: str


def floor_for(path: str, section: CoverageSection, critical: list[str]) -> FileFloor | None:
    """The floor for one file: 'critical_min' for critical paths, then per_path rules, last match wins."""
    chosen: FileFloor | None = None
    if section.critical_min is not None and critical and matches_any(path, critical):
        chosen = FileFloor(section.critical_min, None, "paths.critical")
    for rule in section.per_path:
        if matches_any(path, [rule.path]):
            chosen = FileFloor(rule.line_min, rule.branch_min, rule.path)
    return chosen


def check_paths(
    files: Mapping[str, FileCoverage],
    section: CoverageSection,
    critical: list[str],
    branch_measured: bool,
    before: Mapping[str, float] | None = None,
) -> tuple[list[PathRow], list[Finding]]:
    rows: list[PathRow] = []
    found: list[Finding] = []
    if not section.per_path and not critical:
        return rows, found
    branch_rule_unmeasured = False
    for path in sorted(files):
        floor = floor_for(path, section, critical)
        if floor is None:
            # Critical files without a floor still get a row: readiness reports their health.
            if critical and matches_any(path, critical):
                rows.append(PathRow(path, line_counts(files[path]), None, (before or {}).get(path)))
            continue
        counts = line_counts(files[path])
        row = PathRow(path, counts, floor.line_min, (before or {}).get(path))
        rows.append(row)
        if row.status == "fail":
            found.append(
                Finding(
                    GATE_NAME,
                    "path-floor",
                    Severity.ERROR,
                    floor_message(path, counts, floor.line_min) + f" (rule '{floor.rule}')",
                    path=path,
                )
            )
        if floor.branch_min is not None:
            if not branch_measured:
                branch_rule_unmeasured = True
                continue
            bcounts = branch_counts(files[path])
            if not percent.meets(bcounts, floor.branch_min):
                message = floor_message(f"{path} branches", bcounts, floor.branch_min, "branches")
                found.append(Finding(GATE_NAME, "path-branch-floor", Severity.ERROR, message, path=path))
    if branch_rule_unmeasured:
        message = BRANCH_NOT_MEASURED.format(key="a per_path branch_min")
        found.append(Finding(GATE_NAME, "branch-not-measured", Severity.ERROR, message))
    return rows, found


def package_of(path: str) -> str:
    """The top-level package (first directory) of a path; top-level modules stand for themselves."""
    head, sep, _ = path.partition("/")
    return head + "/" if sep else path


def package_rows(files: Mapping[str, FileCoverage], floor: float) -> list[PathRow]:
    """Per top-level package: the same 'N more statements needed' figure as the total."""
    grouped: dict[str, list[int]] = {}
    for path, cov in files.items():
        sums = grouped.setdefault(package_of(path), [0, 0])
        sums[0] += cov.covered
        sums[1] += cov.num_statements
    return [PathRow(key, Counts(c, n), floor) for key, (c, n) in sorted(grouped.items())]
