"""One in-memory shape for every coverage report format: statements, hits and branches per file."""

from __future__ import annotations

from dataclasses import field

from gates.records import frozen_record, record


class FileCoverage:
    """What one report says about one source file (line numbers are the file's own).

    A JSON report gives lists; sets are built only for the files a check looks into
    (the changed ones), since totals need only the counts. That is most of the time
    saved on a report of a million statements.
    """

    def __init__(
        self,
        statements: set[int] | None = None,
        executed: set[int] | None = None,
        excluded: set[int] | None = None,
        branches: dict[int, tuple[int, int]] | None = None,
        missing_arcs: dict[int, list[int]] | None = None,
    ) -> None:
        self._statements = statements if statements is not None else set()
        self._executed = executed if executed is not None else set()
        # Every loader keeps executed lines within the statements; enforce it once so
        # that counting covered statements is a len(), not a set intersection per call.
        if not self._executed <= self._statements:
            self._executed &= self._statements
        self._excluded = excluded if excluded is not None else set()
        self._lists: tuple[list[int], list[int], list[int]] | None = None
        # Per source line that branches: (branches taken, branches possible).
        self.branches: dict[int, tuple[int, int]] = branches if branches is not None else {}
        # Per source line: destinations never taken (negative = leaving the function), when known.
        self.missing_arcs: dict[int, list[int]] = missing_arcs if missing_arcs is not None else {}

    @classmethod
    def from_lists(cls, executed: list[int], missing: list[int], excluded: list[int]) -> FileCoverage:
        """coverage.py's JSON lists: executed and missing are disjoint and without repeats."""
        made = cls()
        made._lists = (executed, missing, excluded)
        return made

    def _materialize(self) -> None:
        if self._lists is not None:
            executed, missing, excluded = self._lists
            self._lists = None
            self._executed = set(executed)
            self._statements = self._executed | set(missing)
            self._excluded = set(excluded)

    @property
    def statements(self) -> set[int]:
        self._materialize()
        return self._statements

    @property
    def executed(self) -> set[int]:
        self._materialize()
        return self._executed

    @property
    def excluded(self) -> set[int]:
        self._materialize()
        return self._excluded

    @property
    def num_statements(self) -> int:
        if self._lists is not None:
            return len(self._lists[0]) + len(self._lists[1])
        return len(self._statements)

    @property
    def covered(self) -> int:
        return len(self._lists[0]) if self._lists is not None else len(self._executed)

    @property
    def num_excluded(self) -> int:
        return len(self._lists[2]) if self._lists is not None else len(self._excluded)

    @property
    def missing(self) -> set[int]:
        return self.statements - self.executed

    @property
    def branch_counts(self) -> tuple[int, int]:
        taken = sum(t for t, _ in self.branches.values())
        possible = sum(p for _, p in self.branches.values())
        return taken, possible

    def __repr__(self) -> str:
        return f"FileCoverage({self.covered}/{self.num_statements} covered)"


@record
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


@frozen_record
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
    return Counts(cov.covered, cov.num_statements)


def branch_counts(cov: FileCoverage) -> Counts:
    taken, possible = cov.branch_counts
    return Counts(taken, possible)
