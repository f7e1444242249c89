"""mutmut's exit codes, mapped to statuses, and the score computed from them.

The mapping follows mutmut 3's ``status_by_exit_code`` table: a mutant's status comes from the
exit code of the test run that had it active. ``None`` means the mutant was never run.

Where mutmut's table calls a run in which the tests never ran a kill or a timeout, we do not:
pytest's exit code 3 (internal error) and 4 (usage error: test ids not found, bad arguments),
and 255, which mutmut 3.8 stores when its test runner raised (it turns pytest's exit code 4
into an exception, and the worker exits with -1). Its real timeouts are SIGXCPU (24, -24, 152).
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
TEST_ERROR = "test_error"

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
    TEST_ERROR,
)
# A run with many of these says little about the tests: the mutants were not really judged.
INCONCLUSIVE_STATUSES = (NOT_CHECKED, NO_TESTS, SUSPICIOUS, SEGFAULT, INTERRUPTED, TEST_ERROR)

_STATUS_BY_EXIT_CODE: dict[int, str] = {
    0: SURVIVED,
    1: KILLED,
    3: TEST_ERROR,  # pytest's internal error (mutmut: killed)
    4: TEST_ERROR,  # pytest's usage error: tests not found, bad arguments
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
    255: TEST_ERROR,  # mutmut 3.8: the test runner raised (mutmut: timeout)
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
    TEST_ERROR: "tests did not run",
}


def status_of(exit_code: int | None) -> str:
    """The status of one mutant; unknown exit codes are suspicious, as in mutmut."""
    if exit_code is None:
        return NOT_CHECKED
    if type(exit_code) is not int:  # True == 1 would be "killed"; readers refuse it, this never trusts it
        return SUSPICIOUS
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
