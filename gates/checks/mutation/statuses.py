"""mutmut's exit codes, mapped to statuses, and the score computed from them.

The mapping follows mutmut 3's ``status_by_exit_code`` table: a mutant's status comes from the
exit code of the test run that had it active. ``None`` means the mutant was never run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from gates.records import frozen_record

KILLED = "killed"
SURVIVED = "survived"
NO_TESTS = "no_tests"
SKIPPED = "skipped"
TIMEOUT = "timeout"
TYPE_CHECKED = "type_checked"
SEGFAULT = "segfault"
SUSPICIOUS = "suspicious"
NOT_CHECKED = "not_checked"
INTERRUPTED = "interrupted"

ALL_STATUSES = (
    KILLED,
    SURVIVED,
    NO_TESTS,
    SKIPPED,
    TIMEOUT,
    TYPE_CHECKED,
    SEGFAULT,
    SUSPICIOUS,
    NOT_CHECKED,
    INTERRUPTED,
)
# A run with many of these says little about the tests: the mutants were not really judged.
INCONCLUSIVE_STATUSES = (NOT_CHECKED, NO_TESTS, SUSPICIOUS, SEGFAULT, INTERRUPTED)

_STATUS_BY_EXIT_CODE: dict[int, str] = {
    0: SURVIVED,
    1: KILLED,
    3: KILLED,  # pytest's internal error: the mutant broke the test run
    2: INTERRUPTED,
    5: NO_TESTS,
    33: NO_TESTS,
    34: SKIPPED,
    35: SUSPICIOUS,
    36: TIMEOUT,
    37: TYPE_CHECKED,
    24: TIMEOUT,  # SIGXCPU
    -24: TIMEOUT,
    152: TIMEOUT,
    255: TIMEOUT,
    -11: SEGFAULT,
    -9: SEGFAULT,
}

LABELS = {
    KILLED: "killed",
    SURVIVED: "survived",
    NO_TESTS: "no tests",
    SKIPPED: "skipped",
    TIMEOUT: "timeout",
    TYPE_CHECKED: "caught by type check",
    SEGFAULT: "segfault",
    SUSPICIOUS: "suspicious",
    NOT_CHECKED: "not checked",
    INTERRUPTED: "interrupted",
}


def status_of(exit_code: int | None) -> str:
    """The status of one mutant; unknown exit codes are suspicious, as in mutmut."""
    if exit_code is None:
        return NOT_CHECKED
    return _STATUS_BY_EXIT_CODE.get(exit_code, SUSPICIOUS)


@frozen_record
class ScoreRule:
    """Which statuses count as detected, and which leave the denominator."""

    detected: frozenset[str]
    excluded: frozenset[str]

    def describe(self) -> str:
        top = " + ".join(sorted(self.detected)) or "0"
        bottom = " - ".join(["total", *sorted(self.excluded)])
        return f"({top}) / ({bottom})"


@frozen_record
class Tally:
    counts: Counter[str]

    @classmethod
    def of(cls, statuses: Iterable[str]) -> Tally:
        return cls(Counter(statuses))

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    def inconclusive(self) -> int:
        return sum(self.count(s) for s in INCONCLUSIVE_STATUSES)

    def denominator(self, rule: ScoreRule) -> int:
        return self.total - sum(self.count(s) for s in rule.excluded)

    def detected(self, rule: ScoreRule) -> int:
        return sum(self.count(s) for s in rule.detected)

    def score(self, rule: ScoreRule) -> float | None:
        """The score in %, or None when no mutant counts towards it."""
        denominator = self.denominator(rule)
        if denominator <= 0:
            return None
        return 100.0 * self.detected(rule) / denominator
