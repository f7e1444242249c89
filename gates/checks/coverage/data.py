"""One in-memory shape for every coverage report format: statements, hits and branches per file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileCoverage:
    """What one report says about one source file (line numbers are the file's own)."""

    statements: set[int]
    executed: set[int]
    excluded: set[int] = field(default_factory=set)
    # Per source line that branches: (branches taken, branches possible).
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)
    # Per source line: destinations never taken (-1 or negative = leaving the function), when known.
    missing_arcs: dict[int, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Every loader keeps executed lines within the statements; enforce it once so
        # that counting covered statements is a len(), not a set intersection per call.
        if not self.executed <= self.statements:
            self.executed &= self.statements

    @property
    def covered(self) -> int:
        return len(self.executed)

    @property
    def missing(self) -> set[int]:
        return self.statements - self.executed

    @property
    def branch_counts(self) -> tuple[int, int]:
        taken = sum(t for t, _ in self.branches.values())
        possible = sum(p for _, p in self.branches.values())
        return taken, possible


@dataclass
class CoverageReport:
    """A parsed report. ``files`` keys are as the report wrote them until path mapping."""

    path: str
    format: str
    files: dict[str, FileCoverage]
    branch_measured: bool
    # Cobertura <source> roots, used to resolve relative file names.
    sources: list[str] = field(default_factory=list)
    # JSON reports list excluded lines; Cobertura and LCOV do not.
    knows_excluded: bool = False


@dataclass(frozen=True)
class Counts:
    """Covered out of total, kept as integers so no rounding decides a verdict."""

    covered: int
    total: int

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.covered + other.covered, self.total + other.total)

    @property
    def missing(self) -> int:
        return self.total - self.covered


def line_counts(cov: FileCoverage) -> Counts:
    return Counts(cov.covered, len(cov.statements))


def branch_counts(cov: FileCoverage) -> Counts:
    taken, possible = cov.branch_counts
    return Counts(taken, possible)
